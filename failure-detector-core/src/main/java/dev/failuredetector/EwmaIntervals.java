package dev.failuredetector;

/**
 * The rule of the windowless interval estimator ({@link IntervalEstimator#EWMA}): an exponentially
 * weighted mean and variance of heartbeat intervals, three numbers whatever the span. The numbers
 * live in the detector that uses them ({@link PhiAccrualFailureDetector}), not in an object of
 * their own, so that a heartbeat reads one object.
 *
 * <p>Sample {@code k} (from 1) is folded in with weight {@code a = max(2 / (span + 1), 1 / k)}:
 * {@code d = x - mean; mean += a d; variance = (1 - a) (variance + a d^2)} (West's incremental
 * weighted variance, 1979). While {@code 1 / k} is the larger, that is exactly the running mean
 * and population variance of all samples so far, the window's answer; after that, each older
 * sample's weight decays by {@code 1 - a} per sample. Samples are clamped like {@link
 * HeartbeatHistory}'s. Nothing is subtracted, so nothing drifts: the variance stays {@code >= 0}.
 */
final class EwmaIntervals {

  private EwmaIntervals() {}

  /**
   * The weight samples settle at, {@code 2 / (span + 1)}.
   *
   * @throws IllegalArgumentException unless {@code 1 <= span <= HeartbeatHistory.MAX_CAPACITY}
   */
  static double alpha(int span) {
    return 2.0 / (Preconditions.windowSize("window", span) + 1.0);
  }

  /** The weight of sample {@code k} (from 1; past the span, {@code alpha} for good). */
  static double weight(double alpha, int k) {
    return Math.max(alpha, 1.0 / k);
  }

  /** A sample clamped as {@link HeartbeatHistory} clamps it. */
  static double clamp(long sampleNanos) {
    return Math.max(-HeartbeatHistory.MAX_SAMPLE_NANOS,
        Math.min(HeartbeatHistory.MAX_SAMPLE_NANOS, sampleNanos));
  }

  /** The variance after folding in a sample {@code delta} from the old mean, with {@code weight}. */
  static double nextVariance(double variance, double weight, double delta) {
    return (1 - weight) * (variance + weight * delta * delta);
  }
}
