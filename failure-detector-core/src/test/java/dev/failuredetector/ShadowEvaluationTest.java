package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.failuredetector.qos.HeartbeatTrace;
import dev.failuredetector.qos.QosReplay;
import dev.failuredetector.qos.QosReport;
import dev.failuredetector.qos.ShadowCandidates;
import dev.failuredetector.qos.ShadowResult;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Shadow candidates see the live arrivals and count what they would have done: exactly what an
 * offline replay of the same arrivals measures, with no trace kept and nothing allocated.
 */
class ShadowEvaluationTest {

  private static final long MS = 1_000_000L;

  private final ManualClock clock = new ManualClock(0);
  private final ManualTicks ticks = new ManualTicks(clock);

  private static final List<DetectorSpec> CANDIDATES = List.of(
      DetectorSpec.parse("deadline:pause=50ms"), DetectorSpec.parse("deadline:pause=1s"),
      DetectorSpec.parse("phi:threshold=3,min-std=10ms,pause=0s"),
      DetectorSpec.parse("chen:margin=80ms"));

  private final ShadowCandidates shadows = ShadowCandidates.of(CANDIDATES);

  private FailureDetectorRegistry<String> registry() {
    return FailureDetectorRegistry.<String>builder()
        .detector(DetectorSpec.parse("deadline:interval=100ms,pause=300ms"))
        .plugin(shadows).clock(clock).tickScheduler(ticks).build();
  }

  @Test
  void eachCandidate_countsWhatAnOfflineReplayOfTheSameArrivalsMeasures() {
    try (FailureDetectorRegistry<String> registry = registry()) {
      MonitoredPeer<String> peer = registry.register("b");
      SplittableRandom random = new SplittableRandom(7);
      List<Long> arrivals = new ArrayList<>();
      long now = 1_000 * MS;
      for (int seq = 1; seq <= 5_000; seq++) {
        // every 100 ms with jitter; now and then a 200-900 ms gap
        now += 100 * MS + random.nextLong(20 * MS)
            + (random.nextInt(200) == 0 ? 200 * MS + random.nextLong(700 * MS) : 0);
        clock.set(now);
        assertThat(peer.heartbeat(seq, now)).isEqualTo(HeartbeatOutcome.RECORDED);
        arrivals.add(now);
      }
      long[] sequences = new long[arrivals.size()];
      long[] times = new long[arrivals.size()];
      for (int i = 0; i < times.length; i++) {
        sequences[i] = i + 1;
        times[i] = arrivals.get(i);
      }
      HeartbeatTrace trace = HeartbeatTrace.ofArrivals(sequences, times);
      List<ShadowResult> results = shadows.results(peer.key());
      assertThat(results).hasSize(CANDIDATES.size());
      for (int i = 0; i < CANDIDATES.size(); i++) {
        DetectorSpec spec = shadows.candidates().get(i);
        assertThat(spec.interval()).as("the registry's interval").isEqualTo(Duration.ofMillis(100));
        QosReport offline = QosReplay.replay(trace, () -> spec.newDetector(clock), 0);
        ShadowResult live = results.get(i);
        assertThat(live.candidate()).isEqualTo(spec);
        assertThat(live.heartbeats()).isEqualTo(5_000);
        assertThat(live.mistakes()).as("%s mistakes", spec).isEqualTo(offline.mistakes());
        assertThat(live.meanDetectionNanos()).as("%s mean detection", spec)
            .isCloseTo(offline.detectionTimeMeanNanos(),
                org.assertj.core.data.Offset.offset(1e-6 * offline.detectionTimeMeanNanos()));
      }
      assertThat(results.get(0).mistakes()).as("pause 50 ms: the gaps are mistakes").isPositive();
      assertThat(results.get(1).mistakes()).as("pause 1 s: none").isZero();
      assertThat(results.get(1).meanDetectionNanos()).isGreaterThan(
          results.get(0).meanDetectionNanos());
      // Totals over peers: one peer here, so the same.
      assertThat(shadows.totals()).isEqualTo(results);
    }
  }

  @Test
  void shadowHeartbeats_allocateNothing() {
    try (FailureDetectorRegistry<String> registry = registry()) {
      MonitoredPeer<String> peer = registry.register("b");
      long now = 0;
      for (int seq = 1; seq <= 20_000; seq++) { // warm up
        now += 100 * MS + (seq % 7) * MS;
        clock.set(now);
        peer.heartbeat(seq, now);
      }
      com.sun.management.ThreadMXBean threads =
          (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long before = threads.getCurrentThreadAllocatedBytes();
      for (int seq = 20_001; seq <= 220_000; seq++) {
        now += 100 * MS + (seq % 7) * MS;
        clock.set(now);
        peer.heartbeat(seq, now);
      }
      long allocated = threads.getCurrentThreadAllocatedBytes() - before;
      assertThat(shadows.results(peer.key()).get(0).heartbeats()).isEqualTo(220_000);
      assertThat(allocated).as("bytes for 200,000 heartbeats with 4 candidates").isLessThan(1024);
    }
  }

  @Test
  void restart_givesTheCandidatesFreshDetectors_andKeepsTheCounts() {
    try (FailureDetectorRegistry<String> registry = registry()) {
      MonitoredPeer<String> peer = registry.register("b");
      long now = 0;
      for (int seq = 1; seq <= 10; seq++) {
        now += 100 * MS;
        clock.set(now);
        peer.heartbeat(1, seq, now);
      }
      now += 5_000 * MS; // down for 5 s, back as a new incarnation
      clock.set(now);
      assertThat(peer.heartbeat(2, 1, now))
          .isEqualTo(HeartbeatOutcome.UNCONFIRMED_INCARNATION);
      now += 100 * MS;
      clock.set(now);
      assertThat(peer.heartbeat(2, 2, now)).isEqualTo(HeartbeatOutcome.RESTARTED);
      ShadowResult pause50 = shadows.results(peer.key()).get(0);
      assertThat(pause50.heartbeats()).isEqualTo(11);
      assertThat(pause50.mistakes()).as("a restart is not a mistake of the candidate").isZero();
    }
  }

  @Test
  void noCandidates_byDefault_andAtMostEight() {
    try (FailureDetectorRegistry<String> plain = FailureDetectorRegistry.<String>builder()
        .clock(clock).tickScheduler(ticks).build()) {
      plain.register("b");
      assertThat(plain.plugin(ShadowCandidates.class)).isEmpty();
    }
    ShadowCandidates none = ShadowCandidates.of(List.of());
    try (FailureDetectorRegistry<String> registry = FailureDetectorRegistry.<String>builder()
        .plugin(none).clock(clock).tickScheduler(ticks).build()) {
      registry.register("b");
      assertThat(none.results("b")).isEmpty();
      assertThat(none.totals()).isEmpty();
    }
    List<DetectorSpec> nine = java.util.Collections.nCopies(9, DetectorSpec.phi());
    assertThatThrownBy(() -> ShadowCandidates.of(nine))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shadowCandidates must be at most 8, got 9");
  }
}
