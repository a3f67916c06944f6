/**
 * Heartbeat transport over UDP and TCP with Netty, feeding what it receives into the core
 * detectors. Work in progress: the transport arrives with its own issue.
 */
package dev.failuredetector.netty;
