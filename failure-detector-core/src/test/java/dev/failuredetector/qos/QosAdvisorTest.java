package dev.failuredetector.qos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class QosAdvisorTest {

  private static final long S = 1_000_000_000L;
  private static final long DAY = 86_400 * S;

  /**
   * A report over {@code observed} with a mean (and p99) detection time and a mistake count,
   * spread evenly over its windows.
   */
  private static QosPoint point(double setting, double detectionSeconds, long mistakes,
      long observed) {
    long window = QosReport.windowNanosFor(observed);
    long windows = Math.max(1, observed / window);
    return point(setting, detectionSeconds, mistakes, observed, (mistakes + windows - 1) / windows);
  }

  private static QosPoint point(double setting, double detectionSeconds, long mistakes,
      long observed, long worstWindow) {
    long td = (long) (detectionSeconds * S);
    return new QosPoint(setting, new QosReport(1000, observed, td, td, td, mistakes,
        mistakes / (observed / 1e9), 0, 1, QosReport.windowNanosFor(observed), worstWindow));
  }

  private static List<QosCurve> curves(long observed) {
    return List.of(
        new QosCurve("fast-but-wrong", "t", List.of(point(1, 0.1, 50, observed),
            point(2, 0.5, 3, observed), point(3, 0.9, 0, observed))),
        new QosCurve("steady", "m", List.of(point(10, 0.3, 10, observed),
            point(20, 0.6, 1, observed), point(30, 2.0, 0, observed))));
  }

  @Test
  void mistakeRateTarget_picksTheFastestWhoseUpperBoundKeepsTheHeadroom_notTheEdge() {
    // 100 days, budget 0.5/day. 50 mistakes = 0.5/day exactly: the naive rule takes it (0.1 s);
    // its 95% upper bound is 0.65/day, over the budget. 10 mistakes: at most 0.17/day, within
    // 0.5 even with a headroom of 2: the fastest that holds (0.3 s).
    QosAdvisor.Recommendation naive =
        QosAdvisor.recommendNaive(curves(100 * DAY), QosTarget.maxMistakesPerDay(0.5));
    assertThat(naive.point().setting()).isEqualTo(1);
    QosAdvisor.Recommendation advice =
        QosAdvisor.recommend(curves(100 * DAY), QosTarget.maxMistakesPerDay(0.5));
    assertThat(advice.met()).isTrue();
    assertThat(advice.detector()).isEqualTo("steady");
    assertThat(advice.point().setting()).isEqualTo(10);
    assertThat(advice.explanation()).contains("It made 10 mistakes in 100.0 days (0.1/day; at"
        + " most 0.17/day with 95% confidence, headroom 2; worst hour: 1).");
    assertThat(QosAdvisor.recommend(curves(100 * DAY), QosTarget.maxMistakesPerDay(0.5), 2)
        .point().setting()).isEqualTo(10);
    // Headroom 3: 0.17 x 3 > 0.5; three mistakes (at most 0.078/day) is the fastest left.
    QosAdvisor.Recommendation roomy =
        QosAdvisor.recommend(curves(100 * DAY), QosTarget.maxMistakesPerDay(0.5), 3);
    assertThat(roomy.detector()).isEqualTo("fast-but-wrong");
    assertThat(roomy.point().setting()).isEqualTo(2);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> QosAdvisor.recommend(
        curves(DAY), QosTarget.maxMistakesPerDay(1), 0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("headroom must be a finite number >= 1, got 0.5");
  }

  @Test
  void mistakeRateTarget_aBadHourDisqualifies_evenWithinTheMeanRate() {
    long observed = 8 * DAY;
    List<QosCurve> curves = List.of(new QosCurve("bursty", "t", List.of(
        point(1, 0.1, 5, observed, 5), // all five in one hour: at 5/day, chance allows 3
        point(2, 0.2, 5, observed, 1))));
    QosAdvisor.Recommendation advice = QosAdvisor.recommend(curves, QosTarget.maxMistakesPerDay(5));
    assertThat(advice.point().setting()).isEqualTo(2);
  }

  @Test
  void poissonUpperBound_exactForSmallCounts_closeForLarge() {
    assertThat(PoissonBound.upper95(0)).isCloseTo(2.9957, org.assertj.core.data.Offset.offset(1e-3));
    assertThat(PoissonBound.upper95(1)).isCloseTo(4.7439, org.assertj.core.data.Offset.offset(1e-3));
    assertThat(PoissonBound.upper95(6)).isCloseTo(11.8424, org.assertj.core.data.Offset.offset(1e-3));
    assertThat(PoissonBound.upper95(20)).isCloseTo(29.0620, org.assertj.core.data.Offset.offset(1e-3));
    assertThat(PoissonBound.upper95(100)).isCloseTo(118.08, org.assertj.core.data.Offset.offset(0.1));
    // 192 hours at 5/day: the worst hour holds up to 3 by chance, 95 times in 100.
    assertThat(PoissonBound.worstWindowAllowed(5.0 / 24, 192)).isEqualTo(3);
    assertThat(PoissonBound.worstWindowAllowed(0, 10)).isZero();
    assertThat(PoissonBound.upper95(21)).isGreaterThan(PoissonBound.upper95(20));
  }

  @Test
  void mistakeRateTargetBelowWhatTheTraceCanShow_requiresZeroMistakes_andSaysSo() {
    // 2 hours observed: 1/day is not observable (zero mistakes show < 36/day); only
    // zero-mistake settings qualify, and the target is not shown met: `met` says so.
    QosAdvisor.Recommendation advice =
        QosAdvisor.recommend(curves(2 * 3600 * S), QosTarget.maxMistakesPerDay(1));
    assertThat(advice.met()).isFalse();
    assertThat(advice.detector()).isEqualTo("fast-but-wrong");
    assertThat(advice.point().setting()).isEqualTo(3);
    assertThat(advice.explanation()).startsWith("Not shown to meet 1 mistakes/day")
        .contains("The trace covers 2.0 h after its warm-up, too short to show 1 mistakes/day")
        .contains("below about 35.9/day").contains("Record a trace of at least 6.0 days");
  }

  @Test
  void detectionTimeTarget_picksTheFewestMistakesWithinIt() {
    QosAdvisor.Recommendation advice =
        QosAdvisor.recommend(curves(10 * DAY), QosTarget.maxDetectionTime(Duration.ofMillis(700)));
    assertThat(advice.met()).isTrue();
    assertThat(advice.detector()).isEqualTo("steady");
    assertThat(advice.point().setting()).isEqualTo(20);
  }

  @Test
  void unreachableTargets_areReportedWithTheClosestSetting() {
    QosAdvisor.Recommendation tooFast =
        QosAdvisor.recommend(curves(10 * DAY), QosTarget.maxDetectionTime(Duration.ofMillis(50)));
    assertThat(tooFast.met()).isFalse();
    assertThat(tooFast.point().setting()).isEqualTo(1);
    assertThat(tooFast.explanation()).startsWith("No setting detects within 0.050 s");

    List<QosCurve> noisy = List.of(new QosCurve("only", "t", List.of(
        point(1, 0.1, 50, 10 * DAY), point(2, 0.2, 20, 10 * DAY))));
    QosAdvisor.Recommendation tooFew = QosAdvisor.recommend(noisy, QosTarget.maxMistakesPerDay(1));
    assertThat(tooFew.met()).isFalse();
    assertThat(tooFew.point().setting()).isEqualTo(2);
    assertThat(tooFew.explanation()).startsWith("No setting stays under 1 mistakes/day");
  }
}
