package dev.failuredetector.qos;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.FailureDetectorRegistry;
import java.util.List;
import java.util.Objects;

/**
 * Tunes a running registry from live data: replays a peer's recorded heartbeat arrivals through
 * the registry's own {@link DetectorSpec} ({@link FailureDetectorRegistry#spec()}) at each value of
 * {@code tune}'s sweep of its tuning setting (the phi threshold, a margin, ...), asks the {@link
 * QosAdvisor} for the value that meets a {@link QosTarget}, and can apply it to every peer at once.
 *
 * <pre>{@code
 * HeartbeatTrace arrivals = ArrivalRecording.of(registry).trace("orders-2"); // the plug-in records
 * QosAdvisor.Recommendation advice =
 *     ThresholdTuner.apply(registry, arrivals, QosTarget.maxMistakesPerDay(10));
 * log.info(advice.explanation());                                  // applied only if advice.met()
 * }</pre>
 *
 * <p>Only the tuning setting changes; the others (window, deviation floor, interval, ...) stay as
 * configured. The advice is only as good as the trace: a trace of T seconds cannot show a mistake
 * rate below about 1/T (the explanation says so). Stateless and thread-safe; a sweep replays the
 * trace a dozen or more times, so it takes a while on long traces (not for hot paths).
 */
public final class ThresholdTuner {

  private ThresholdTuner() {}

  /**
   * The tuning value {@code registry}'s spec needs on {@code trace} to meet {@code target}; the
   * chosen point carries the whole spec ({@link QosPoint#spec()}).
   *
   * @throws IllegalArgumentException if the trace has no arrival times or too few heartbeats (at
   *     least 20)
   */
  public static QosAdvisor.Recommendation recommend(FailureDetectorRegistry<?> registry,
      HeartbeatTrace trace, QosTarget target) {
    Objects.requireNonNull(registry, "registry must not be null");
    Objects.requireNonNull(trace, "trace must not be null");
    Objects.requireNonNull(target, "target must not be null");
    if (trace.size() < 20) {
      throw new IllegalArgumentException(
          "the trace has " + trace.size() + " heartbeats; record at least 20 (better thousands)");
    }
    QosCurve curve = DetectorCandidates.sweep(registry.spec(), trace,
        DetectorCandidates.defaultWarmup(trace));
    QosAdvisor.Recommendation advice = QosAdvisor.recommend(List.of(curve), target);
    List<QosPoint> points = curve.points();
    boolean first = points.get(0) == advice.point();
    if (first || points.get(points.size() - 1) == advice.point()) {
      // The sweep's edge: a value beyond it was not measured, and might be better.
      return new QosAdvisor.Recommendation(advice.met(), advice.detector(), advice.setting(),
          advice.point(), advice.explanation() + " This is the " + (first ? "smallest" : "largest")
              + " " + advice.setting() + " tried: a value beyond it was not measured.");
    }
    return advice;
  }

  /**
   * {@link #recommend}, then, if the target was met, {@link FailureDetectorRegistry#reconfigure}
   * with the recommended spec; when it was not met nothing changes.
   *
   * @return the recommendation, applied if {@link QosAdvisor.Recommendation#met()}
   * @throws IllegalArgumentException as {@link #recommend}
   */
  public static QosAdvisor.Recommendation apply(FailureDetectorRegistry<?> registry,
      HeartbeatTrace trace, QosTarget target) {
    QosAdvisor.Recommendation advice = recommend(registry, trace, target);
    if (advice.met()) {
      registry.reconfigure(advice.point().spec());
    }
    return advice;
  }
}
