package dev.failuredetector.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;

/**
 * Hands each received UDP datagram to the {@link HeartbeatReceiver}; the datagram is released by
 * {@link SimpleChannelInboundHandler}. Errors are counted, never logged per packet, and the socket
 * stays open.
 */
final class DatagramInboundHandler extends SimpleChannelInboundHandler<DatagramPacket> {

  private final HeartbeatReceiver receiver;
  private final TransportCounters counters;

  DatagramInboundHandler(HeartbeatReceiver receiver, TransportCounters counters) {
    this.receiver = receiver;
    this.counters = counters;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
    receiver.receive(packet.content());
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    counters.handlerErrors.increment();
  }
}
