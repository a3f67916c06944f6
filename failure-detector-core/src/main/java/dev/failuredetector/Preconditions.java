package dev.failuredetector;

import java.time.Duration;
import java.util.Objects;

/**
 * Checks of configuration values, failing with a message that names the setting and the bad value,
 * for example {@code "threshold must be a finite number > 0, got NaN"}.
 */
final class Preconditions {

  /** The longest duration any setting accepts: one day. Keeps all time arithmetic far from overflow. */
  static final Duration MAX_DURATION = Duration.ofDays(1);

  private Preconditions() {}

  static <T> T notNull(String setting, T value) {
    return Objects.requireNonNull(value, () -> setting + " must not be null");
  }

  static double positiveFinite(String setting, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(setting + " must be a finite number > 0, got " + value);
    }
    return value;
  }

  static double nonNegativeFinite(String setting, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(setting + " must be a finite number >= 0, got " + value);
    }
    return value;
  }

  static double inUnitInterval(String setting, double value) {
    if (!(value > 0 && value <= 1)) {
      throw new IllegalArgumentException(setting + " must be > 0 and <= 1, got " + value);
    }
    return value;
  }

  static int windowSize(String setting, int value) {
    if (value < 1 || value > HeartbeatHistory.MAX_CAPACITY) {
      throw new IllegalArgumentException(
          setting + " must be between 1 and " + HeartbeatHistory.MAX_CAPACITY + ", got " + value);
    }
    return value;
  }

  /** A duration above zero and at most {@link #MAX_DURATION}, in nanoseconds. */
  static long positiveNanos(String setting, Duration value) {
    notNull(setting, value);
    if (value.isNegative() || value.isZero() || value.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException(
          setting + " must be > 0 and <= " + MAX_DURATION + ", got " + value);
    }
    return value.toNanos();
  }

  /** A duration of zero or more and at most {@link #MAX_DURATION}, in nanoseconds. */
  static long nonNegativeNanos(String setting, Duration value) {
    notNull(setting, value);
    if (value.isNegative() || value.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException(
          setting + " must be >= 0 and <= " + MAX_DURATION + ", got " + value);
    }
    return value.toNanos();
  }
}
