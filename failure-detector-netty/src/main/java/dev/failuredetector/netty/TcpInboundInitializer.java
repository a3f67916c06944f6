package dev.failuredetector.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.util.concurrent.TimeUnit;

/**
 * Sets up each accepted TCP connection: at most {@code maxConnections} open at once (the rest are
 * closed at once), closed when idle for {@code idleTimeoutNanos}, frames of a 2-byte length and at
 * most {@link WireCodec#MAX_MESSAGE_BYTES}, each handed to the {@link HeartbeatReceiver}.
 *
 * <p>TCP delivers a peer's bytes intact and in order, so a malformed or oversized frame means the
 * other end is not an honest peer: the frame is counted by reason and the connection closed.
 * Replayed or unknown-sender messages are only counted. Event loop only (the node has one).
 */
@ChannelHandler.Sharable
final class TcpInboundInitializer extends ChannelInitializer<SocketChannel> {

  private final HeartbeatReceiver receiver;
  private final TransportCounters counters;
  private final int maxConnections;
  private final long idleTimeoutNanos;
  private final FrameHandler frames = new FrameHandler();
  /** Written on the event loop only; read by any thread. */
  private volatile int open;

  TcpInboundInitializer(HeartbeatReceiver receiver, TransportCounters counters,
      int maxConnections, long idleTimeoutNanos) {
    this.receiver = receiver;
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
        new LengthFieldBasedFrameDecoder(WireCodec.MAX_MESSAGE_BYTES, 0, 2, 0, 2, true),
        frames);
  }

  /** Inbound connections open now. */
  int openConnections() {
    return open;
  }

  @ChannelHandler.Sharable
  private final class FrameHandler extends SimpleChannelInboundHandler<ByteBuf> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
      if (!ctx.channel().isOpen()) {
        return; // more frames of a read that already had a bad one: the connection is closing
      }
      if (receiver.receive(frame) == HeartbeatReceiver.Outcome.MALFORMED) {
        counters.inboundClosed.increment();
        ctx.close();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (!ctx.channel().isOpen()) {
        return;
      }
      if (cause instanceof TooLongFrameException) {
        counters.drop(DropReason.OVERSIZED);
      } else {
        counters.handlerErrors.increment(); // idle timeout or reset: nothing per-packet to log
      }
      counters.inboundClosed.increment();
      ctx.close();
    }
  }
}
