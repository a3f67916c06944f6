package dev.failuredetector.qos;

import java.time.Duration;
import java.util.Objects;

/**
 * What an operator asks of a detector: either at most so many wrong suspicions (mistake rate),
 * with detection as fast as possible, or detection within a time (99th percentile), with as few
 * mistakes as possible.
 */
public sealed interface QosTarget {

  /** At most {@code perDay} mistakes a day; then the fastest mean detection. */
  record MaxMistakesPerDay(double perDay) implements QosTarget {
    public MaxMistakesPerDay {
      if (!(perDay >= 0) || Double.isInfinite(perDay)) {
        throw new IllegalArgumentException("mistakes per day must be a finite number >= 0, got "
            + perDay);
      }
    }
  }

  /** The 99th percentile of detection time at most {@code limit}; then the fewest mistakes. */
  record MaxDetectionTime(Duration limit) implements QosTarget {
    public MaxDetectionTime {
      Objects.requireNonNull(limit, "limit");
      if (limit.isNegative() || limit.isZero()) {
        throw new IllegalArgumentException("detection time must be > 0, got " + limit);
      }
    }
  }

  static QosTarget maxMistakesPerDay(double perDay) {
    return new MaxMistakesPerDay(perDay);
  }

  static QosTarget maxDetectionTime(Duration limit) {
    return new MaxDetectionTime(limit);
  }
}
