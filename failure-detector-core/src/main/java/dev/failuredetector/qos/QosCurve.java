package dev.failuredetector.qos;

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
   * Replays {@code trace} through {@code factory.apply(value)} for each value.
   *
   */
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
