package dev.failuredetector.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/** A peer reached by datagrams from the node's one UDP socket. */
final class UdpPeerLink implements PeerLink {

  private final Channel socket;
  private final InetSocketAddress address;

  UdpPeerLink(Channel socket, InetSocketAddress address) {
    this.socket = socket;
    this.address = address;
  }

  @Override
  public ChannelFuture send(ByteBuf message) {
    return socket.writeAndFlush(new DatagramPacket(message, address));
  }
}
