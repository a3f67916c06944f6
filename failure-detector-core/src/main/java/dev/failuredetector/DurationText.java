package dev.failuredetector;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Durations as people write them in settings: a decimal number and a unit, {@code 200ms},
 * {@code 1.5s}, {@code 250us}, {@code 10ns}, {@code 2m}, {@code 1h}. {@link #format} gives the
 * shortest exact form in the largest unit that represents the value as a whole number
 * ({@code 1500 ms} is {@code 1500ms}, not {@code 1.5s}, so every printed value parses back to the
 * same nanoseconds).
 */
final class DurationText {

  private static final String[] UNITS = {"h", "m", "s", "ms", "us", "ns"};
  private static final long[] NANOS = {3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L,
      1_000_000L, 1_000L, 1L};

  private DurationText() {}

  /** Formats a non-negative duration exactly, e.g. {@code 3s}, {@code 100ms}, {@code 0s}. */
  static String format(Duration duration) {
    long nanos = duration.toNanos();
    if (nanos == 0) {
      return "0s";
    }
    // Minutes and hours only when exact; seconds are the largest unit tried first otherwise.
    for (int i = 0; i < UNITS.length; i++) {
      if (nanos % NANOS[i] == 0) {
        return (nanos / NANOS[i]) + UNITS[i];
      }
    }
    throw new AssertionError("unreachable: every value is a whole number of ns");
  }

  /**
   * Parses a duration such as {@code 1.5s}; the value must come to a whole number of
   * nanoseconds and must not be negative.
   *
   * @param setting what is being parsed, for the error message
   * @throws IllegalArgumentException naming {@code setting} and {@code text} if it is not one
   */
  static Duration parse(String setting, String text) {
    String trimmed = text.trim();
    int split = 0;
    while (split < trimmed.length()
        && (Character.isDigit(trimmed.charAt(split)) || trimmed.charAt(split) == '.')) {
      split++;
    }
    String number = trimmed.substring(0, split);
    String unit = trimmed.substring(split);
    for (int i = 0; i < UNITS.length; i++) {
      if (UNITS[i].equals(unit) && !number.isEmpty()) {
        try {
          BigDecimal nanos = new BigDecimal(number).multiply(BigDecimal.valueOf(NANOS[i]));
          return Duration.ofNanos(nanos.longValueExact());
        } catch (ArithmeticException | NumberFormatException e) {
          break; // a fraction of a nanosecond, too large, or a malformed number
        }
      }
    }
    throw new IllegalArgumentException(setting + "=" + text + " is not a duration: write a"
        + " number and a unit (ns, us, ms, s, m, h), such as 200ms or 1.5s");
  }
}
