package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failuredetector.qos.AutoTuner;
import dev.failuredetector.qos.HeartbeatTrace;
import dev.failuredetector.qos.QosAdvisor;
import dev.failuredetector.qos.QosCurve;
import dev.failuredetector.qos.QosReplay;
import dev.failuredetector.qos.QosReport;
import dev.failuredetector.qos.QosTarget;
import dev.failuredetector.qos.ShadowCandidates;
import dev.failuredetector.qos.TraceScenarios;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Auto-tuning replayed through the registry's own code path (heartbeats into a {@link
 * MonitoredPeer}, the timer ticking on a manual clock, the policy switching the active spec),
 * on 3-hour scenarios whose load changes, against the best fixed setting chosen on the first
 * half by tune's rule over the same candidates (Chen margins 60 ms to 800 ms; budget 100/day,
 * headroom 2, period 10 min), the auto-tuner starting from that pick. Judged on the second half:
 * the active detector's own mistakes and mean detection time.
 */
class AutoTuneReplayTest {

  private static final double BUDGET = 100;
  private static final List<String> MARGINS = List.of("60ms", "100ms", "150ms", "200ms", "300ms",
      "500ms", "800ms");

  record Outcome(String scenario, long autoMistakes, double autoDetection, long changes,
      long fixedMistakes, double fixedDetection, double allowed) {}

  @Test
  void underChangingLoad_autoTuneKeepsTheBudget_whereTheFixedPickBreaksIt() {
    List<Outcome> outcomes = new ArrayList<>();
    for (TraceScenarios.Scenario scenario : TraceScenarios.all(Duration.ofHours(3), 5)) {
      if (List.of("load-ramp", "load-swing", "load-and-stalls", "receiver-stalls")
          .contains(scenario.name())) {
        outcomes.add(run(scenario));
      }
    }
    // Six hours: a busy first half, then a quiet second half long enough to show it.
    outcomes.add(run(TraceScenarios.loadFall(Duration.ofHours(6), 5)));
    StringBuilder report = new StringBuilder();
    for (Outcome o : outcomes) {
      report.append(String.format(Locale.ROOT, "%s: auto %d mistakes (allowed %.1f), %.3f s,"
          + " %d changes; fixed %d mistakes, %.3f s%n", o.scenario(), o.autoMistakes(), o.allowed(),
          o.autoDetection(), o.changes(), o.fixedMistakes(), o.fixedDetection()));
    }
    System.out.print(report);
    for (Outcome o : outcomes) {
      assertThat(o.autoMistakes()).as(report.toString()).isLessThanOrEqualTo((long) o.allowed());
      assertThat(o.autoMistakes()).as(report.toString()).isLessThanOrEqualTo(o.fixedMistakes());
      // Never much slower than the fixed pick it started from (it backs off only when it must).
      assertThat(o.autoDetection()).as(report.toString())
          .isLessThanOrEqualTo(1.1 * o.fixedDetection());
    }
    // The load that rose after the first half broke the fixed pick, not the auto-tuned one.
    assertThat(outcomes).as(report.toString())
        .anyMatch(o -> o.fixedMistakes() > o.allowed() && o.autoMistakes() <= o.allowed());
    // The load that fell: auto-tuning detects sooner than the pick of the busy first half.
    Outcome fall = outcomes.get(outcomes.size() - 1);
    assertThat(fall.autoDetection()).as(report.toString()).isLessThan(0.95 * fall.fixedDetection());
  }

  private static Outcome run(TraceScenarios.Scenario scenario) {
    HeartbeatTrace trace = scenario.trace();
    int half = TraceScenarios.halfIndex(trace);
    DetectorSpec base = DetectorSpec.parse("chen:interval=100ms,window=1000,margin=500ms");
    List<DetectorSpec> candidates = new ArrayList<>();
    for (String margin : MARGINS) {
      candidates.add(base.with("margin", margin));
    }
    // The fixed pick: tune's rule on the first half, over the same candidates.
    HeartbeatTrace first = TraceScenarios.head(trace, half);
    QosCurve curve = QosCurve.sweep("chen", "margin", base, MARGINS, v -> 0, first, 1000);
    QosAdvisor.Recommendation fixed = QosAdvisor.recommend(List.of(curve),
        QosTarget.maxMistakesPerDay(BUDGET));
    QosReport fixedSecond = QosReplay.replay(trace, fixed.point().spec()::newDetector, half);

    ManualClock clock = new ManualClock(trace.arrivalNanos(0) - 1_000_000_000L);
    ManualTicks ticks = new ManualTicks(clock);
    ShadowCandidates shadows = ShadowCandidates.withActive(candidates); // tune's pick, then auto
    AutoTuner tuner = AutoTuner.of(shadows, QosTarget.maxMistakesPerDay(BUDGET), 2,
        Duration.ofMinutes(10));
    try (FailureDetectorRegistry<String> registry = FailureDetectorRegistry.<String>builder()
        .detector(fixed.point().spec()).plugin(shadows).plugin(tuner)
        .tick(Duration.ofMillis(100)).clock(clock).tickScheduler(ticks)
        .listenerExecutor(Runnable::run).build()) {
      MonitoredPeer<String> peer = registry.register("b");
      long mistakes = 0;
      double detection = 0;
      long lastDeadline = Long.MIN_VALUE;
      boolean suspecting = false;
      long lastTimeout = 0;
      for (int i = 0; i < trace.size(); i++) {
        long arrival = trace.arrivalNanos(i);
        ticks.advanceToNanos(arrival);
        if (i > half && lastDeadline - arrival < 0) { // the active detector's own mistakes
          if (!(suspecting && lastTimeout == 0)) {
            mistakes++;
          }
          suspecting = true;
        } else {
          suspecting = false;
        }
        peer.heartbeat(trace.sequence(i), arrival);
        lastTimeout = Math.max(0, peer.timeoutNanos());
        lastDeadline = arrival + peer.timeoutNanos();
        if (i >= half) {
          detection += lastTimeout;
        }
      }
      double allowed = BUDGET * fixedSecond.observedNanos() / 86_400e9;
      return new Outcome(scenario.name(), mistakes, detection / (trace.size() - half) / 1e9,
          tuner.changes(), fixedSecond.mistakes(),
          fixedSecond.detectionTimeMeanNanos() / 1e9, allowed);
    }
  }
}
