package dev.failuredetector;

import java.time.Duration;
import java.util.Objects;

/**
 * Checks of configuration values, failing with a message that names the setting and the bad value,
 * for example {@code "maxPeers must be >= 1, got 0"}. Detector settings are checked by
 * {@link DetectorSpec} ({@code SpecText}), not here.
 */
final class Preconditions {

  /** The longest duration any setting accepts: one day. Keeps all time arithmetic far from overflow. */
  static final Duration MAX_DURATION = Duration.ofDays(1);

  private Preconditions() {}

  static <T> T notNull(String setting, T value) {
    return Objects.requireNonNull(value, () -> setting + " must not be null");
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
