package dev.failuredetector;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Delivers transitions to one listener, in order, one at a time, on an executor: a bounded queue
 * drained by at most one task. A listener that throws is logged once and keeps receiving; one that
 * blocks holds only its own queue, which past its capacity drops (and counts) new transitions.
 */
final class ListenerDelivery<K> implements Runnable {

  private static final System.Logger LOG = System.getLogger(FailureDetectorRegistry.class.getName());

  final PeerStateListener<K> listener;
  private final Executor executor;
  private final int capacity;
  private final ConcurrentLinkedQueue<PeerTransition<K>> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicBoolean failureLogged = new AtomicBoolean();
  private final LongAdder dropped;
  private final LongAdder failures;

  ListenerDelivery(PeerStateListener<K> listener, Executor executor, int capacity,
      LongAdder dropped, LongAdder failures) {
    this.listener = listener;
    this.executor = executor;
    this.capacity = capacity;
    this.dropped = dropped;
    this.failures = failures;
  }

  void deliver(PeerTransition<K> transition) {
    if (queued.incrementAndGet() > capacity) {
      queued.decrementAndGet();
      dropped.increment();
      return;
    }
    queue.offer(transition);
    scheduleDrain();
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
      PeerTransition<K> transition;
      while ((transition = queue.poll()) != null) {
        queued.decrementAndGet();
        try {
          listener.onTransition(transition);
        } catch (RuntimeException | Error e) {
          failures.increment();
          if (failureLogged.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "Peer state listener " + listener
                + " threw; it keeps receiving transitions, further failures are only counted", e);
          }
        }
      }
    } finally {
      draining.set(false);
      if (!queue.isEmpty()) {
        scheduleDrain(); // a transition arrived after the last poll
      }
    }
  }
}
