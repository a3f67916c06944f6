package dev.failuredetector.netty.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Connection limits for one listener that an attacker cannot fill: a bound on open connections
 * and on connections per source address, a deadline for the first complete message counted from
 * the accept (not from the first byte), and an idle timeout counted from the last complete
 * message (not the last byte), so trickling bytes buys nothing. At a bound a connection is closed
 * to make room, the newcomer always admitted; which one gives way depends on what a complete
 * message proves on this listener (heartbeats, where only a key holder can make progress, or
 * {@linkplain Builder#unauthenticated() health checks}, where anyone can), in the order
 * {@code ConnectionTable} documents: in short, connections that never made progress from sources
 * that never did go first, the source holding the most of them first, so neither a recording
 * replayed on many connections nor a flood of requests that complete can push out an honest peer,
 * a restarted one reconnecting, or a load balancer's check.
 *
 * <p>Add {@link #handler()} first in every accepted channel's pipeline and call {@link
 * #progress(Channel)} for each complete message that proves the connection useful: on a heartbeat
 * listener a fresh, authentic frame the node accepted (not merely a well-formed one: a replay is
 * well-formed), on a health listener a whole request. A guard serves the channels of one event loop
 * (a listener's children all share its loop): its state is that loop's alone. Counters are
 * readable from any thread.
 */
public final class ConnectionGuard {

  private static final AttributeKey<ConnectionGuard> GUARD =
      AttributeKey.valueOf(ConnectionGuard.class, "guard");

  private final String name;
  private final int maxConnections;
  private final int maxPerSource;
  private final long firstMessageNanos;
  private final long idleNanos;
  /** Event loop only. */
  private final ConnectionTable<Channel> table;
  private final Handler handler = new Handler();
  private volatile int openCount;
  private boolean sweeping;

  private final LongAdder evictedAtCapacity = new LongAdder();
  private final LongAdder evictedPerSource = new LongAdder();
  private final LongAdder closedNoFirstMessage = new LongAdder();
  private final LongAdder closedIdle = new LongAdder();

  private ConnectionGuard(Builder builder) {
    this.name = builder.name;
    this.maxConnections = builder.maxConnections;
    this.maxPerSource = builder.maxPerSource;
    this.firstMessageNanos = builder.firstMessageNanos;
    this.idleNanos = builder.idleNanos;
    // A newcomer that has not sent a whole message within a quarter of its deadline (1 s at
    // most) is slow: an honest client sends its request or heartbeat at once.
    this.table = new ConnectionTable<>(builder.proof,
        Math.min(TimeUnit.SECONDS.toNanos(1), builder.firstMessageNanos / 4));
  }

  /**
   * A builder for a heartbeat listener, where a complete message is an authentic, fresh frame;
   * {@code name} names the listener in error messages and {@link #toString()}. Defaults: 1,024
   * connections, 8 per source, first message within 5 s, idle 60 s.
   */
  public static Builder builder(String name) {
    return new Builder(Objects.requireNonNull(name, "name"));
  }

  /** The handler to add first in each accepted channel's pipeline ({@code @Sharable}). */
  public ChannelHandler handler() {
    return handler;
  }

  /**
   * A complete message that proves the connection useful arrived on {@code channel} (see the
   * class comment): it is not idle, and its source has made progress. Does nothing for a channel
   * no guard admitted. Call on the channel's event loop.
   */
  public static void progress(Channel channel) {
    ConnectionGuard guard = channel.hasAttr(GUARD) ? channel.attr(GUARD).get() : null;
    if (guard != null) {
      guard.table.progress(channel, System.nanoTime());
    }
  }

  /**
   * Closes every connection this guard admitted (a listener shutting down: closing the listening
   * socket leaves its accepted ones open). Call on the event loop.
   */
  public void closeAll() {
    for (Channel channel : table.all()) {
      forget(channel);
      channel.close();
    }
  }

  /** Connections open now. */
  public int open() {
    return openCount;
  }

  /** Connections closed to admit a newcomer when {@code maxConnections} were open. */
  public long evictedAtCapacity() {
    return evictedAtCapacity.sum();
  }

  /** Connections closed to admit a newcomer from a source that had {@code maxPerSource} open. */
  public long evictedPerSource() {
    return evictedPerSource.sum();
  }

  /** Connections closed because no complete message arrived within the first-message deadline. */
  public long closedNoFirstMessage() {
    return closedNoFirstMessage.sum();
  }

  /** Connections closed because no complete message arrived for the idle timeout. */
  public long closedIdle() {
    return closedIdle.sum();
  }

  private void admit(ChannelHandlerContext ctx) {
    Channel channel = ctx.channel();
    long now = System.nanoTime();
    InetAddress source = channel.remoteAddress() instanceof InetSocketAddress address
        ? address.getAddress() : null;
    if (table.fromSource(source) >= maxPerSource) {
      Channel victim = table.victim(source, now);
      if (victim != null) {
        evictedPerSource.increment();
        forget(victim);
        victim.close();
      }
    }
    if (table.size() >= maxConnections) {
      Channel victim = table.victim(null, now);
      if (victim != null) {
        evictedAtCapacity.increment();
        forget(victim);
        victim.close();
      }
    }
    table.add(channel, source, now);
    openCount = table.size();
    channel.attr(GUARD).set(this);
    channel.closeFuture().addListener(done -> forget(channel));
    if (!sweeping) {
      sweeping = true;
      long period = Math.max(TimeUnit.MILLISECONDS.toNanos(20),
          Math.min(firstMessageNanos, idleNanos) / 4);
      ctx.executor().scheduleAtFixedRate(this::sweep, period, period, TimeUnit.NANOSECONDS);
    }
  }

  private void forget(Channel channel) {
    if (table.remove(channel)) {
      openCount = table.size();
    }
  }

  /** Closes the connections past their deadline. */
  private void sweep() {
    List<Channel> expired = table.expired(System.nanoTime(), firstMessageNanos, idleNanos,
        never -> (never ? closedNoFirstMessage : closedIdle).increment());
    openCount = table.size();
    for (Channel channel : expired) {
      channel.close();
    }
  }

  @Override
  public String toString() {
    return "ConnectionGuard[" + name + ", open=" + openCount + ", max=" + maxConnections
        + ", perSource=" + maxPerSource + "]";
  }

  @ChannelHandler.Sharable
  private final class Handler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      admit(ctx);
      ctx.fireChannelActive();
    }
  }

  /** Settings of a {@link ConnectionGuard}; each setter checks its value at once. */
  public static final class Builder {
    private final String name;
    private ConnectionTable.Proof proof = ConnectionTable.Proof.AUTHENTICATED;
    private int maxConnections = 1024;
    private int maxPerSource = 8;
    private long firstMessageNanos = Duration.ofSeconds(5).toNanos();
    private long idleNanos = Duration.ofSeconds(60).toNanos();

    private Builder(String name) {
      this.name = name;
    }

    /**
     * A complete message on this listener proves nothing about who sent it (a health check:
     * anyone can complete a request): at a bound, a connection that was answered and waits idle
     * gives way before a newcomer that has had no time to send its request yet. The default is a
     * heartbeat listener, where only a key holder can make progress and so progress is trusted.
     */
    public Builder unauthenticated() {
      this.proof = ConnectionTable.Proof.UNAUTHENTICATED;
      return this;
    }

    /**
     * Most connections open at once; default 1,024.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxConnections(int maxConnections) {
      if (maxConnections < 1) {
        throw new IllegalArgumentException(
            name + " maxConnections must be at least 1, got " + maxConnections);
      }
      this.maxConnections = maxConnections;
      return this;
    }

    /**
     * Most connections open at once from one source address; default 8.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxPerSource(int maxPerSource) {
      if (maxPerSource < 1) {
        throw new IllegalArgumentException(
            name + " maxPerSource must be at least 1, got " + maxPerSource);
      }
      this.maxPerSource = maxPerSource;
      return this;
    }

    /**
     * How long after the accept the first complete message must arrive; default 5 s.
     *
     * @throws IllegalArgumentException if not between 10 ms and 1 h
     */
    public Builder firstMessageDeadline(Duration deadline) {
      this.firstMessageNanos = between("firstMessageDeadline", deadline);
      return this;
    }

    /**
     * How long a connection may go without a complete message; default 60 s.
     *
     * @throws IllegalArgumentException if not between 10 ms and 1 h
     */
    public Builder idleTimeout(Duration timeout) {
      this.idleNanos = between("idleTimeout", timeout);
      return this;
    }

    private long between(String setting, Duration value) {
      Objects.requireNonNull(value, setting);
      if (value.compareTo(Duration.ofMillis(10)) < 0 || value.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException(
            name + " " + setting + " must be between 10 ms and 1 h, got " + value);
      }
      return value.toNanos();
    }

    /** A new guard. */
    public ConnectionGuard build() {
      return new ConnectionGuard(this);
    }
  }
}
