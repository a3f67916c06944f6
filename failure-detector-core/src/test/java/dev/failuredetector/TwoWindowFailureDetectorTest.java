package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TwoWindowFailureDetectorTest {

  private static final long MS = 1_000_000L;
  private static final long T0 = 0;

  @Test
  void knownValues_laterOfTheTwoExpectedArrivals() {
    TwoWindowFailureDetector detector = TwoWindowFailureDetector.builder()
        .heartbeatInterval(Duration.ofMillis(100)).safetyMargin(Duration.ofMillis(50))
        .clock(new ManualClock(T0)).build();
    // (sequence, arrival ms, timeout ms). Offsets 0, 10, -10, 120.
    long[][] table = {
        {0, 0, 150},
        {1, 110, 150},   // short (10): 100; long mean 5: 95. max 100
        {2, 190, 160},   // short: 100; long mean 0, last -10: 110
        {3, 420, 150},   // late heartbeat: short 100; long mean 30, last 120: 10. max 100
    };
    for (long[] row : table) {
      detector.heartbeat(row[0], T0 + row[1] * MS);
      assertThat(detector.timeoutNanos()).as("after heartbeat %s", row[0]).isEqualTo(row[2] * MS);
    }
    // Chen with the long window alone would have shrunk to 10 + 50 ms after the late heartbeat.
    ChenFailureDetector chen = ChenFailureDetector.builder().heartbeatInterval(Duration.ofMillis(100))
        .safetyMargin(Duration.ofMillis(50)).clock(new ManualClock(T0)).build();
    for (long[] row : table) {
      chen.heartbeat(row[0], T0 + row[1] * MS);
    }
    assertThat(chen.timeoutNanos()).isEqualTo(60 * MS);
  }

  @Test
  void builder_rejectsAShortWindowLongerThanTheLongOne() {
    TwoWindowFailureDetector.Builder builder =
        TwoWindowFailureDetector.builder().shortWindowSize(50).longWindowSize(10);
    assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("two-window short-window must be <= long-window, got 50 > 10");
    assertThatThrownBy(() -> TwoWindowFailureDetector.builder().shortWindowSize(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("two-window short-window must be between 1 and 1048576, got 0");
  }
}
