package dev.failuredetector.netty;

import java.util.SplittableRandom;

/**
 * When a node sends its heartbeat rounds: on a fixed-rate grid of slots {@code interval} apart,
 * counted from the first round, each round sent a random delay of up to {@code jitter x interval}
 * after its slot. The jitter moves each round's phase, never the grid, so the long-run mean
 * period is exactly the interval (a schedule that waits an interval after each round drifts: a
 * 20 ms setting gave 21.3 ms periods), while nodes started together still do not send in step.
 * A round that runs more than an interval late (a GC pause, a stopped process) skips the slots it
 * missed instead of sending a burst, and counts for the latest slot whose time has come: the slots
 * are numbered ({@link #currentSlot}), and messages are numbered by slot, so a skipped slot reads
 * at the receiver as a lost heartbeat (which sequence-based detectors are built for) rather than
 * as every later heartbeat arriving a pause late.
 *
 * <p>Not thread-safe: the node's event loop only.
 */
final class SendSchedule {

  private final long intervalNanos;
  private final long maxJitterNanos;
  private final SplittableRandom random;
  private long slotNanos;
  /** The index of the slot at {@link #slotNanos}, from 0. */
  private long slotIndex;
  private long skippedSlots;

  /** The first round is due at {@code firstSlotNanos}. */
  SendSchedule(long intervalNanos, double jitter, SplittableRandom random, long firstSlotNanos) {
    this.intervalNanos = intervalNanos;
    this.maxJitterNanos = (long) (jitter * intervalNanos);
    this.random = random;
    this.slotNanos = firstSlotNanos;
  }

  /**
   * The index (from 0) of the slot a round running at {@code nowNanos} counts for: the slot it was
   * scheduled for, or, if that was more than an interval ago, the latest slot whose time has come
   * (the ones in between are skipped).
   */
  long currentSlot(long nowNanos) {
    long late = nowNanos - slotNanos;
    if (late >= intervalNanos) {
      long missed = late / intervalNanos;
      skippedSlots += missed;
      slotIndex += missed;
      slotNanos += missed * intervalNanos;
    }
    return slotIndex;
  }

  /**
   * A round ran at {@code nowNanos}: returns how long to wait for the next one (never negative).
   */
  long nextDelayNanos(long nowNanos) {
    currentSlot(nowNanos);
    slotIndex++;
    slotNanos += intervalNanos;
    long jitter = maxJitterNanos > 0 ? random.nextLong(maxJitterNanos + 1) : 0;
    return Math.max(0, slotNanos + jitter - nowNanos);
  }

  /** Slots skipped because a round ran more than an interval late. */
  long skippedSlots() {
    return skippedSlots;
  }
}
