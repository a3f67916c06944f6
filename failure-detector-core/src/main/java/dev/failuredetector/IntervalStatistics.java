package dev.failuredetector;

/**
 * What a phi accrual detector needs of its interval estimator: add a sample, read the mean and
 * the standard deviation, start over. One writer thread; {@link HeartbeatHistory} (the exact
 * window) and {@link EwmaIntervals} (windowless).
 */
sealed interface IntervalStatistics permits HeartbeatHistory, EwmaIntervals {

  /** Adds an interval, in nanoseconds. */
  void add(long sampleNanos);

  /** The mean, in nanoseconds; 0 with no sample. */
  double mean();

  /** The standard deviation, in nanoseconds; 0 with fewer than two samples. */
  double stdDeviation();

  /** Forgets every sample. */
  void clear();

  /** A new, empty {@code estimator} over {@code window} intervals (exact, or the EWMA's span). */
  static IntervalStatistics of(IntervalEstimator estimator, int window) {
    return estimator == IntervalEstimator.EWMA ? new EwmaIntervals(window)
        : new HeartbeatHistory(window);
  }
}
