package dev.failuredetector.netty;

import dev.failuredetector.PeerState;
import dev.failuredetector.TransitionReason;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.util.concurrent.TimeUnit;

/**
 * This node's connection to one peer, over which it sends its heartbeats (a peer's heartbeats to
 * this node come over the peer's own connection). Event loop only.
 *
 * <p><b>Reconnecting.</b> A failed attempt is retried after a {@link Backoff}. A connection that
 * closes (the peer closed it, or it was reset) is retried at once, unless it lived less than a
 * second, which counts as a failure: a peer that accepts and drops connections does not get a
 * tight loop.
 *
 * <p><b>The refused-connection clue.</b> A refused connection means no process listens on the
 * peer's port: it has crashed or stopped (or never started). When clues are on and the peer has
 * been heard from (AVAILABLE or SUSPECTED), it is marked FAILED at once with reason
 * CONNECTION_REFUSED. A connect timeout, an unreachable host or a reset are not clues: a partition
 * or a middlebox can cause them while the process lives. A reset or close is followed by an
 * immediate reconnect, which is refused if the process is gone.
 */
final class TcpPeerLink implements PeerLink {

  private static final long STABLE_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** Peers never send on this connection: anything read is discarded; errors close it. */
  @ChannelHandler.Sharable
  static final class DiscardInbound extends ChannelInboundHandlerAdapter {
    private final TransportCounters counters;

    DiscardInbound(TransportCounters counters) {
      this.counters = counters;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      counters.handlerErrors.increment(); // a reset, typically: the close listener reconnects
      ctx.close();
    }
  }

  private final RemotePeer peer;
  private final Bootstrap bootstrap;
  private final EventLoop eventLoop;
  private final Backoff backoff;
  private final boolean refusedIsFailure;
  private final TransportCounters counters;

  private Channel channel;
  /** The next attempt while waiting out a backoff; null while connecting or connected. */
  private ScheduledFuture<?> pendingAttempt;
  private int failures;
  private long connectedAtNanos;
  private boolean closed;

  TcpPeerLink(RemotePeer peer, Bootstrap bootstrap, Backoff backoff, boolean refusedIsFailure,
      TransportCounters counters) {
    this.peer = peer;
    this.bootstrap = bootstrap;
    this.eventLoop = bootstrap.config().group().next();
    this.backoff = backoff;
    this.refusedIsFailure = refusedIsFailure;
    this.counters = counters;
  }

  /** Starts the first attempt. */
  TcpPeerLink open() {
    connect();
    return this;
  }

  @Override
  public ChannelFuture send(ByteBuf message) {
    Channel current = channel;
    if (current == null || !current.isActive() || !current.isWritable()) {
      // Not connected, or the peer stopped reading and the socket buffer is full: a heartbeat
      // queued behind stale ones would tell nothing, so drop it as UDP would.
      message.release();
      counters.unsent.increment();
      return null;
    }
    return current.writeAndFlush(message); // HeartbeatFraming's prepender adds the length

  }

  @Override
  public void peerHeard() {
    if (pendingAttempt != null && !closed) {
      pendingAttempt.cancel(false);
      connect(); // the peer is back: no need to wait out the backoff
    }
  }

  @Override
  public void close() {
    closed = true;
    if (pendingAttempt != null) {
      pendingAttempt.cancel(false);
    }
    if (channel != null) {
      channel.close();
    }
  }

  private void connect() {
    pendingAttempt = null;
    if (closed) {
      return;
    }
    counters.connectAttempts.increment();
    bootstrap.connect(peer.address).addListener((ChannelFuture attempt) -> {
      if (attempt.isSuccess()) {
        connected(attempt.channel());
      } else {
        failed(attempt.cause());
      }
    });
  }

  private void connected(Channel opened) {
    if (closed) {
      opened.close();
      return;
    }
    channel = opened;
    connectedAtNanos = System.nanoTime();
    opened.closeFuture().addListener(done -> disconnected());
  }

  private void disconnected() {
    channel = null;
    if (closed) {
      return;
    }
    if (System.nanoTime() - connectedAtNanos >= STABLE_NANOS) {
      failures = 0;
      connect();
    } else {
      scheduleRetry();
    }
  }

  private void failed(Throwable cause) {
    counters.connectFailures.increment();
    if (refusedIsFailure && cause instanceof ConnectException
        && !(cause instanceof ConnectTimeoutException)) {
      PeerState state = peer.handle.state();
      if ((state == PeerState.AVAILABLE || state == PeerState.SUSPECTED)
          && peer.handle.markFailed(TransitionReason.CONNECTION_REFUSED)) {
        counters.connectionClues.increment();
      }
    }
    scheduleRetry();
  }

  private void scheduleRetry() {
    if (closed) {
      return;
    }
    failures = Math.min(failures + 1, 64);
    pendingAttempt = eventLoop.schedule(this::connect, backoff.delayNanos(failures),
        TimeUnit.NANOSECONDS);
  }
}
