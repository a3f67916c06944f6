package dev.failuredetector;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers transitions to one listener, each peer's in order, one at a time, on an executor
 * (at most one drain task runs). Up to {@code capacity} transitions queue as they are; past that,
 * each peer's further transitions are coalesced into one pending entry (its latest transition and
 * how many it replaced), so the backlog is bounded by the number of peers and the listener's last
 * word on every peer is the registry's. A listener that throws is logged once and keeps receiving.
 *
 * <p>Order per peer: a transition joins the plain queue only while its peer has no pending
 * entry, and the drain empties the plain queue before taking pending entries, so a peer's queued
 * transitions always come before its pending one. {@link #deliver} for one peer is called under
 * that peer's monitor (one producer per key at a time).
 */
final class ListenerDelivery<K> implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(FailureDetectorRegistry.class);

  /** A peer's coalesced transitions: the first one's {@code from}, the latest one, and a count. */
  private record Pending<K>(PeerState from, PeerTransition<K> latest, int skipped) {
    PeerTransition<K> merged() {
      return new PeerTransition<>(latest.key(), from, latest.to(), latest.reason(),
          latest.atNanos(), latest.falseSuspicion(), skipped);
    }
  }

  final PeerStateListener<K> listener;
  private final Executor executor;
  private final int capacity;
  private final ConcurrentLinkedQueue<PeerTransition<K>> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final ConcurrentHashMap<K, Pending<K>> pending = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<K> pendingOrder = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicBoolean failureLogged = new AtomicBoolean();
  private final LongAdder coalesced;
  private final LongAdder failures;

  ListenerDelivery(PeerStateListener<K> listener, Executor executor, int capacity,
      LongAdder coalesced, LongAdder failures) {
    this.listener = listener;
    this.executor = executor;
    this.capacity = capacity;
    this.coalesced = coalesced;
    this.failures = failures;
  }

  /** Caller holds the monitor of {@code transition.key()}'s peer. */
  void deliver(PeerTransition<K> transition) {
    K key = transition.key();
    Pending<K> earlier = pending.get(key);
    if (earlier == null && queued.incrementAndGet() <= capacity) {
      queue.offer(transition);
    } else {
      if (earlier == null) {
        queued.decrementAndGet();
      }
      coalesce(key, transition);
    }
    scheduleDrain();
  }

  private void coalesce(K key, PeerTransition<K> transition) {
    boolean[] added = new boolean[1];
    pending.compute(key, (k, earlier) -> {
      if (earlier == null) {
        added[0] = true;
        return new Pending<>(transition.from(), transition, 0);
      }
      coalesced.increment();
      if (earlier.from() == PeerState.REMOVED && transition.to() == PeerState.REMOVED) {
        // Registered and removed again before the listener heard of it: it need never know.
        coalesced.increment();
        return null;
      }
      return new Pending<>(earlier.from(), transition, earlier.skipped() + 1);
    });
    if (added[0]) {
      pendingOrder.offer(key);
    }
  }

  private void scheduleDrain() {
    if (draining.compareAndSet(false, true)) {
      try {
        executor.execute(this);
      } catch (RejectedExecutionException e) {
        draining.set(false); // closed: the transitions stay undelivered
      }
    }
  }

  @Override
  public void run() {
    try {
      for (PeerTransition<K> next; (next = nextTransition()) != null; ) {
        call(next);
      }
    } finally {
      draining.set(false);
      if (!queue.isEmpty() || !pendingOrder.isEmpty()) {
        scheduleDrain(); // a transition arrived after the last poll
      }
    }
  }

  /** The plain queue first, then pending entries (see the class comment for why). */
  private PeerTransition<K> nextTransition() {
    PeerTransition<K> next = queue.poll();
    if (next != null) {
      queued.decrementAndGet();
      return next;
    }
    for (K key; (key = pendingOrder.poll()) != null; ) {
      Pending<K> entry = pending.remove(key);
      if (entry != null) { // null: cancelled (registered and removed unseen)
        return entry.merged();
      }
    }
    return null;
  }

  private void call(PeerTransition<K> transition) {
    try {
      listener.onTransition(transition);
    } catch (RuntimeException | Error e) {
      failures.increment();
      if (failureLogged.compareAndSet(false, true)) {
        LOG.warn("Peer state listener {} threw; it keeps receiving transitions, further failures"
            + " are only counted", listener, e);
      }
    }
  }
}
