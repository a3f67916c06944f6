package dev.failuredetector.netty;

import dev.failuredetector.netty.internal.ConnectionGuard;
import dev.failuredetector.netty.internal.IoChannels;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.util.SplittableRandom;

/**
 * {@link NodeTransport} over TCP: a listening socket whose accepted connections are guarded
 * ({@link ConnectionGuard}: bounds, deadlines, progress), and one outbound connection per peer
 * ({@link TcpPeerLink}: jittered reconnects, a refused connection as a failure clue).
 */
final class TcpNodeTransport implements NodeTransport {

  private static final int CONNECT_TIMEOUT_MILLIS = 2_000;

  private final TransportCounters counters;
  private final ConnectionGuard guard;
  private final boolean refusedIsFailure;
  private final long reconnectMinNanos;
  private final long reconnectMaxNanos;
  private final SplittableRandom random;
  private Bootstrap client;
  private volatile TcpInboundInitializer inbound;

  TcpNodeTransport(TransportCounters counters, ConnectionGuard guard, boolean refusedIsFailure,
      long reconnectMinNanos, long reconnectMaxNanos, SplittableRandom random) {
    this.counters = counters;
    this.guard = guard;
    this.refusedIsFailure = refusedIsFailure;
    this.reconnectMinNanos = reconnectMinNanos;
    this.reconnectMaxNanos = reconnectMaxNanos;
    this.random = random;
  }

  @Override
  public Channel bind(IoChannels io, EventLoop loop, InetSocketAddress address, HeartbeatReceiver receiver)
      throws InterruptedException {
    TcpPeerLink.DiscardInbound discard = new TcpPeerLink.DiscardInbound(counters);
    client = new Bootstrap().group(loop).channel(io.socket())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
        .option(ChannelOption.TCP_NODELAY, true)
        // A stalled peer gets at most 16 KiB of stale heartbeats queued, then they are dropped.
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(8 << 10, 16 << 10))
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel outbound) {
            outbound.pipeline().addLast(HeartbeatFraming.prepender(), discard);
          }
        });
    // Every connection of the node runs on its one loop, so they share one receiver.
    inbound = new TcpInboundInitializer(() -> new HeartbeatInboundHandler(receiver, counters),
        guard);
    return NodeTransport.bound(new ServerBootstrap().group(loop)
        .channel(io.serverSocket())
        .option(ChannelOption.SO_REUSEADDR, true) // rebind the same port at once after a restart
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(inbound)
        .bind(address), Transport.TCP, address);
  }

  @Override
  public PeerLink open(RemotePeer peer) {
    return new TcpPeerLink(peer, client,
        new Backoff(reconnectMinNanos, reconnectMaxNanos, random.split()), refusedIsFailure,
        counters).open();
  }

  @Override
  public int inboundOpen() {
    TcpInboundInitializer current = inbound;
    return current == null ? 0 : current.openConnections();
  }

  @Override
  public ConnectionGuard inboundGuard() {
    return guard;
  }

  @Override
  public void closeInbound() {
    guard.closeAll();
  }
}
