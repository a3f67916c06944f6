package dev.failuredetector.netty;

import dev.failuredetector.netty.internal.ConnectionGuard;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import java.util.function.Supplier;

/**
 * Sets up each accepted TCP connection: admitted by the node's {@link ConnectionGuard} (bounded in
 * all and per source address, the longest idle closed to make room, a deadline for the first
 * complete frame and an idle timeout counted in complete frames), framed by {@link
 * HeartbeatFraming}, each frame handed to a {@link HeartbeatInboundHandler} (which closes the
 * connection at the first malformed frame and tells the guard of each good one). Event loop only
 * (the node has one).
 */
@ChannelHandler.Sharable
final class TcpInboundInitializer extends ChannelInitializer<SocketChannel> {

  private final Supplier<ChannelHandler> inbound;
  private final ConnectionGuard guard;

  TcpInboundInitializer(Supplier<ChannelHandler> inbound, ConnectionGuard guard) {
    this.inbound = inbound;
    this.guard = guard;
  }

  @Override
  protected void initChannel(SocketChannel channel) {
    channel.pipeline().addLast(guard.handler(), HeartbeatFraming.decoder(), inbound.get());
  }

  /** Inbound connections open now. */
  int openConnections() {
    return guard.open();
  }
}
