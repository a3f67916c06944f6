package dev.failuredetector.netty;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Sets up each accepted TCP connection: at most {@code maxConnections} open at once (the rest are
 * closed at once), closed when idle for {@code idleTimeoutNanos}, framed by {@link
 * HeartbeatFraming}, each frame handed to a {@link HeartbeatInboundHandler} (which closes the
 * connection at the first malformed frame). Event loop only (the node has one).
 */
@ChannelHandler.Sharable
final class TcpInboundInitializer extends ChannelInitializer<SocketChannel> {

  private final Supplier<ChannelHandler> inbound;
  private final TransportCounters counters;
  private final int maxConnections;
  private final long idleTimeoutNanos;
  /** Written on the event loop only; read by any thread. */
  private volatile int open;

  TcpInboundInitializer(Supplier<ChannelHandler> inbound, TransportCounters counters,
      int maxConnections, long idleTimeoutNanos) {
    this.inbound = inbound;
    this.counters = counters;
    this.maxConnections = maxConnections;
    this.idleTimeoutNanos = idleTimeoutNanos;
  }

  @Override
  protected void initChannel(SocketChannel channel) {
    if (open >= maxConnections) {
      counters.inboundRejected.increment();
      channel.close();
      return;
    }
    open++; // single writer (the event loop), so ++ on a volatile is safe here
    channel.closeFuture().addListener(done -> open--);
    channel.pipeline().addLast(
        new ReadTimeoutHandler(idleTimeoutNanos, TimeUnit.NANOSECONDS),
        HeartbeatFraming.decoder(),
        inbound.get());
  }

  /** Inbound connections open now. */
  int openConnections() {
    return open;
  }
}
