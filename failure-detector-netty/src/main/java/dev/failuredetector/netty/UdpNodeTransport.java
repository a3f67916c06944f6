package dev.failuredetector.netty;

import dev.failuredetector.netty.internal.ConnectionGuard;
import dev.failuredetector.netty.internal.IoChannels;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;

/** {@link NodeTransport} over UDP: one datagram socket sends to every peer and receives. */
final class UdpNodeTransport implements NodeTransport {

  private final TransportCounters counters;
  private Channel channel;

  UdpNodeTransport(TransportCounters counters) {
    this.counters = counters;
  }

  @Override
  public Channel bind(IoChannels io, EventLoop loop, InetSocketAddress address, HeartbeatReceiver receiver)
      throws InterruptedException {
    channel = NodeTransport.bound(io.nodeDatagram(new Bootstrap().group(loop))
        .handler(new HeartbeatInboundHandler(receiver, counters)).bind(address),
        Transport.UDP, address);
    return channel;
  }

  @Override
  public PeerLink open(RemotePeer peer) {
    return new UdpPeerLink(channel, peer.address);
  }

  @Override
  public int inboundOpen() {
    return 0;
  }

  @Override
  public ConnectionGuard inboundGuard() {
    return null;
  }

  @Override
  public void closeInbound() {}
}
