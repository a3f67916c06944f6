package dev.failuredetector.qos;

import dev.failuredetector.AccrualFailureDetector;
import dev.failuredetector.BertierFailureDetector;
import dev.failuredetector.ChenFailureDetector;
import dev.failuredetector.DeadlineFailureDetector;
import dev.failuredetector.FailureDetector;
import dev.failuredetector.PhiAccrualFailureDetector;
import dev.failuredetector.PhiDistribution;
import dev.failuredetector.TwoWindowFailureDetector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The library's detectors with the setting that trades detection time against mistakes, swept
 * over a range scaled to the heartbeat interval: what {@code tune} compares.
 *
 * <p>The other settings are fixed to suit tuning: phi detectors get no acceptable pause (the
 * threshold alone sets the margin) and a deviation floor of a tenth of the interval; windows are
 * 1000 heartbeats (2W-FD: 1 and 1000). Margins are in milliseconds, rounded to the microsecond.
 */
public final class DetectorCandidates {

  private static final double[] THRESHOLDS = {
    0.5, 0.75, 1, 1.5, 2, 3, 4, 5, 6, 8, 10, 12, 16, 24, 32, 48, 64};
  private static final double[] MARGIN_INTERVALS = {
    0.01, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2, 3, 5, 8, 12, 20, 35, 60};
  private static final double[] VARIANCE_WEIGHTS = {
    1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048};

  private DetectorCandidates() {}

  /** Sweeps every detector over {@code trace}, whose heartbeats are about {@code interval} apart. */
  public static List<QosCurve> sweepAll(HeartbeatTrace trace, Duration interval, int warmup) {
    long eta = interval.toNanos();
    Duration minStd = Duration.ofNanos(Math.max(1, eta / 10));
    List<QosCurve> curves = new ArrayList<>();
    for (PhiDistribution distribution : PhiDistribution.values()) {
      curves.add(QosCurve.sweep("phi " + distribution.name().toLowerCase(), "threshold",
          THRESHOLDS, threshold -> PhiAccrualFailureDetector.builder()
              .distribution(distribution).threshold(threshold)
              .acceptableHeartbeatPause(Duration.ZERO).minStdDeviation(minStd)
              .firstHeartbeatEstimate(interval).build(), trace, warmup));
    }
    double[] margins = scaledMillis(MARGIN_INTERVALS, eta);
    curves.add(QosCurve.sweep("Chen", "safetyMargin (ms)", margins,
        margin -> ChenFailureDetector.builder().heartbeatInterval(interval)
            .safetyMargin(millis(margin)).build(), trace, warmup));
    curves.add(QosCurve.sweep("Bertier", "varianceWeight", VARIANCE_WEIGHTS,
        weight -> BertierFailureDetector.builder().heartbeatInterval(interval)
            .varianceWeight(weight).build(), trace, warmup));
    curves.add(QosCurve.sweep("2W-FD", "safetyMargin (ms)", margins,
        margin -> TwoWindowFailureDetector.builder().heartbeatInterval(interval)
            .safetyMargin(millis(margin)).build(), trace, warmup));
    curves.add(QosCurve.sweep("deadline", "acceptableHeartbeatPause (ms)", margins,
        pause -> DeadlineFailureDetector.builder().heartbeatInterval(interval)
            .acceptableHeartbeatPause(millis(pause)).build(), trace, warmup));
    return curves;
  }

  /**
   * Sweeps the phi threshold of the detectors {@code spec} makes, every other setting as {@code
   * spec} has it: the curve to tune a running configuration by its threshold alone.
   *
   * @throws IllegalArgumentException if {@code spec} does not make accrual (phi) detectors
   */
  public static QosCurve sweepThreshold(String detector, Supplier<? extends FailureDetector> spec,
      HeartbeatTrace trace, int warmup) {
    if (!(spec.get() instanceof AccrualFailureDetector)) {
      throw new IllegalArgumentException("only accrual (phi) detectors have a threshold to tune");
    }
    return QosCurve.sweep(detector, "threshold", THRESHOLDS, threshold -> {
      AccrualFailureDetector subject = (AccrualFailureDetector) spec.get();
      subject.setThreshold(threshold);
      return subject;
    }, trace, warmup);
  }

  /** The warm-up {@code tune} uses by default: 1000 heartbeats, or a tenth of a shorter trace. */
  public static int defaultWarmup(HeartbeatTrace trace) {
    return Math.min(1000, trace.size() / 10);
  }

  /** factor x eta, in milliseconds rounded to the microsecond. */
  private static double[] scaledMillis(double[] factors, long etaNanos) {
    double[] values = new double[factors.length];
    for (int i = 0; i < factors.length; i++) {
      values[i] = Math.rint(factors[i] * etaNanos / 1e3) / 1e3;
    }
    return values;
  }

  private static Duration millis(double millis) {
    return Duration.ofNanos(Math.round(millis * 1e6));
  }
}
