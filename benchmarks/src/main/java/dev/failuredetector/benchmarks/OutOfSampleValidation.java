package dev.failuredetector.benchmarks;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.qos.DelayModel;
import dev.failuredetector.qos.DetectorCandidates;
import dev.failuredetector.qos.HeartbeatTrace;
import dev.failuredetector.qos.QosAdvisor;
import dev.failuredetector.qos.QosCurve;
import dev.failuredetector.qos.QosReplay;
import dev.failuredetector.qos.QosReport;
import dev.failuredetector.qos.QosTarget;
import dev.failuredetector.qos.TraceScenarios;
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
 * Does tuning advice hold on the next hours? For each trace: tune on its first half, replay the
 * recommendation on the second half (the detector continuing from the first half, as a running
 * node would), and check the mistake budget there. Four ways to tune: ours ({@link
 * QosAdvisor#recommend}: the 95% upper bound with a headroom of 2 and the worst window), the same
 * with a headroom of 1, ours naive (the
 * point estimate, {@link QosAdvisor#recommendNaive}), and Pekko's own phi detector tuned the same
 * naive way (its threshold swept, no acceptable pause, deviation floor a tenth of the interval).
 *
 * <p>Traces: {@link TraceScenarios#all} (3 h each) and the repository's real ones in
 * ../shared/traces (PlanetLab send schedules with a WAN delay model; the CloudLab LAN trace).
 *
 * <p>Run: {@code ./mvnw -B -q -DskipTests package && java -cp benchmarks/target/benchmarks.jar
 * dev.failuredetector.benchmarks.OutOfSampleValidation [budget-per-day] [traces-dir] [seed]}
 */
public final class OutOfSampleValidation {

  private static final double[] PEKKO_THRESHOLDS = {
    0.5, 0.75, 1, 1.5, 2, 3, 4, 5, 6, 8, 10, 12, 16, 24, 32, 48, 64};
  private static final DelayModel WAN = new DelayModel(Duration.ofMillis(20), Duration.ofMillis(5),
      0.001);

  private OutOfSampleValidation() {}

  /** One way of tuning, judged on the second half. */
  record Outcome(String choice, long mistakes, double allowed, double detectionMeanSeconds) {
    boolean held() {
      return mistakes <= allowed;
    }
  }

  public static void main(String[] args) throws IOException {
    double budget = args.length > 0 ? Double.parseDouble(args[0]) : 100;
    Path traces = Path.of(args.length > 1 ? args[1] : "../shared/traces");
    long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
    PrintStream out = System.out;
    Map<String, HeartbeatTrace> all = new LinkedHashMap<>();
    for (TraceScenarios.Scenario scenario : TraceScenarios.all(Duration.ofHours(3), seed)) {
      all.put(scenario.name() + " (" + scenario.model() + ")", scenario.trace());
    }
    if (Files.isDirectory(traces)) {
      for (int node : new int[] {0, 5, 7, 8}) {
        Path sends = traces.resolve("planetlab-node" + node + "-100ms-send.csv.gz");
        if (Files.exists(sends)) {
          all.put("planetlab-node" + node + " (real sends, " + WAN + ")",
              WAN.arrivals(HeartbeatTrace.read(sends), node));
        }
      }
      Path lan = traces.resolve("lan-cloudlab-1ms.csv.gz");
      if (Files.exists(lan)) {
        all.put("lan-cloudlab-1ms (real arrivals, 30 s)", HeartbeatTrace.read(lan));
      }
    }
    out.printf(Locale.ROOT, "Budget %s mistakes/day; tune on the first half, replay on the"
        + " second; scenario seed %d.%n%n", budget, seed);
    out.println("| trace | ours (default, headroom 2): 2nd-half mistakes / allowed, mean T_D |"
        + " ours, headroom 1 | ours naive | Pekko phi naive |");
    out.println("|---|---|---|---|---|");
    int[] held = new int[4];
    double[] detection = new double[4];
    int cases = 0;
    for (Map.Entry<String, HeartbeatTrace> entry : all.entrySet()) {
      List<Outcome> outcomes = validate(entry.getValue(), budget);
      cases++;
      StringBuilder row = new StringBuilder("| " + entry.getKey() + " |");
      for (int i = 0; i < outcomes.size(); i++) {
        Outcome o = outcomes.get(i);
        if (o.held()) {
          held[i]++;
        }
        detection[i] += o.detectionMeanSeconds();
        row.append(String.format(Locale.ROOT, " %s %d / %.1f, %.3f s (%s) |",
            o.held() ? "held" : "**broken**", o.mistakes(), o.allowed(),
            o.detectionMeanSeconds(), o.choice()));
      }
      out.println(row);
      out.flush();
    }
    StringBuilder total = new StringBuilder("| **held** |");
    for (int i = 0; i < held.length; i++) {
      total.append(String.format(Locale.ROOT, " **%d of %d**, mean T_D %.3f s |", held[i], cases,
          detection[i] / cases));
    }
    out.println(total);
  }

  /** Ours, ours naive, Pekko naive: each tuned on the first half, judged on the second. */
  static List<Outcome> validate(HeartbeatTrace trace, double budgetPerDay) {
    int half = TraceScenarios.halfIndex(trace);
    HeartbeatTrace first = TraceScenarios.head(trace, half);
    Duration interval = Duration.ofNanos(Math.max(1, first.medianIntervalNanos()));
    int warmup = DetectorCandidates.defaultWarmup(first);
    List<QosCurve> curves = DetectorCandidates.sweepAll(first, interval, warmup);
    QosTarget target = QosTarget.maxMistakesPerDay(budgetPerDay);
    List<Outcome> outcomes = new ArrayList<>();
    for (QosAdvisor.Recommendation advice : List.of(QosAdvisor.recommend(curves, target),
        QosAdvisor.recommend(curves, target, 1), QosAdvisor.recommendNaive(curves, target))) {
      DetectorSpec spec = advice.point().spec();
      QosReport second = QosReplay.replay(trace, spec::newDetector, half);
      outcomes.add(outcome(spec.toString(), second, budgetPerDay));
    }
    long eta = Math.max(1, interval.toMillis());
    long minStd = Math.max(1, interval.toMillis() / 10);
    QosCurve pekko = QosCurve.sweep("Pekko phi", "threshold", PEKKO_THRESHOLDS,
        threshold -> new PekkoPhiPeer(threshold, 1000, minStd, 0, eta), first, warmup);
    QosAdvisor.Recommendation pekkoAdvice = QosAdvisor.recommendNaive(List.of(pekko), target);
    double threshold = pekkoAdvice.point().setting();
    QosReport second = QosReplay.replay(trace,
        () -> new PekkoPhiPeer(threshold, 1000, minStd, 0, eta), half);
    outcomes.add(outcome("pekko threshold=" + threshold, second, budgetPerDay));
    return outcomes;
  }

  private static Outcome outcome(String choice, QosReport second, double budgetPerDay) {
    double allowed = budgetPerDay * second.observedNanos() / 86_400e9;
    return new Outcome(choice, second.mistakes(), allowed, second.detectionTimeMeanNanos() / 1e9);
  }
}
