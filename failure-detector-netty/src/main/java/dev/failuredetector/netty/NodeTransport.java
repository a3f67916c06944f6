package dev.failuredetector.netty;

import dev.failuredetector.netty.internal.ConnectionGuard;
import dev.failuredetector.netty.internal.IoChannels;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;

/**
 * How a {@link HeartbeatNode} binds and reaches its peers over one {@link Transport}: the socket
 * setup, kept out of the node, which keeps lifecycle and peers. One per node; {@link #open} and
 * {@link #closeInbound} on the node's event loop only.
 */
interface NodeTransport {

  /**
   * Binds the node's socket (UDP) or listening socket (TCP) on {@code loop}, a loop of {@code
   * io}'s transport; every message it
   * receives goes to {@code receiver}.
   *
   * @throws UncheckedIOException if the address cannot be bound (it says which and why)
   */
  Channel bind(IoChannels io, EventLoop loop, InetSocketAddress address, HeartbeatReceiver receiver)
      throws InterruptedException;

  /** A link that sends to {@code peer} (a TCP one starts connecting). */
  PeerLink open(RemotePeer peer);

  /** Inbound connections open now (0 over UDP). */
  int inboundOpen();

  /** The inbound connection guard, null over UDP (its counters are part of the stats). */
  ConnectionGuard inboundGuard();

  /** Closes every accepted inbound connection (closing the listener leaves them open). */
  void closeInbound();

  /** Waits for the bind; Netty's sync() would throw a checked BindException undeclared. */
  static Channel bound(ChannelFuture bind, Transport transport, InetSocketAddress address)
      throws InterruptedException {
    bind.await();
    if (!bind.isSuccess()) {
      IOException cause = asIoException(bind.cause());
      throw new UncheckedIOException("cannot bind " + transport + " to " + address + ": "
          + cause.getMessage(), cause);
    }
    return bind.channel();
  }

  /**
   * The cause as an {@link IOException}; a native transport's failure to bind (errno
   * EADDRINUSE, EADDRNOTAVAIL or EACCES, which epoll reports as a plain {@code IOException}) as the
   * {@link BindException} NIO throws, so callers see one type whichever transport runs.
   */
  static IOException asIoException(Throwable cause) {
    if (cause instanceof BindException bind) {
      return bind;
    }
    if (cause == null) {
      return new IOException("unknown cause");
    }
    String message = cause.getMessage();
    if (message != null && (message.contains("Address already in use")
        || message.contains("Cannot assign requested address")
        || message.contains("Permission denied"))) {
      // "bind(..) failed with error(-98): Address already in use" -> the reason alone, as NIO says
      BindException bind = new BindException(message.substring(message.lastIndexOf(": ") + 2));
      bind.initCause(cause);
      return bind;
    }
    return cause instanceof IOException io ? io : new IOException(cause.getMessage(), cause);
  }
}
