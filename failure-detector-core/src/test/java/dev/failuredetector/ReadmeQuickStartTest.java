package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failuredetector.micrometer.FailureDetectorMetrics;
import dev.failuredetector.qos.AutoTuner;
import dev.failuredetector.qos.QosTarget;
import dev.failuredetector.qos.ShadowCandidates;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The snippets of docs/detectors.md (quick start), docs/registry.md and docs/tuning.md, kept
 * compiling and true.
 */
class ReadmeQuickStartTest {

  @Test
  void quickStart() {
    ManualClock clock = new ManualClock(0);

    // --- docs/detectors.md quick start ---
    PhiAccrualFailureDetector detector = PhiAccrualFailureDetector.builder()
        .threshold(8)                                      // suspicion level that means "down"
        .acceptableHeartbeatPause(Duration.ofSeconds(3))   // GC pauses, a lost heartbeat or two
        .firstHeartbeatEstimate(Duration.ofSeconds(1))     // the peer's heartbeat interval
        .clock(clock)                                      // omit in production: System.nanoTime
        .build();

    // On the one thread that receives this peer's heartbeats:
    detector.heartbeat();

    // From any thread:
    boolean sendRequests = detector.isAvailable();
    double phi = detector.phi();                           // 0 = just heard, 8 = threshold
    Duration timeout = Duration.ofNanos(detector.timeoutNanos());
    // --- end ---

    assertThat(sendRequests).isTrue();
    assertThat(phi).isLessThan(1);
    assertThat(timeout).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(6));
    clock.set(detector.suspectAtNanos());
    assertThat(detector.isAvailable()).isFalse();
  }

  /** Stands in for an SLF4J logger in the registry snippet of docs/registry.md. */
  private static final class Log {
    final List<String> lines = new ArrayList<>();

    void info(String format, Object... args) {
      lines.add(format + " " + List.of(args));
    }
  }

  @Test
  void registryQuickStart() {
    Log log = new Log();
    SimpleMeterRegistry meterRegistry = new SimpleMeterRegistry();

    // --- docs/registry.md ---
    FailureDetectorRegistry<String> peers = FailureDetectorRegistry.builder()
        .detector(DetectorSpec.parse("phi:window=200,interval=500ms")) // one per peer
        .maxPeers(10_000)
        .listenerExecutor(Runnable::run) // (test only: deliver on this thread)
        .build();                                     // starts its timer thread; close() stops it

    peers.addListener(t -> log.info("{} {} -> {} ({})", t.key(), t.from(), t.to(), t.reason()));
    FailureDetectorMetrics.monitor(meterRegistry, peers, "cluster");   // optional, Micrometer

    MonitoredPeer<String> node2 = peers.register("node-2"); // explicit: unknown keys are dropped
    node2.heartbeat(System.nanoTime());               // from the thread that reads node-2's packets
    peers.heartbeat("node-2");                        // the same, looked up by key
    peers.markFailed("node-3", TransitionReason.CONNECTION_REFUSED);   // a faster clue
    boolean send = peers.isAvailable("node-2");
    peers.setThreshold(10);                           // every peer, at run time
    // --- end ---

    peers.close();
    assertThat(send).isTrue();
    assertThat(node2.state()).isEqualTo(PeerState.AVAILABLE);
    assertThat(peers.stats().heartbeatsRecorded()).isEqualTo(2);
    assertThat(peers.spec().toString()).isEqualTo(
        "phi:interval=500ms,threshold=10,window=200,min-std=100ms,pause=3s,"
            + "learn-suspicions=true");
    assertThat(log.lines).hasSize(2);
    assertThat(peers.markFailed("node-3", TransitionReason.LEFT)).as("node-3 was never registered")
        .isFalse();
    assertThat(meterRegistry.find("failure.detector.peers").tag("state", "available").gauge()
        .value()).isEqualTo(1.0);
  }

  /** docs/tuning.md "Live: shadow candidates and auto-tuning", as written (it used to throw). */
  @Test
  void shadowCandidatesSnippet_builds() {
    ShadowCandidates shadows = ShadowCandidates.withActive(List.of(
        DetectorSpec.parse("chen:margin=150ms"), DetectorSpec.parse("chen:margin=300ms"),
        DetectorSpec.parse("chen:margin=1s")));
    try (FailureDetectorRegistry<String> peers = FailureDetectorRegistry.<String>builder()
        .detector(DetectorSpec.parse("chen:interval=100ms,margin=500ms"))
        .plugin(shadows)
        .plugin(AutoTuner.of(shadows, QosTarget.maxMistakesPerDay(100), 2,
            Duration.ofMinutes(10)))
        .build()) {
      peers.register("b");
      // Auto-tuning evaluates the active spec as a candidate too: three and the detector.
      assertThat(shadows.totals()).hasSize(4);
      assertThat(shadows.results("b")).hasSize(4);
    }
  }
}
