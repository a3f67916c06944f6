package dev.failuredetector.qos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Advice that holds on the next hour: on each of the ten scenarios, tune on the first half,
 * replay the pick on the second half (the detector continuing), and count the cases whose
 * second half stayed within the budget. The benchmark (OutOfSampleValidation, BENCHMARKS.md)
 * does the same on 3-hour traces with Pekko's detector beside it; this is its 90-minute form.
 */
class OutOfSampleAdviceTest {

  @Test
  void theBudgetHoldsOnTheSecondHalf_inAtLeastNineOfTen_andTheNaiveRuleDoesWorse() {
    double budget = 100;
    int held = 0;
    int heldNaive = 0;
    StringBuilder report = new StringBuilder();
    List<TraceScenarios.Scenario> scenarios = TraceScenarios.all(Duration.ofMinutes(90), 3);
    for (TraceScenarios.Scenario scenario : scenarios) {
      HeartbeatTrace trace = scenario.trace();
      int half = TraceScenarios.halfIndex(trace);
      HeartbeatTrace first = TraceScenarios.head(trace, half);
      List<QosCurve> curves = DetectorCandidates.sweepAll(first,
          Duration.ofNanos(first.medianIntervalNanos()), DetectorCandidates.defaultWarmup(first));
      QosTarget target = QosTarget.maxMistakesPerDay(budget);
      boolean holds = holds(trace, half, QosAdvisor.recommend(curves, target), budget);
      boolean holdsNaive = holds(trace, half, QosAdvisor.recommendNaive(curves, target), budget);
      held += holds ? 1 : 0;
      heldNaive += holdsNaive ? 1 : 0;
      report.append(scenario.name()).append(holds ? " held" : " BROKEN")
          .append(holdsNaive ? " (naive held)" : " (naive broke)").append('\n');
    }
    assertThat(held).as(report.toString()).isGreaterThanOrEqualTo(9);
    assertThat(heldNaive).as(report.toString()).isLessThan(held);
  }

  private static boolean holds(HeartbeatTrace trace, int half, QosAdvisor.Recommendation advice,
      double budgetPerDay) {
    QosReport second = QosReplay.replay(trace, advice.point().spec()::newDetector, half);
    return second.mistakes() <= budgetPerDay * second.observedNanos() / 86_400e9;
  }
}
