package dev.failuredetector;

import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a registry's timer when it must not blame peers: when the timer itself ran late by more
 * than {@code threshold} (a GC pause, CPU starvation, the process stopped), the time it was frozen
 * is not the peers' fault, and heartbeats that arrived meanwhile may still be queued unread. New
 * suspicions are then held for {@code grace}; the pause is counted and logged once.
 *
 * <p>Written by the timer thread only; the counters and {@link #isHolding()} are read by any
 * thread.
 */
final class LocalPauseGuard {

  private static final Logger LOG = LoggerFactory.getLogger(FailureDetectorRegistry.class);

  private final long thresholdNanos;
  private final long graceNanos;
  private final LongAdder pauses = new LongAdder();
  private long holdUntilNanos;
  private volatile boolean holding;

  /** @param graceNanos zero turns the guard off */
  LocalPauseGuard(long thresholdNanos, long graceNanos, long nowNanos) {
    this.thresholdNanos = thresholdNanos;
    this.graceNanos = graceNanos;
    this.holdUntilNanos = nowNanos;
  }

  /** Timer thread, once per tick: the tick ran {@code lagNanos} later than its schedule. */
  void tick(long lagNanos, long nowNanos) {
    if (lagNanos > thresholdNanos && graceNanos > 0) {
      pauses.increment();
      holdUntilNanos = nowNanos + graceNanos;
      holding = true;
      LOG.warn("Failure detector timer ran {} ms late (GC pause, CPU starvation or a stopped"
          + " process?); holding new suspicions for {} ms so that heartbeats received meanwhile"
          + " are read first", lagNanos / 1_000_000, graceNanos / 1_000_000);
    } else if (holding && nowNanos - holdUntilNanos >= 0) {
      holding = false;
    }
  }

  /**
   * Timer thread: the time until which a suspicion due at {@code nowNanos} must wait, or {@code
   * nowNanos} itself if it need not.
   */
  long holdSuspicionUntil(long nowNanos) {
    return holding && nowNanos - holdUntilNanos < 0 ? holdUntilNanos : nowNanos;
  }

  /** Whether new suspicions are being held now. */
  boolean isHolding() {
    return holding;
  }

  /** Local pauses seen. */
  long pauses() {
    return pauses.sum();
  }
}
