package dev.failuredetector;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Hands each transition to every listener's {@link ListenerDelivery}, and counts what the
 * deliveries fold (coalesce) or see fail. Thread-safe; {@link #publish} is called under the
 * peer's monitor, so each peer's transitions reach every delivery in order.
 */
final class TransitionPublisher<K> {

  private final Executor executor;
  /** The pool made for want of an executor, shut down by {@link #close}; null otherwise. */
  private final ExecutorService owned;
  private final int queueCapacity;
  private final CopyOnWriteArrayList<ListenerDelivery<K>> deliveries = new CopyOnWriteArrayList<>();
  private final LongAdder coalesced = new LongAdder();
  private final LongAdder failures = new LongAdder();

  /**
   * Delivers on {@code executor}, or, if it is null, on a pool of daemon threads named {@code
   * threadPrefix-N} that {@link #close} shuts down.
   */
  TransitionPublisher(Executor executor, String threadPrefix, int queueCapacity) {
    if (executor == null) {
      AtomicInteger count = new AtomicInteger();
      this.owned = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, threadPrefix + count.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      });
      this.executor = owned;
    } else {
      this.owned = null;
      this.executor = executor;
    }
    this.queueCapacity = queueCapacity;
  }

  /** Stops the pool this made, if it made one (queued transitions are not delivered). */
  void close() {
    if (owned != null) {
      owned.shutdownNow();
    }
  }

  void add(PeerStateListener<K> listener) {
    deliveries.add(new ListenerDelivery<>(listener, executor, queueCapacity, coalesced, failures));
  }

  boolean remove(PeerStateListener<K> listener) {
    return deliveries.removeIf(delivery -> delivery.listener == listener);
  }

  void publish(PeerTransition<K> transition) {
    for (ListenerDelivery<K> delivery : deliveries) {
      delivery.deliver(transition);
    }
  }

  /** Transitions folded into a later one because a listener fell behind. */
  long coalesced() {
    return coalesced.sum();
  }

  /** Transitions whose listener threw. */
  long failures() {
    return failures.sum();
  }
}
