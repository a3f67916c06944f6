package dev.failuredetector;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;

/**
 * Hands each transition to every listener's {@link ListenerDelivery}, and counts what the
 * deliveries fold (coalesce) or see fail. Thread-safe; {@link #publish} is called under the
 * peer's monitor, so each peer's transitions reach every delivery in order.
 */
final class TransitionPublisher<K> {

  private final Executor executor;
  private final int queueCapacity;
  private final CopyOnWriteArrayList<ListenerDelivery<K>> deliveries = new CopyOnWriteArrayList<>();
  private final LongAdder coalesced = new LongAdder();
  private final LongAdder failures = new LongAdder();

  TransitionPublisher(Executor executor, int queueCapacity) {
    this.executor = executor;
    this.queueCapacity = queueCapacity;
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
