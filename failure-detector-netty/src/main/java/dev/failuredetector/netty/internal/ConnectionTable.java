package dev.failuredetector.netty.internal;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bookkeeping behind a {@link ConnectionGuard}, free of Netty so it can be tested with a
 * manual clock: which connections are open, from which source, when each was accepted and last
 * made progress, which sources have made progress before, and so which connection a newcomer
 * closes when the listener is full ({@link #victim}).
 *
 * <p><b>Who gives way.</b> Every newcomer is admitted; at a bound one open connection is closed for
 * it. What a completed message proves differs by listener ({@link Proof}), and so does the order:
 * <ul>
 *   <li>{@link Proof#AUTHENTICATED} (heartbeats: progress is a fresh frame only a key holder can
 *   make): first a connection that never made progress, from a source that never did either, taken
 *   from the source holding the most such connections (so many connections from a few sources
 *   cannot push out one from another source), oldest first; then one that never made progress from
 *   a source that has (a restarted peer reconnecting from its old address); last, one that made
 *   progress, the longest idle. A recording replayed on any number of connections makes no
 *   progress, so it only ever evicts its own kind.
 *   <li>{@link Proof#UNAUTHENTICATED} (health checks: anyone can complete a request): first a
 *   connection that has had its {@code grace} to send a whole message and did not (slow), from the
 *   source holding the most, oldest first; then one that was answered and waits idle (keep-alive),
 *   the longest idle, as a client loses only a reconnect; then a newcomer still within its grace
 *   from a source never answered before; last a newcomer from a source answered before (a load
 *   balancer's check connection, which sends its request at once). So a flood of requests that
 *   complete cannot close a check connection before its request is read.
 * </ul>
 *
 * <p>Not thread-safe: one event loop. A scan per admission at the bound costs O(open connections).
 *
 * @param <C> the connection handle
 */
final class ConnectionTable<C> {

  /** What a completed message on a listener proves about the connection that sent it. */
  enum Proof {
    /** Only a holder of the key can complete one: progress is trusted. */
    AUTHENTICATED,
    /** Anyone can complete one: progress shows a working client, not a trusted one. */
    UNAUTHENTICATED
  }

  /** Sources remembered as having made progress. */
  static final int REMEMBERED_SOURCES = 4096;

  /** One open connection. */
  private static final class Entry {
    final InetAddress source;
    final long acceptedNanos;
    long lastProgressNanos;
    boolean progressed;

    Entry(InetAddress source, long acceptedNanos) {
      this.source = source;
      this.acceptedNanos = acceptedNanos;
    }
  }

  private final Proof proof;
  private final long graceNanos;
  /** In order of last progress: the head is the longest idle (never-progressed ones by age). */
  private final LinkedHashMap<C, Entry> open = new LinkedHashMap<>(64, 0.75f, true);
  private final Map<InetAddress, Integer> perSource = new HashMap<>();
  /** Connections that never made progress, per source. */
  private final Map<InetAddress, Integer> unprovenPerSource = new HashMap<>();
  /** Sources that made progress before, least recently first; bounded. */
  private final LinkedHashMap<InetAddress, Boolean> provenSources =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, Boolean> eldest) {
          return size() > REMEMBERED_SOURCES;
        }
      };

  /**
   * @param graceNanos how long a newcomer has to complete its first message before it counts as
   *     slow ({@link Proof#UNAUTHENTICATED} only)
   */
  ConnectionTable(Proof proof, long graceNanos) {
    this.proof = proof;
    this.graceNanos = graceNanos;
  }

  int size() {
    return open.size();
  }

  /** Connections open from {@code source}. */
  int fromSource(InetAddress source) {
    return perSource.getOrDefault(source, 0);
  }

  /** Records a newly accepted connection. */
  void add(C connection, InetAddress source, long nowNanos) {
    open.put(connection, new Entry(source, nowNanos));
    perSource.merge(source, 1, Integer::sum);
    unprovenPerSource.merge(source, 1, Integer::sum);
  }

  /** A complete message proved {@code connection} useful; false if it is not in the table. */
  boolean progress(C connection, long nowNanos) {
    Entry entry = open.get(connection); // access order: moves it to the tail
    if (entry == null) {
      return false;
    }
    if (!entry.progressed) {
      entry.progressed = true;
      decrement(unprovenPerSource, entry.source);
    }
    entry.lastProgressNanos = nowNanos;
    if (entry.source != null) {
      provenSources.put(entry.source, Boolean.TRUE);
    }
    return true;
  }

  /** Forgets {@code connection}; false if it was not in the table. */
  boolean remove(C connection) {
    Entry entry = open.remove(connection);
    if (entry == null) {
      return false;
    }
    decrement(perSource, entry.source);
    if (!entry.progressed) {
      decrement(unprovenPerSource, entry.source);
    }
    return true;
  }

  /** Whether {@code source} made progress on some connection before (remembered boundedly). */
  boolean proven(InetAddress source) {
    return source != null && provenSources.containsKey(source);
  }

  /**
   * The connection to close for a newcomer, as the class comment orders them; among those of
   * {@code source} only when it is not null (the newcomer's source is at its own bound). Null if
   * there is none.
   */
  C victim(InetAddress source, long nowNanos) {
    int ranks = 4;
    @SuppressWarnings("unchecked")
    C[] best = (C[]) new Object[ranks];
    int[] bestCount = new int[ranks];
    for (Map.Entry<C, Entry> candidate : open.entrySet()) {
      Entry entry = candidate.getValue();
      if (source != null && !source.equals(entry.source)) {
        continue;
      }
      int rank = rank(entry, nowNanos);
      int count = entry.progressed ? 0 : unprovenPerSource.getOrDefault(entry.source, 0);
      // Iteration runs oldest (or longest idle) first: the first of the largest count wins.
      if (best[rank] == null || count > bestCount[rank]) {
        best[rank] = candidate.getKey();
        bestCount[rank] = count;
      }
    }
    for (C victim : best) {
      if (victim != null) {
        return victim;
      }
    }
    return null;
  }

  /** 0 gives way first. */
  private int rank(Entry entry, long nowNanos) {
    boolean provenSource = proven(entry.source);
    if (proof == Proof.AUTHENTICATED) {
      if (!entry.progressed) {
        return provenSource ? 1 : 0;
      }
      return 2;
    }
    if (!entry.progressed) {
      if (nowNanos - entry.acceptedNanos >= graceNanos) {
        return 0;
      }
      return provenSource ? 3 : 2;
    }
    return 1;
  }

  /**
   * Removes and returns the connections past their deadline: no progress within {@code
   * firstMessageNanos} of the accept, or none for {@code idleNanos} since the last.
   *
   * @param neverProgressed told of each expired connection: whether it had never made progress
   */
  List<C> expired(long nowNanos, long firstMessageNanos, long idleNanos,
      java.util.function.Consumer<Boolean> neverProgressed) {
    List<C> expired = new ArrayList<>();
    for (Iterator<Map.Entry<C, Entry>> it = open.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<C, Entry> candidate = it.next();
      Entry entry = candidate.getValue();
      if (entry.progressed ? nowNanos - entry.lastProgressNanos >= idleNanos
          : nowNanos - entry.acceptedNanos >= firstMessageNanos) {
        neverProgressed.accept(!entry.progressed);
        expired.add(candidate.getKey());
      }
    }
    for (C connection : expired) {
      remove(connection);
    }
    return expired;
  }

  /** Every open connection (a copy). */
  List<C> all() {
    return new ArrayList<>(open.keySet());
  }

  private static void decrement(Map<InetAddress, Integer> counts, InetAddress source) {
    counts.computeIfPresent(source, (s, n) -> n == 1 ? null : n - 1);
  }
}
