package dev.failuredetector;

/**
 * How a phi accrual detector estimates the mean and deviation of a peer's heartbeat intervals
 * (the spec key {@code estimator}).
 *
 * <ul>
 *   <li>{@link #WINDOW}: the exact mean and variance of the last {@code window} intervals
 *       ({@link HeartbeatHistory}): Pekko's detector exactly, {@code 8 x window} bytes a peer.
 *   <li>{@link #EWMA}: exponentially weighted mean and variance, no samples kept (a few dozen
 *       bytes a peer, whatever the window): the first {@code (window + 1) / 2} intervals weigh
 *       equally (their exact mean and variance), each later one with weight {@code 2 / (window +
 *       1)}, the usual span convention, so old intervals fade over about {@code window}. It forgets a change
 *       of the interval gradually instead of all at once {@code window} heartbeats later.
 * </ul>
 */
public enum IntervalEstimator {
  /** The exact sliding window (default). */
  WINDOW,
  /** Exponentially weighted, windowless. */
  EWMA;

  /** As in the text form: {@code window} or {@code ewma}. */
  public String text() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Reads {@code window} or {@code ewma} (any case).
   *
   * @throws IllegalArgumentException naming the kind, the key and the value otherwise
   */
  static IntervalEstimator parse(String kind, String key, String value) {
    for (IntervalEstimator estimator : values()) {
      if (estimator.text().equalsIgnoreCase(value.trim())) {
        return estimator;
      }
    }
    throw new IllegalArgumentException(kind + " " + key + "=" + value
        + " is not window or ewma");
  }
}
