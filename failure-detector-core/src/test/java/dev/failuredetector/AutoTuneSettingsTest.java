package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.failuredetector.qos.QosTarget;
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
    assertThatThrownBy(() -> builder().autoTune(QosTarget.maxDetectionTime(Duration.ofSeconds(1)),
        2, Duration.ofMinutes(10))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("autoTune takes a mistake budget (QosTarget.maxMistakesPerDay)");
    assertThatThrownBy(() -> builder().autoTune(QosTarget.maxMistakesPerDay(10), 0.5,
        Duration.ofMinutes(10))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("headroom must be a finite number >= 1, got 0.5");
    assertThatThrownBy(() -> builder().autoTune(QosTarget.maxMistakesPerDay(10), 2,
        Duration.ofMillis(500))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("autoTune period must be at least 1s, got PT0.5S");
    assertThatThrownBy(() -> builder().autoTune(QosTarget.maxMistakesPerDay(10), 2,
        Duration.ofMinutes(10)).build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("autoTune needs shadowCandidates to choose from");
    assertThatThrownBy(() -> builder().shadowCandidates(List.of(DetectorSpec.parse("phi")))
        .autoTune(QosTarget.maxMistakesPerDay(10), 2, Duration.ofMinutes(10)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("differs from the detector chen:interval=100ms,window=1000,"
            + "margin=500ms in more than margin");
  }

  @Test
  void theActiveSpec_isEvaluatedAsACandidate_andNothingChangesWithoutEvidence() {
    try (FailureDetectorRegistry<String> registry = builder()
        .shadowCandidates(List.of(CHEN.with("margin", "100ms"), CHEN.with("margin", "1s")))
        .autoTune(QosTarget.maxMistakesPerDay(100), 2, Duration.ofMinutes(1)).build()) {
      assertThat(registry.shadowCandidates()).first().isEqualTo(CHEN);
      assertThat(registry.shadowCandidates()).hasSize(3);
      MonitoredPeer<String> peer = registry.register("b");
      // 30 minutes of steady heartbeats: too little to show any rate within 100/day at 2x.
      for (int seq = 1; seq <= 18_000; seq++) {
        ticks.advanceMillis(100);
        peer.heartbeat(seq, clock.nanoTime());
      }
      assertThat(registry.autoTuneChanges()).isZero();
      assertThat(registry.spec()).isEqualTo(CHEN);
      // Three hours: now zero mistakes show a rate below 24/day; the 100 ms margin takes over.
      for (int seq = 18_001; seq <= 108_000; seq++) {
        ticks.advanceMillis(100);
        peer.heartbeat(seq, clock.nanoTime());
      }
      assertThat(registry.autoTuneChanges()).isEqualTo(1);
      assertThat(registry.spec()).isEqualTo(CHEN.with("margin", "100ms"));
    }
  }
}
