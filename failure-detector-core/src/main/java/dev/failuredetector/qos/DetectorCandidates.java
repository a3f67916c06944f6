package dev.failuredetector.qos;

import dev.failuredetector.DetectorSpec;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The library's detectors with their {@linkplain DetectorSpec#tuningKey() tuning setting} (the one
 * that trades detection time against mistakes) swept over a range scaled to the heartbeat
 * interval: what {@code tune} compares.
 *
 * <p>The other settings are fixed to suit tuning ({@link #tuningBases}): phi detectors get no
 * acceptable pause (the threshold alone sets the margin) and a deviation floor of a tenth of the
 * interval; every other setting is the kind's default. Each point of a curve carries its whole
 * spec, so a recommendation can be rebuilt exactly.
 */
public final class DetectorCandidates {

  private static final double[] THRESHOLDS = {
    0.5, 0.75, 1, 1.5, 2, 3, 4, 5, 6, 8, 10, 12, 16, 24, 32, 48, 64};
  private static final double[] MARGIN_INTERVALS = {
    0.01, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2, 3, 5, 8, 12, 20, 35, 60};
  private static final double[] VARIANCE_WEIGHTS = {
    1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048};

  private DetectorCandidates() {}

  /**
   * The spec of each kind that {@code tune} sweeps for heartbeats {@code interval} apart, in the
   * order of {@link DetectorSpec#KINDS}.
   */
  public static List<DetectorSpec> tuningBases(Duration interval) {
    interval = roundedInterval(interval);
    // A tenth of the interval, to three significant digits (10ms, not 9998600ns).
    Duration minStd = Duration.ofNanos(Math.max(1, new BigDecimal(interval.toNanos() / 10.0)
        .round(new java.math.MathContext(3)).longValue()));
    List<DetectorSpec> bases = new ArrayList<>();
    for (String kind : DetectorSpec.KINDS) {
      DetectorSpec base = DetectorSpec.defaults(kind).withInterval(interval);
      if (base instanceof DetectorSpec.Phi phi) {
        base = phi.withPause(Duration.ZERO).withMinStd(minStd);
      } else if (base instanceof DetectorSpec.Bertier bertier) {
        // The sweep moves the variance weight; a floor under the margin would hide its low end.
        base = bertier.withMinMargin(Duration.ZERO);
      }
      bases.add(base);
    }
    return bases;
  }

  /**
   * {@code interval} as a sender would have configured it: to two significant digits when that is
   * within 1% (a median of arrivals of a 100 ms sender is 99986072ns: 100ms), else to the
   * microsecond; at least 1 us.
   */
  public static Duration roundedInterval(Duration interval) {
    long nanos = interval.toNanos();
    long round = new BigDecimal(nanos).round(new java.math.MathContext(2)).longValue();
    if (round > 0 && Math.abs(round - nanos) <= nanos / 100) {
      return Duration.ofNanos(Math.max(1_000, round));
    }
    return Duration.ofNanos(Math.max(1_000, Math.round(nanos / 1e3) * 1_000));
  }

  /** Sweeps every detector over {@code trace}, whose heartbeats are about {@code interval} apart. */
  public static List<QosCurve> sweepAll(HeartbeatTrace trace, Duration interval, int warmup) {
    List<QosCurve> curves = new ArrayList<>();
    for (DetectorSpec base : tuningBases(interval)) {
      curves.add(sweep(base, trace, warmup));
    }
    return curves;
  }

  /**
   * Sweeps {@code base}'s tuning setting over tune's range for it, every other setting as {@code
   * base} has it. The curve is named after the kind; durations are shown in milliseconds.
   */
  public static QosCurve sweep(DetectorSpec base, HeartbeatTrace trace, int warmup) {
    return sweep(base.kind(), base, trace, warmup);
  }

  /** Like {@link #sweep(DetectorSpec, HeartbeatTrace, int)}, the curve named {@code name}. */
  public static QosCurve sweep(String name, DetectorSpec base, HeartbeatTrace trace,
      int warmup) {
    String key = base.tuningKey();
    return switch (key) {
      case "threshold" -> QosCurve.sweep(name, key, base, texts(THRESHOLDS),
          Double::parseDouble, trace, warmup);
      case "variance-weight" -> QosCurve.sweep(name, key, base, texts(VARIANCE_WEIGHTS),
          Double::parseDouble, trace, warmup);
      default -> QosCurve.sweep(name, key + " (ms)", base,
          scaledDurations(base.interval()), DetectorCandidates::millis, trace, warmup);
    };
  }

  /** The warm-up {@code tune} uses by default: 1000 heartbeats, or a tenth of a shorter trace. */
  public static int defaultWarmup(HeartbeatTrace trace) {
    return Math.min(1000, trace.size() / 10);
  }

  private static List<String> texts(double[] values) {
    List<String> texts = new ArrayList<>(values.length);
    for (double value : values) {
      texts.add(BigDecimal.valueOf(value).stripTrailingZeros().toPlainString());
    }
    return texts;
  }

  /**
   * factor x interval, to three significant digits of microseconds (20ms, not 19.9986ms: a
   * setting a person can read and type), as duration text.
   */
  private static List<String> scaledDurations(Duration interval) {
    List<String> texts = new ArrayList<>(MARGIN_INTERVALS.length);
    for (double factor : MARGIN_INTERVALS) {
      long micros = Math.max(0, new BigDecimal(factor * interval.toNanos() / 1e3)
          .round(new java.math.MathContext(3)).longValue());
      String text = micros % 1000 == 0 ? micros / 1000 + "ms" : micros + "us";
      if (!texts.contains(text)) {
        texts.add(text);
      }
    }
    return texts;
  }

  private static double millis(String text) {
    long micros = text.endsWith("us") ? Long.parseLong(text.substring(0, text.length() - 2))
        : 1000 * Long.parseLong(text.substring(0, text.length() - 2));
    return BigDecimal.valueOf(micros).divide(BigDecimal.valueOf(1000), 3,
        RoundingMode.UNNECESSARY).doubleValue();
  }
}
