package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.failuredetector.qos.AutoTuner;
import dev.failuredetector.qos.QosTarget;
import dev.failuredetector.qos.ShadowCandidates;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Auto-tuning's settings: refused with a reason, never half-built; the active spec evaluated. */
class AutoTuneSettingsTest {

  private final ManualClock clock = new ManualClock(0);
  private final ManualTicks ticks = new ManualTicks(clock);
  private static final DetectorSpec CHEN = DetectorSpec.parse("chen:interval=100ms,margin=500ms");

  private FailureDetectorRegistry.Builder builder() {
    return FailureDetectorRegistry.builder().detector(CHEN).clock(clock).tickScheduler(ticks);
  }

  @Test
  void badSettings_areRefusedNamingThem() {
    ShadowCandidates shadows = ShadowCandidates.withActive(List.of());
    assertThatThrownBy(() -> AutoTuner.of(shadows, QosTarget.maxDetectionTime(Duration.ofSeconds(1)),
        2, Duration.ofMinutes(10))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("autoTune takes a mistake budget (QosTarget.maxMistakesPerDay)");
    assertThatThrownBy(() -> AutoTuner.of(shadows, QosTarget.maxMistakesPerDay(10), 0.5,
        Duration.ofMinutes(10))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("headroom must be a finite number >= 1, got 0.5");
    assertThatThrownBy(() -> AutoTuner.of(shadows, QosTarget.maxMistakesPerDay(10), 2,
        Duration.ofMillis(500))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("autoTune period must be at least 1s, got PT0.5S");
    assertThatThrownBy(() -> builder().plugin(AutoTuner.of(shadows,
        QosTarget.maxMistakesPerDay(10), 2, Duration.ofMinutes(10))).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("autoTune needs its ShadowCandidates added to the registry before it");
    assertThatThrownBy(() -> builder().plugin(shadows).plugin(AutoTuner.of(shadows,
        QosTarget.maxMistakesPerDay(10), 2, Duration.ofMinutes(10))).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("autoTune needs shadowCandidates to choose from");
    ShadowCandidates plain = ShadowCandidates.of(
        List.of(CHEN.with("margin", "1s"), CHEN.with("margin", "2s")));
    assertThatThrownBy(() -> builder().plugin(plain).plugin(AutoTuner.of(plain,
        QosTarget.maxMistakesPerDay(10), 2, Duration.ofMinutes(10))).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("autoTune evaluates the active detector");
    ShadowCandidates other = ShadowCandidates.withActive(List.of(DetectorSpec.parse("phi")));
    assertThatThrownBy(() -> builder().plugin(other).plugin(AutoTuner.of(other,
        QosTarget.maxMistakesPerDay(10), 2, Duration.ofMinutes(10))).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("differs from the detector chen:interval=100ms,window=1000,"
            + "margin=500ms in more than margin");
  }

  @Test
  void theActiveSpec_isEvaluatedAsACandidate_andNothingChangesWithoutEvidence() {
    ShadowCandidates shadows = ShadowCandidates.withActive(
        List.of(CHEN.with("margin", "100ms"), CHEN.with("margin", "1s")));
    AutoTuner tuner = AutoTuner.of(shadows, QosTarget.maxMistakesPerDay(100), 2,
        Duration.ofMinutes(1));
    try (FailureDetectorRegistry<String> registry = builder().plugin(shadows).plugin(tuner)
        .build()) {
      assertThat(shadows.candidates()).first().isEqualTo(CHEN);
      assertThat(shadows.candidates()).hasSize(3);
      MonitoredPeer<String> peer = registry.register("b");
      // 30 minutes of steady heartbeats: too little to show any rate within 100/day at 2x.
      for (int seq = 1; seq <= 18_000; seq++) {
        ticks.advanceMillis(100);
        peer.heartbeat(seq, clock.nanoTime());
      }
      assertThat(tuner.changes()).isZero();
      assertThat(registry.spec()).isEqualTo(CHEN);
      // Three hours: now zero mistakes show a rate below 24/day; the 100 ms margin takes over.
      for (int seq = 18_001; seq <= 108_000; seq++) {
        ticks.advanceMillis(100);
        peer.heartbeat(seq, clock.nanoTime());
      }
      assertThat(tuner.changes()).isEqualTo(1);
      assertThat(registry.spec()).isEqualTo(CHEN.with("margin", "100ms"));
    }
  }
}
