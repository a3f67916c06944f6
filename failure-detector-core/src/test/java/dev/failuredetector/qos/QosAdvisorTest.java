package dev.failuredetector.qos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class QosAdvisorTest {

  private static final long S = 1_000_000_000L;
  private static final long DAY = 86_400 * S;

  /** A report over {@code observed} with a mean (and p99) detection time and a mistake count. */
  private static QosPoint point(double setting, double detectionSeconds, long mistakes,
      long observed) {
    long td = (long) (detectionSeconds * S);
    return new QosPoint(setting, new QosReport(1000, observed, td, td, td, mistakes,
        mistakes / (observed / 1e9), 0, 1));
  }

  private static List<QosCurve> curves(long observed) {
    return List.of(
        new QosCurve("fast-but-wrong", "t", List.of(point(1, 0.1, 50, observed),
            point(2, 0.5, 3, observed), point(3, 0.9, 0, observed))),
        new QosCurve("steady", "m", List.of(point(10, 0.3, 10, observed),
            point(20, 0.6, 1, observed), point(30, 2.0, 0, observed))));
  }

  @Test
  void mistakeRateTarget_picksTheFastestThatMeetsIt() {
    // 10 days observed: 3 mistakes = 0.3/day, 1 mistake = 0.1/day, 10 = 1/day.
    QosAdvisor.Recommendation advice =
        QosAdvisor.recommend(curves(10 * DAY), QosTarget.maxMistakesPerDay(0.5));
    assertThat(advice.met()).isTrue();
    assertThat(advice.detector()).isEqualTo("fast-but-wrong");
    assertThat(advice.point().setting()).isEqualTo(2);
    assertThat(advice.explanation()).contains("It made 3 mistakes in 240.00 h");
  }

  @Test
  void mistakeRateTargetBelowWhatTheTraceCanShow_requiresZeroMistakes_andSaysSo() {
    // 2 hours observed: 1/day is not observable; only zero-mistake settings qualify.
    QosAdvisor.Recommendation advice =
        QosAdvisor.recommend(curves(2 * 3600 * S), QosTarget.maxMistakesPerDay(1));
    assertThat(advice.met()).isTrue();
    assertThat(advice.detector()).isEqualTo("fast-but-wrong");
    assertThat(advice.point().setting()).isEqualTo(3);
    assertThat(advice.explanation()).contains("too short to observe 1 mistakes/day")
        .contains("below about 36/day");
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
