package dev.failuredetector.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Reads a duration option: a number with a unit, {@code 250ms}, {@code 1.5s}, {@code 2m} (units
 * {@code ns us ms s m h}), or a whole number alone, in milliseconds ({@code 100} is 100 ms).
 * Negative values are refused; picocli names the option in the error.
 */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|ms|s|m|h)");

  @Override
  public Duration convert(String text) {
    return parse(text);
  }

  static Duration parse(String text) {
    String trimmed = text.trim();
    if (trimmed.matches("\\d{1,15}")) {
      return Duration.ofMillis(Long.parseLong(trimmed));
    }
    Matcher matcher = DURATION.matcher(trimmed);
    if (!matcher.matches()) {
      throw new CommandLine.TypeConversionException("expected a duration such as 250ms or 1.5s"
          + " (a number alone is milliseconds), got '" + text + "'");
    }
    double amount = Double.parseDouble(matcher.group(1));
    double nanosPerUnit = switch (matcher.group(2)) {
      case "ns" -> 1;
      case "us" -> 1e3;
      case "ms" -> 1e6;
      case "s" -> 1e9;
      case "m" -> 60e9;
      default -> 3600e9;
    };
    double nanos = amount * nanosPerUnit;
    if (nanos > Long.MAX_VALUE) {
      throw new CommandLine.TypeConversionException("duration too long: '" + text + "'");
    }
    return Duration.ofNanos(Math.round(nanos));
  }

  /** A duration as a user writes it ({@code 250ms}, {@code 1500us}), for messages. */
  static String format(Duration duration) {
    long nanos = duration.toNanos();
    return nanos % 1_000_000 == 0 ? nanos / 1_000_000 + "ms"
        : nanos % 1_000 == 0 ? nanos / 1_000 + "us" : nanos + "ns";
  }
}
