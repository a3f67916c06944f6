/**
 * Heartbeats over UDP or TCP with Netty: {@link dev.failuredetector.netty.HeartbeatNode} sends and
 * receives authenticated messages in the wire format of WIRE-FORMAT.md and feeds a registry; the
 * codec, framing and inbound handler can be embedded in pipelines of your own; {@link
 * dev.failuredetector.netty.internal.ConnectionGuard} bounds what strangers can hold.
 */
package dev.failuredetector.netty;
