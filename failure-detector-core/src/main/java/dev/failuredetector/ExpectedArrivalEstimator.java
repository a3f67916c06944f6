package dev.failuredetector;

/**
 * Chen, Toueg and Aguilera's estimate of when the next heartbeat will arrive, from the last n
 * arrivals and their sequence numbers (NFD-E, [1] in {@link ChenFailureDetector}):
 * <pre>  EA(l+1) = (1/n) * sum over the window of (A_i - eta * s_i)  +  (l+1) * eta</pre>
 * where A_i is the arrival time of heartbeat number s_i, eta the sender's interval and l the
 * highest sequence number received. Each arrival is kept as its offset from the sending schedule,
 * {@code d_i = A_i - eta * s_i}, so a lost heartbeat (a gap in the numbers) does not skew the
 * estimate the way a long inter-arrival interval would.
 *
 * <p>Offsets are stored relative to a reference point that moves rarely, so that they stay small:
 * when the newest offset drifts beyond 2<sup>40</sup> ns (a sender whose real interval differs from
 * eta), the window is re-based on the previous heartbeat in O(n). Arithmetic saturates, so absurd
 * sequence jumps cannot overflow.
 *
 * <p>Not thread-safe: owned by one detector's writer thread.
 */
final class ExpectedArrivalEstimator {

  private static final long REBASE_LIMIT_NANOS = 1L << 40;

  private final long intervalNanos;
  private final HeartbeatHistory offsets;
  private long lastSequence;
  private long lastArrivalNanos;
  private long lastOffsetNanos;

  ExpectedArrivalEstimator(long intervalNanos, int windowSize) {
    this.intervalNanos = intervalNanos;
    this.offsets = new HeartbeatHistory(windowSize);
  }

  /** Starts over from a first heartbeat. */
  void start(long sequence, long arrivalNanos) {
    offsets.clear();
    offsets.add(0);
    lastSequence = sequence;
    lastArrivalNanos = arrivalNanos;
    lastOffsetNanos = 0;
  }

  /** Records heartbeat {@code sequence}, which must be above the last one recorded. */
  void record(long sequence, long arrivalNanos) {
    long delta = offsetChange(sequence, arrivalNanos);
    long offset = Saturating.add(lastOffsetNanos, delta);
    if (Math.abs(offset) > REBASE_LIMIT_NANOS) {
      // Re-base on the previous heartbeat: every stored offset moves by the same amount, so the
      // differences that the estimate depends on are unchanged.
      offsets.shiftAll(-lastOffsetNanos);
      offset = delta;
    }
    offsets.add(offset);
    lastOffsetNanos = offsets.newest(); // as clamped by the history
    lastSequence = sequence;
    lastArrivalNanos = arrivalNanos;
  }

  /**
   * Returns the expected arrival of heartbeat {@code sequence} (above the last one), minus the
   * last arrival time; negative when the last heartbeat was later than the schedule predicts.
   */
  long expectedDelayNanos(long sequence) {
    long scheduled = Saturating.multiply(intervalNanos, sequence - lastSequence);
    long drift = Math.round(offsets.mean() - lastOffsetNanos);
    return Saturating.add(scheduled, drift);
  }

  /** Returns the expected arrival of the next heartbeat minus the last arrival time. */
  long expectedNextDelayNanos() {
    return expectedDelayNanos(lastSequence + 1);
  }

  /** (A - A_last) - eta * (s - s_last): how much later than scheduled, relative to the last one. */
  private long offsetChange(long sequence, long arrivalNanos) {
    long scheduled = Saturating.multiply(intervalNanos, sequence - lastSequence);
    return Saturating.add(arrivalNanos - lastArrivalNanos, Saturating.negate(scheduled));
  }
}
