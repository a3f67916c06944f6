package dev.failuredetector.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Connection limits for one listener that an attacker cannot fill: a bound on open connections
 * and on connections per source address, a deadline for the first complete message counted from
 * the accept (not from the first byte), and an idle timeout counted from the last complete
 * message (not the last byte), so trickling bytes buys nothing. At a bound a connection is closed
 * to make room, the newcomer always admitted: the oldest one that never completed a message, or,
 * if every one did, the one idle the longest. An honest client (a peer sending a heartbeat each
 * interval, a load balancer's check) completes messages; an attacker without the key completes
 * none, so however fast it connects it only ever evicts its own connections.
 *
 * <p>Add {@link #handler()} first in every accepted channel's pipeline and call {@link
 * #progress(Channel)} for each complete, well-formed message. A guard serves the channels of one
 * event loop (a listener's children all share its loop): its state is that loop's alone. Counters
 * are readable from any thread.
 */
public final class ConnectionGuard {

  private static final AttributeKey<ConnectionGuard> GUARD =
      AttributeKey.valueOf(ConnectionGuard.class, "guard");

  /** One admitted connection. */
  private static final class Entry {
    final InetAddress source;
    final long acceptedNanos;
    long lastProgressNanos;
    boolean progressed;

    Entry(InetAddress source, long nowNanos) {
      this.source = source;
      this.acceptedNanos = nowNanos;
    }
  }

  private final String name;
  private final int maxConnections;
  private final int maxPerSource;
  private final long firstMessageNanos;
  private final long idleNanos;
  /** Event loop only; in order of last progress (the head is the longest idle). */
  private final LinkedHashMap<Channel, Entry> open = new LinkedHashMap<>(64, 0.75f, true);
  private final Map<InetAddress, Integer> perSource = new HashMap<>();
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
  }

  /**
   * A builder; {@code name} names the listener in error messages and {@link #toString()}.
   * Defaults: 1,024 connections, 8 per source, first message within 5 s, idle 60 s.
   */
  public static Builder builder(String name) {
    return new Builder(Objects.requireNonNull(name, "name"));
  }

  /** The handler to add first in each accepted channel's pipeline ({@code @Sharable}). */
  public ChannelHandler handler() {
    return handler;
  }

  /**
   * A complete, well-formed message arrived on {@code channel}: it is not idle. Does nothing for
   * a channel no guard admitted. Call on the channel's event loop.
   */
  public static void progress(Channel channel) {
    ConnectionGuard guard = channel.hasAttr(GUARD) ? channel.attr(GUARD).get() : null;
    if (guard != null) {
      Entry entry = guard.open.get(channel); // access order: moves it to the tail
      if (entry != null) {
        entry.progressed = true;
        entry.lastProgressNanos = System.nanoTime();
      }
    }
  }

  /**
   * Closes every connection this guard admitted (a listener shutting down: closing the listening
   * socket leaves its accepted ones open). Call on the event loop.
   */
  public void closeAll() {
    for (Channel channel : new ArrayList<>(open.keySet())) {
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
    int fromSource = perSource.getOrDefault(source, 0);
    if (fromSource >= maxPerSource) {
      Channel victim = longestIdle(source);
      if (victim != null) {
        evictedPerSource.increment();
        forget(victim);
        victim.close();
      }
    }
    if (open.size() >= maxConnections) {
      Channel victim = longestIdle(null);
      if (victim != null) {
        evictedAtCapacity.increment();
        forget(victim);
        victim.close();
      }
    }
    open.put(channel, new Entry(source, now));
    perSource.merge(source, 1, Integer::sum);
    openCount = open.size();
    channel.attr(GUARD).set(this);
    channel.closeFuture().addListener(done -> forget(channel));
    if (!sweeping) {
      sweeping = true;
      long period = Math.max(TimeUnit.MILLISECONDS.toNanos(20),
          Math.min(firstMessageNanos, idleNanos) / 4);
      ctx.executor().scheduleAtFixedRate(this::sweep, period, period, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * The connection to close for a newcomer, of {@code source} (any when null): the oldest that
   * never completed a message if there is one (an attacker without the key can complete none, so
   * it can never evict a peer that sends), else the one idle the longest; null if none.
   */
  private Channel longestIdle(InetAddress source) {
    Channel idlest = null;
    for (Map.Entry<Channel, Entry> candidate : open.entrySet()) {
      Entry entry = candidate.getValue();
      if (source != null && !source.equals(entry.source)) {
        continue;
      }
      if (!entry.progressed) {
        return candidate.getKey();
      }
      if (idlest == null) {
        idlest = candidate.getKey();
      }
    }
    return idlest;
  }

  private void forget(Channel channel) {
    Entry entry = open.remove(channel);
    if (entry != null) {
      perSource.computeIfPresent(entry.source, (s, n) -> n == 1 ? null : n - 1);
      openCount = open.size();
    }
  }

  /** Closes the connections past their deadline. */
  private void sweep() {
    long now = System.nanoTime();
    List<Channel> expired = new ArrayList<>();
    for (Iterator<Map.Entry<Channel, Entry>> it = open.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Channel, Entry> candidate = it.next();
      Entry entry = candidate.getValue();
      if (entry.progressed ? now - entry.lastProgressNanos >= idleNanos
          : now - entry.acceptedNanos >= firstMessageNanos) {
        (entry.progressed ? closedIdle : closedNoFirstMessage).increment();
        expired.add(candidate.getKey());
      }
    }
    for (Channel channel : expired) {
      forget(channel);
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
    private int maxConnections = 1024;
    private int maxPerSource = 8;
    private long firstMessageNanos = Duration.ofSeconds(5).toNanos();
    private long idleNanos = Duration.ofSeconds(60).toNanos();

    private Builder(String name) {
      this.name = name;
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
