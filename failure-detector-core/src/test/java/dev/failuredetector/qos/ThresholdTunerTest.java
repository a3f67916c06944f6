package dev.failuredetector.qos;

import dev.failuredetector.DetectorSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.failuredetector.AccrualFailureDetector;
import dev.failuredetector.FailureDetectorRegistry;
import dev.failuredetector.TickScheduler;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ThresholdTunerTest {

  /** 30 min every 100 ms, jittery delay, and two 700 ms sender stalls (one every 15 min). */
  private static final HeartbeatTrace TRACE = SyntheticTrace.builder()
      .interval(Duration.ofMillis(100)).duration(Duration.ofMinutes(30))
      .delay(new DelayModel(Duration.ofMillis(2), Duration.ofMillis(3), 0.001))
      .senderPause(Duration.ofMinutes(10), Duration.ofMillis(700))
      .senderPause(Duration.ofMinutes(25), Duration.ofMillis(700))
      .seed(6).build();
  private static final TickScheduler NO_TICKS = (tick, period) -> () -> { };

  private FailureDetectorRegistry<String> registry;

  @AfterEach
  void close() {
    if (registry != null) {
      registry.close();
    }
  }

  private FailureDetectorRegistry<String> phiRegistry(Duration pause) {
    registry = FailureDetectorRegistry.builder()
        .detector(DetectorSpec.phi().withInterval(Duration.ofMillis(100))
            .withPause(pause).withMinStd(Duration.ofMillis(10)))
        .tickScheduler(NO_TICKS).build();
    return registry;
  }

  private double threshold() {
    return ((DetectorSpec.Phi) registry.spec()).threshold();
  }

  @Test
  void recommend_replaysTheRegistrysOwnConfiguration() {
    phiRegistry(Duration.ofMillis(500));
    QosAdvisor.Recommendation advice =
        ThresholdTuner.recommend(registry, TRACE, QosTarget.maxDetectionTime(Duration.ofSeconds(2)));
    assertThat(advice.met()).isTrue();
    assertThat(advice.detector()).isEqualTo("phi");
    assertThat(advice.point().spec()).isEqualTo(((DetectorSpec.Phi) registry.spec())
        .withThreshold(advice.point().setting()));
    assertThat(advice.setting()).isEqualTo("threshold");
    // The same threshold replayed by hand through the same configuration gives the same report;
    // the 500 ms acceptable pause shows in the detection time (tune's generic candidates have none).
    double chosen = advice.point().setting();
    QosReport byHand = QosReplay.replay(TRACE, () -> {
      AccrualFailureDetector d = (AccrualFailureDetector) registry.spec().newDetector();
      d.setThreshold(chosen);
      return d;
    }, DetectorCandidates.defaultWarmup(TRACE));
    assertThat(advice.point().report()).isEqualTo(byHand);
    assertThat(byHand.detectionTimeMeanNanos()).isGreaterThan(Duration.ofMillis(600).toNanos());
  }

  @Test
  void apply_targetMet_setsTheThresholdOfEveryPeer() {
    phiRegistry(Duration.ZERO);
    registry.register("a");
    assertThat(threshold()).isEqualTo(8.0);
    QosAdvisor.Recommendation advice =
        ThresholdTuner.apply(registry, TRACE, QosTarget.maxMistakesPerDay(1000));
    assertThat(advice.met()).isTrue();
    assertThat(advice.point().report().mistakesPerDay()).isLessThanOrEqualTo(1000);
    assertThat(threshold()).isEqualTo(advice.point().setting()).isNotEqualTo(8.0);
  }

  @Test
  void apply_targetNotMet_changesNothing() {
    phiRegistry(Duration.ZERO);
    QosAdvisor.Recommendation advice = ThresholdTuner.apply(registry, TRACE,
        QosTarget.maxDetectionTime(Duration.ofMillis(1)));
    assertThat(advice.met()).isFalse();
    assertThat(threshold()).isEqualTo(8.0);
  }

  @Test
  void recommend_badInput_clearErrors() {
    registry = FailureDetectorRegistry.builder()
        .detector(DetectorSpec.deadline().withInterval(Duration.ofMillis(100)))
        .tickScheduler(NO_TICKS).build();
    // Any kind tunes its own tuning setting: for a fixed deadline, the pause.
    QosAdvisor.Recommendation pause =
        ThresholdTuner.recommend(registry, TRACE, QosTarget.maxMistakesPerDay(1000));
    assertThat(pause.setting()).isEqualTo("pause (ms)");
    assertThat(pause.point().spec()).isInstanceOf(DetectorSpec.Deadline.class);
    registry.close();
    phiRegistry(Duration.ZERO);
    HeartbeatTrace tiny = SyntheticTrace.builder().interval(Duration.ofMillis(100))
        .duration(Duration.ofSeconds(1)).build();
    assertThatThrownBy(() -> ThresholdTuner.recommend(registry, tiny, QosTarget.maxMistakesPerDay(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("the trace has 10 heartbeats; record at least 20");
  }

  /**
   * A pick at the sweep's edge says so: with a 3 s acceptable pause even the smallest threshold
   * tried makes no mistake here, and a smaller one was never measured (before, the node's stdin
   * {@code tune} answered threshold 0.5 without a word).
   */
  @Test
  void recommend_atTheEdgeOfTheSweep_saysSo() {
    phiRegistry(Duration.ofSeconds(3));
    QosAdvisor.Recommendation advice =
        ThresholdTuner.recommend(registry, TRACE, QosTarget.maxMistakesPerDay(1000));
    assertThat(advice.explanation()).as(advice.explanation())
        .contains("This is the smallest threshold tried: a value beyond it was not measured.");
  }
}
