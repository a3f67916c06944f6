package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ChenFailureDetectorTest {

  private static final long MS = 1_000_000L;
  private static final long T0 = -5_000 * MS; // any origin: times are compared by subtraction

  private final ManualClock clock = new ManualClock(T0);

  private ChenFailureDetector.Builder eta100() {
    return ChenFailureDetector.builder().heartbeatInterval(Duration.ofMillis(100))
        .safetyMargin(Duration.ofMillis(50)).clock(clock);
  }

  @Test
  void knownValues_expectedArrivalFromTheWindowOfOffsets() {
    ChenFailureDetector detector = eta100().windowSize(3).build();
    assertThat(detector.timeoutNanos()).isEqualTo(150 * MS); // eta + alpha before any heartbeat
    // (sequence, arrival ms) -> timeout after it. Offsets from the schedule: 0, 10, -10, 20, 0.
    long[][] table = {
        {0, 0, 150 * MS},            // EA1 = 0 + 100
        {1, 110, 145 * MS},          // mean(0,10) = 5: EA2 = 205, +50 - 110
        {2, 190, 160 * MS},          // mean(0,10,-10) = 0: EA3 = 300
        {3, 320, 136_666_667L},      // window 3: mean(10,-10,20) = 6.667: EA4 = 406.667
        {4, 400, 153_333_333L},      // mean(-10,20,0) = 3.333: EA5 = 503.333
    };
    for (long[] row : table) {
      detector.heartbeat(row[0], T0 + row[1] * MS);
      assertThat(detector.timeoutNanos()).as("after heartbeat %s", row[0]).isEqualTo(row[2]);
      assertThat(detector.suspectAtNanos()).isEqualTo(T0 + row[1] * MS + row[2]);
    }
    long suspectAt = detector.suspectAtNanos();
    assertThat(detector.isAvailable(suspectAt - 1)).isTrue();
    assertThat(detector.isAvailable(suspectAt)).isFalse();
  }

  @Test
  void lostHeartbeat_doesNotSkewTheEstimate() {
    ChenFailureDetector detector = eta100().build();
    for (int seq = 0; seq < 5; seq++) {
      detector.heartbeat(seq, T0 + seq * 100 * MS);
    }
    detector.heartbeat(6, T0 + 600 * MS); // 5 was lost: 6 is exactly on schedule
    assertThat(detector.timeoutNanos()).isEqualTo(150 * MS);
  }

  @Test
  void duplicateOrReorderedSequence_isIgnored() {
    ChenFailureDetector detector = eta100().build();
    detector.heartbeat(0, T0);
    detector.heartbeat(1, T0 + 100 * MS);
    detector.heartbeat(1, T0 + 150 * MS);
    detector.heartbeat(0, T0 + 160 * MS);
    assertThat(detector.lastHeartbeatNanos()).isEqualTo(T0 + 100 * MS);
    assertThat(detector.timeoutNanos()).isEqualTo(150 * MS);
  }

  @Test
  void heartbeatWithoutSequence_countsConsecutively() {
    ChenFailureDetector detector = eta100().windowSize(3).build();
    for (long arrival : new long[] {0, 110, 190, 320, 400}) {
      clock.set(T0 + arrival * MS);
      detector.heartbeat();
    }
    assertThat(detector.timeoutNanos()).isEqualTo(153_333_333L);
  }

  @Test
  void heartbeatLaterThanTheNextExpectedArrival_leavesTheTimeoutAtZero() {
    // As in Chen's NFD-E: if the freshness point of the next heartbeat has already passed when
    // a late one arrives, the peer stays suspected.
    ChenFailureDetector detector = eta100().safetyMargin(Duration.ZERO).build();
    for (int seq = 0; seq < 5; seq++) {
      detector.heartbeat(seq, T0 + seq * 100 * MS);
    }
    detector.heartbeat(5, T0 + 800 * MS); // 300 ms late: EA6 = 650 ms, in the past
    assertThat(detector.timeoutNanos()).isZero();
    assertThat(detector.isAvailable(T0 + 800 * MS)).isFalse();
  }

  @Test
  void senderSlowerThanConfigured_offsetsAreRebasedWithoutChangingTheEstimate() {
    // Real interval 101 ms against a configured 100 ms: the offset grows 1 ms per heartbeat and
    // passes the 2^40 ns re-base limit after about 1.1 million heartbeats.
    ChenFailureDetector detector = eta100().windowSize(10).build();
    long timeoutAfterWarmup = 0;
    for (int seq = 0; seq < 1_200_000; seq++) {
      detector.heartbeat(seq, T0 + seq * 101 * MS);
      if (seq == 100) {
        timeoutAfterWarmup = detector.timeoutNanos();
      }
    }
    // mean of the last 10 offsets is 4.5 ms below the newest: EA = last + 100 - 4.5 ms
    assertThat(timeoutAfterWarmup).isEqualTo(145_500_000L);
    assertThat(detector.timeoutNanos()).isEqualTo(timeoutAfterWarmup);
  }

  @Test
  void absurdSequenceJump_saturatesInsteadOfOverflowing() {
    ChenFailureDetector detector = eta100().build();
    detector.heartbeat(0, T0);
    detector.heartbeat(Long.MAX_VALUE / 2, T0 + 100 * MS);
    assertThat(detector.timeoutNanos()).isNotNegative();
    detector.heartbeat(Long.MAX_VALUE / 2 + 1, T0 + 200 * MS);
    assertThat(detector.timeoutNanos()).isNotNegative();
    assertThat(detector.lastHeartbeatNanos()).isEqualTo(T0 + 200 * MS);
  }

  @Test
  void setSafetyMargin_appliesAtOnce_andRejectsBadValues() {
    ChenFailureDetector detector = eta100().build();
    detector.heartbeat(0, T0);
    detector.setSafetyMargin(Duration.ofMillis(400));
    assertThat(detector.timeoutNanos()).isEqualTo(500 * MS);
    assertThat(detector.safetyMargin()).isEqualTo(Duration.ofMillis(400));
    assertThatThrownBy(() -> detector.setSafetyMargin(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("chen margin must be >= 0 and <= 1d, got -1ms");
    assertThat(detector.timeoutNanos()).isEqualTo(500 * MS);
  }

  @Test
  void builder_rejectsBadSettings() {
    assertThatThrownBy(() -> ChenFailureDetector.builder().heartbeatInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("chen interval must be > 0 and <= 1d, got 0s");
    assertThatThrownBy(() -> ChenFailureDetector.builder().windowSize(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("chen window must be between 1 and 1048576, got 0");
    assertThatThrownBy(() -> ChenFailureDetector.builder().safetyMargin(null))
        .isInstanceOf(NullPointerException.class).hasMessage("chen margin must not be null");
  }
}
