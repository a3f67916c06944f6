package dev.failuredetector.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;

/** The way to one peer: a UDP address or a TCP connection. Event loop only. */
interface PeerLink {

  /**
   * Sends one encoded message and takes ownership of the buffer (released if it cannot be sent).
   *
   * @return the write's future, or null if it was not sent
   */
  ChannelFuture send(ByteBuf message);

  /** A sign of life from the peer arrived: a link waiting to reconnect may try now. */
  default void peerHeard() {}

  /** Stops the link (closes a connection, cancels a reconnect). Idempotent. */
  default void close() {}
}
