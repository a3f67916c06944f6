package dev.failuredetector;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;

/**
 * The values of {@link DetectorSpec}'s text form: reading them, checking them, printing them, with
 * errors that name the kind, the key and the value ({@code "chen margin=abc is not a
 * duration..."}).
 */
final class SpecText {

  private SpecText() {}

  static String text(DetectorSpec spec) {
    return text(spec.kind(), spec.settings(), null);
  }

  /** The text form of {@code settings}, leaving out the key {@code omitted} (may be null). */
  static String text(String kind, Map<String, String> settings, String omitted) {
    StringBuilder text = new StringBuilder(kind).append(':');
    boolean first = true;
    for (Map.Entry<String, String> setting : settings.entrySet()) {
      if (setting.getKey().equals(omitted)) {
        continue;
      }
      if (!first) {
        text.append(',');
      }
      first = false;
      text.append(setting.getKey()).append('=').append(setting.getValue());
    }
    return text.toString();
  }

  /** Returns {@code key} if the kind has it; otherwise says which keys it has. */
  static String key(String kind, String key, Map<String, String> settings) {
    if (!settings.containsKey(key)) {
      throw new IllegalArgumentException("detector " + kind + " has no setting '" + key
          + "'; its settings are " + String.join(", ", settings.keySet()));
    }
    return key;
  }

  static boolean bool(String kind, String key, String value) {
    if (value.equals("true") || value.equals("false")) {
      return Boolean.parseBoolean(value);
    }
    throw new IllegalArgumentException(kind + " " + key + "=" + value + " is not true or false");
  }

  static Duration duration(String kind, String key, String value) {
    return DurationText.parse(kind + " " + key, value);
  }

  static double decimal(String kind, String key, String value) {
    try {
      double parsed = Double.parseDouble(value);
      if (Double.isFinite(parsed)) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(kind + " " + key + "=" + value + " is not a number");
  }

  static int integer(String kind, String key, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(kind + " " + key + "=" + value + " is not a whole number");
    }
  }

  /** Shortest exact decimal: 8 not 8.0, 0.1 not 0.1000. */
  static String number(double value) {
    if (!Double.isFinite(value)) {
      return Double.toString(value);
    }
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }

  /** Returns the duration in nanoseconds if above zero and at most a day. */
  static long positive(String kind, String key, Duration value) {
    notNull(kind, key, value);
    if (value.isNegative() || value.isZero() || value.compareTo(Preconditions.MAX_DURATION) > 0) {
      throw new IllegalArgumentException(kind + " " + key + " must be > 0 and <= 1d, got "
          + shown(value));
    }
    return value.toNanos();
  }

  /** Returns the duration in nanoseconds if zero or more and at most a day. */
  static long nonNegative(String kind, String key, Duration value) {
    notNull(kind, key, value);
    if (value.isNegative() || value.compareTo(Preconditions.MAX_DURATION) > 0) {
      throw new IllegalArgumentException(kind + " " + key + " must be >= 0 and <= 1d, got "
          + shown(value));
    }
    return value.toNanos();
  }

  static double positiveFinite(String kind, String key, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(kind + " " + key + " must be a finite number > 0, got "
          + number(value));
    }
    return value;
  }

  static double nonNegativeFinite(String kind, String key, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(kind + " " + key + " must be a finite number >= 0, got "
          + number(value));
    }
    return value;
  }

  static void window(String kind, String key, int value) {
    if (value < 1 || value > HeartbeatHistory.MAX_CAPACITY) {
      throw new IllegalArgumentException(kind + " " + key + " must be between 1 and "
          + HeartbeatHistory.MAX_CAPACITY + ", got " + value);
    }
  }

  private static void notNull(String kind, String key, Duration value) {
    if (value == null) {
      throw new NullPointerException(kind + " " + key + " must not be null");
    }
  }

  private static String shown(Duration value) {
    return value.isNegative() ? "-" + DurationText.format(value.negated())
        : DurationText.format(value);
  }
}
