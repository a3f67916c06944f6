package dev.failuredetector;

/**
 * Exponentially weighted mean and variance of heartbeat intervals, without a window: three
 * numbers whatever the span ({@link IntervalEstimator#EWMA}).
 *
 * <p>Sample {@code k} (from 1) is folded in with weight {@code a = max(2 / (span + 1), 1 / k)}:
 * {@code d = x - mean; mean += a d; variance = (1 - a) (variance + a d^2)} (West's incremental
 * weighted variance, 1979). While {@code 1 / k} is the larger, that is exactly the running mean
 * and population variance of all samples so far, the window's answer; after that, each older
 * sample's weight decays by {@code 1 - a} per sample. Samples are clamped like {@link
 * HeartbeatHistory}'s. Nothing is subtracted, so nothing drifts: the variance stays {@code >= 0}.
 *
 * <p>Not thread-safe: one writer, as {@link HeartbeatHistory}.
 */
final class EwmaIntervals implements IntervalStatistics {

  private final double alpha;
  private final int span;
  /** Samples folded in, counted up to the span only (then the weight is alpha for good). */
  private int count;
  private double mean;
  private double variance;

  /** @throws IllegalArgumentException unless {@code 1 <= span <= HeartbeatHistory.MAX_CAPACITY} */
  EwmaIntervals(int span) {
    this.span = Preconditions.windowSize("window", span);
    this.alpha = 2.0 / (span + 1.0);
  }

  @Override
  public void add(long sampleNanos) {
    double sample = Math.max(-HeartbeatHistory.MAX_SAMPLE_NANOS,
        Math.min(HeartbeatHistory.MAX_SAMPLE_NANOS, sampleNanos));
    // 1 / k while that is the larger weight (k <= (span + 1) / 2), then alpha for good.
    double weight = alpha;
    if (count < span) {
      count++;
      weight = Math.max(alpha, 1.0 / count);
    }
    double delta = sample - mean;
    mean += weight * delta;
    variance = (1 - weight) * (variance + weight * delta * delta);
  }

  @Override
  public double mean() {
    return mean;
  }

  @Override
  public double stdDeviation() {
    return Math.sqrt(variance);
  }

  @Override
  public void clear() {
    count = 0;
    mean = 0;
    variance = 0;
  }
}
