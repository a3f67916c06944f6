package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The README's quick start, kept compiling and true. */
class ReadmeQuickStartTest {

  @Test
  void quickStart() {
    ManualClock clock = new ManualClock(0);

    // --- README quick start ---
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
}
