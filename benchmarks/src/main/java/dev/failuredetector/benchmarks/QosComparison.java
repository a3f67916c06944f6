package dev.failuredetector.benchmarks;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.IntervalEstimator;
import dev.failuredetector.PhiDistribution;
import dev.failuredetector.qos.DelayModel;
import dev.failuredetector.qos.DetectorCandidates;
import dev.failuredetector.qos.HeartbeatTrace;
import dev.failuredetector.qos.QosCurve;
import dev.failuredetector.qos.QosPoint;
import dev.failuredetector.qos.SyntheticTrace;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Detection time at a given mistake rate, for every detector of ours and for Pekko's and
 * Hazelcast's phi detectors, on the same traces: the real ones in ../shared/traces (the PlanetLab
 * send schedules get arrivals from a stated delay model) and synthetic ones with delay regime
 * shifts and sender pauses. Each detector's setting is swept; for each mistake-rate budget the
 * table gives the lowest mean detection time among the settings whose mistake rate stays within
 * it.
 *
 * <p>The peers are swept over the threshold with no acceptable pause and a deviation floor of a
 * tenth of the interval, but at least 1 ms (their unit): the same settings as our phi detectors,
 * apart from that floor. Window 1000 for all.
 *
 * <p>Run: {@code ./mvnw -B -q -DskipTests package && java -cp benchmarks/target/benchmarks.jar
 * dev.failuredetector.benchmarks.QosComparison [traces-dir] > benchmarks/results/qos.md}
 */
public final class QosComparison {

  private static final double[] BUDGETS_PER_SECOND = {1e-2, 1e-3, 1e-4};
  private static final double[] PEER_THRESHOLDS = {
    0.5, 0.75, 1, 1.5, 2, 3, 4, 5, 6, 8, 10, 12, 16, 24, 32, 48, 64};
  /** Delay model for the PlanetLab send schedules: a wide-area path. */
  private static final DelayModel WAN = new DelayModel(Duration.ofMillis(20), Duration.ofMillis(5),
      0.001);

  private QosComparison() {}

  public static void main(String[] args) throws IOException {
    Path traces = Path.of(args.length > 0 ? args[0] : "../shared/traces");
    PrintStream out = System.out;
    Map<String, HeartbeatTrace> all = new LinkedHashMap<>();
    if (Files.isDirectory(traces)) {
      Path lan = traces.resolve("lan-cloudlab-1ms.csv.gz");
      if (Files.exists(lan)) {
        all.put("lan-cloudlab-1ms (real arrivals)", HeartbeatTrace.read(lan));
      }
      for (int node : new int[] {0, 5, 7, 8}) {
        Path sends = traces.resolve("planetlab-node" + node + "-100ms-send.csv.gz");
        if (Files.exists(sends)) {
          all.put("planetlab-node" + node + " (real sends + WAN model)",
              WAN.arrivals(HeartbeatTrace.read(sends), node));
        }
      }
    } else {
      out.println("(no traces directory at " + traces + ": synthetic traces only)");
    }
    all.put("synthetic: regime shifts", SyntheticTrace.builder()
        .interval(Duration.ofMillis(100)).duration(Duration.ofHours(3))
        .delay(new DelayModel(Duration.ofMillis(2), Duration.ofMillis(1), 0.001))
        .delayFrom(Duration.ofHours(1), new DelayModel(Duration.ofMillis(30), Duration.ofMillis(10), 0.01))
        .delayFrom(Duration.ofHours(2), new DelayModel(Duration.ofMillis(2), Duration.ofMillis(1), 0.001))
        .seed(11).build());
    SyntheticTrace.Builder paused = SyntheticTrace.builder()
        .interval(Duration.ofMillis(100)).duration(Duration.ofHours(3))
        .delay(new DelayModel(Duration.ofMillis(2), Duration.ofMillis(1), 0.001)).seed(12);
    for (int minute = 10; minute < 180; minute += 20) {
      paused.senderPause(Duration.ofMinutes(minute), Duration.ofMillis(400 + 100L * (minute % 13)));
    }
    all.put("synthetic: sender pauses (GC)", paused.build());

    out.println("# QoS comparison: mean detection time (s) at a mistake-rate budget");
    out.println();
    out.println("Lowest mean T_D among the settings whose mistake rate is within the budget;"
        + " `-` when none is; `*` when the trace is too short to observe the budget (then it"
        + " takes zero mistakes). PlanetLab arrivals: " + WAN + ".");
    for (Map.Entry<String, HeartbeatTrace> entry : all.entrySet()) {
      compare(entry.getKey(), entry.getValue(), out);
    }
  }

  private static void compare(String name, HeartbeatTrace trace, PrintStream out) {
    Duration interval = Duration.ofNanos(trace.medianIntervalNanos());
    int warmup = Math.min(1000, trace.size() / 10);
    List<QosCurve> curves = new ArrayList<>(DetectorCandidates.sweepAll(trace, interval, warmup));
    // The windowless estimator (estimator=ewma, span 1000) beside the exact windows.
    for (DetectorSpec base : DetectorCandidates.tuningBases(interval)) {
      if (base instanceof DetectorSpec.Phi phi && phi.distribution() != PhiDistribution.EXPONENTIAL) {
        curves.add(DetectorCandidates.sweep(phi.kind() + " ewma",
            phi.withEstimator(IntervalEstimator.EWMA), trace, warmup));
      }
    }
    long etaMillis = Math.max(1, interval.toMillis());
    long minStdMillis = Math.max(1, interval.toMillis() / 10);
    curves.add(QosCurve.sweep("Pekko phi", "threshold", PEER_THRESHOLDS,
        threshold -> new PekkoPhiPeer(threshold, 1000, minStdMillis, 0, etaMillis), trace, warmup));
    curves.add(QosCurve.sweep("Hazelcast phi", "threshold", PEER_THRESHOLDS,
        threshold -> new HazelcastPhiPeer(threshold, 1000, minStdMillis, 0, etaMillis), trace,
        warmup));
    double observedSeconds = curves.get(0).points().get(0).report().observedNanos() / 1e9;
    out.println();
    out.printf(Locale.ROOT, "## %s: %d heartbeats, %.0f s, interval %.3f ms%n%n", name,
        trace.size(), observedSeconds, interval.toNanos() / 1e6);
    out.print("| detector |");
    for (double budget : BUDGETS_PER_SECOND) {
      out.printf(Locale.ROOT, " %s/s%s |", budget, budget * observedSeconds < 1 ? " *" : "");
    }
    out.println();
    out.println("|---|---|---|---|");
    for (QosCurve curve : curves) {
      out.print("| " + curve.detector() + " |");
      for (double budget : BUDGETS_PER_SECOND) {
        boolean observable = budget * observedSeconds >= 1;
        QosPoint best = null;
        for (QosPoint point : curve.points()) {
          boolean within = observable ? point.report().mistakeRatePerSecond() <= budget
              : point.report().mistakes() == 0;
          if (within && (best == null || point.report().detectionTimeMeanNanos()
              < best.report().detectionTimeMeanNanos())) {
            best = point;
          }
        }
        out.print(best == null ? " - |" : String.format(Locale.ROOT, " %.4f |",
            best.report().detectionTimeMeanNanos() / 1e9));
      }
      out.println();
    }
  }
}
