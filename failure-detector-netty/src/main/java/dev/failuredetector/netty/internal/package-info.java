/**
 * Not API: the parts the transport ({@code dev.failuredetector.netty}) and the health endpoints
 * ({@code dev.failuredetector.netty.health}) share: the inbound connection guard and its table,
 * and the event-loop groups they make. Public only so both packages can use them; they may change
 * in any release. Applications embed the node and the health handlers through those packages.
 */
package dev.failuredetector.netty.internal;
