package dev.failuredetector.qos;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.FailureDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.DoubleFunction;

/**
 * A detector's detection-time versus mistake-rate curve on one trace: the trace replayed once per
 * value of one setting (its threshold or margin).
 *
 * @param detector the detector's name, for people
 * @param setting the swept setting's name and unit, for people (for example "threshold" or
 *     "safetyMargin (ms)")
 * @param points one per setting value, in the order swept
 */
public record QosCurve(String detector, String setting, List<QosPoint> points) {

  public QosCurve {
    Objects.requireNonNull(detector, "detector");
    Objects.requireNonNull(setting, "setting");
    points = List.copyOf(points);
  }

  /**
   * Replays {@code trace} through {@code base} with its {@linkplain DetectorSpec#tuningKey()
   * tuning setting} at each of {@code values} (text form: {@code "8"}, {@code "150ms"}); each
   * point keeps the spec it replayed.
   *
   * @param settingValue the number a point shows for each value (the threshold, or milliseconds)
   */
  public static QosCurve sweep(String detector, String setting, DetectorSpec base,
      List<String> values, java.util.function.ToDoubleFunction<String> settingValue,
      HeartbeatTrace trace, int warmupHeartbeats) {
    List<QosPoint> points = new ArrayList<>(values.size());
    for (String value : values) {
      DetectorSpec spec = base.with(base.tuningKey(), value);
      points.add(new QosPoint(settingValue.applyAsDouble(value),
          QosReplay.replay(trace, spec::newDetector, warmupHeartbeats), spec));
    }
    return new QosCurve(detector, setting, points);
  }

  /** Replays {@code trace} through {@code factory.apply(value)} for each value. */
  public static QosCurve sweep(String detector, String setting, double[] values,
      DoubleFunction<? extends FailureDetector> factory, HeartbeatTrace trace,
      int warmupHeartbeats) {
    List<QosPoint> points = new ArrayList<>(values.length);
    for (double value : values) {
      points.add(new QosPoint(value,
          QosReplay.replay(trace, () -> factory.apply(value), warmupHeartbeats)));
    }
    return new QosCurve(detector, setting, points);
  }
}
