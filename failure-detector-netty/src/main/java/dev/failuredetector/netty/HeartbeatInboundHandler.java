package dev.failuredetector.netty;

import dev.failuredetector.netty.internal.ConnectionGuard;
import dev.failuredetector.netty.internal.ReceivedDatagram;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ReferenceCountUtil;

/**
 * Feeds what a channel receives to a {@link HeartbeatNode}: UDP {@link DatagramPacket}s (and the
 * recycled datagrams of the node's own socket over NIO), or TCP frames ({@link ByteBuf}s cut by
 * {@link HeartbeatFraming#decoder()}). Get one from {@link
 * HeartbeatNode#newInboundHandler()} to put the node's heartbeats into a pipeline of your own.
 *
 * <p>Every message is released here. Bad input is counted by the node and dropped, never thrown
 * or logged per message. TCP delivers a peer's bytes intact and in order, so over a stream a
 * malformed or oversized frame means the other end is not an honest peer: the connection is
 * closed. A datagram socket stays open whatever it receives.
 *
 * <p>One per channel (not {@code @Sharable}: it keeps decoding scratch space).
 */
public final class HeartbeatInboundHandler extends ChannelInboundHandlerAdapter {

  private final HeartbeatReceiver receiver;
  private final TransportCounters counters;

  HeartbeatInboundHandler(HeartbeatReceiver receiver, TransportCounters counters) {
    this.receiver = receiver;
    this.counters = counters;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof ReceivedDatagram datagram) { // the node's own UDP socket on NIO
        receiver.receive(datagram.content(), datagram.sender(), ctx.channel());
      } else if (msg instanceof DatagramPacket packet) {
        receiver.receive(packet.content(), packet.sender(), ctx.channel());
      } else if (msg instanceof ByteBuf frame) {
        if (!ctx.channel().isOpen()) {
          return; // more frames of a read that had a bad one: closing already
        }
        HeartbeatReceiver.Outcome outcome = receiver.receive(frame);
        if (outcome == HeartbeatReceiver.Outcome.MALFORMED) {
          counters.inboundClosed.increment();
          ctx.close();
        } else if (outcome == HeartbeatReceiver.Outcome.ACCEPTED) {
          // Only a fresh, authentic frame is progress: a recording replayed on a connection is
          // well-formed and authentic too, and must not make it look more alive than a peer's.
          ConnectionGuard.progress(ctx.channel());
        }
      } else {
        counters.handlerErrors.increment(); // not ours: a pipeline set up wrongly
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (ctx.channel() instanceof DatagramChannel) {
      counters.handlerErrors.increment(); // the socket stays open
      return;
    }
    if (!ctx.channel().isOpen()) {
      return;
    }
    if (cause instanceof TooLongFrameException
        || cause.getCause() instanceof TooLongFrameException) {
      counters.drop(DropReason.OVERSIZED);
    } else {
      counters.handlerErrors.increment(); // idle timeout or reset: nothing per-packet to log
    }
    counters.inboundClosed.increment();
    ctx.close();
  }
}
