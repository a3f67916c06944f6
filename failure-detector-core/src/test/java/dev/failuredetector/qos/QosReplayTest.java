package dev.failuredetector.qos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.failuredetector.DeadlineFailureDetector;
import dev.failuredetector.FailureDetector;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** QoS metrics on hand-built traces whose answers are worked out by hand in the comments. */
class QosReplayTest {

  private static final long MS = 1_000_000L;

  private static HeartbeatTrace arrivalsMillis(long... millis) {
    long[] sequences = new long[millis.length];
    long[] nanos = new long[millis.length];
    for (int i = 0; i < millis.length; i++) {
      sequences[i] = i;
      nanos[i] = millis[i] * MS;
    }
    return HeartbeatTrace.ofArrivals(sequences, nanos);
  }

  /** A detector whose timeout after the i-th heartbeat is scripted. */
  private static final class ScriptedDetector implements FailureDetector {
    private final long[] timeoutsNanos;
    private int heartbeats;
    private long last;

    ScriptedDetector(long... timeoutsMillis) {
      timeoutsNanos = new long[timeoutsMillis.length];
      for (int i = 0; i < timeoutsMillis.length; i++) {
        timeoutsNanos[i] = timeoutsMillis[i] * MS;
      }
    }

    @Override
    public void heartbeat() {
      throw new UnsupportedOperationException();
    }

    @Override
    public void heartbeat(long nowNanos) {
      last = nowNanos;
      heartbeats++;
    }

    @Override
    public boolean isAvailable() {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean isAvailable(long nowNanos) {
      return nowNanos - suspectAtNanos() < 0;
    }

    @Override
    public boolean isMonitoring() {
      return heartbeats > 0;
    }

    @Override
    public long suspectAtNanos() {
      return last + timeoutNanos();
    }

    @Override
    public long timeoutNanos() {
      return timeoutsNanos[heartbeats - 1];
    }

    @Override
    public long lastHeartbeatNanos() {
      return last;
    }
  }

  @Test
  void deadlineDetector_oneGap_oneMistakeOfKnownLength() {
    // Timeout 300 ms. Arrivals 0..300 every 100 ms, a 400 ms gap, then 700, 800, 900.
    // Deadline after 300 is 600 < 700: one mistake from 600 to 700 (100 ms).
    HeartbeatTrace trace = arrivalsMillis(0, 100, 200, 300, 700, 800, 900);
    QosReport report = QosReplay.replay(trace, () -> DeadlineFailureDetector.builder()
        .heartbeatInterval(Duration.ofMillis(100))
        .acceptableHeartbeatPause(Duration.ofMillis(200)).build(), 0);
    assertThat(report.heartbeats()).isEqualTo(7);
    assertThat(report.observedNanos()).isEqualTo(900 * MS);
    assertThat(report.mistakes()).isEqualTo(1);
    assertThat(report.meanMistakeDurationNanos()).isEqualTo(100.0 * MS);
    assertThat(report.queryAccuracy()).isCloseTo(1 - 100.0 / 900, within(1e-12));
    assertThat(report.mistakeRatePerSecond()).isCloseTo(1 / 0.9, within(1e-12));
    assertThat(report.detectionTimeMeanNanos()).isEqualTo(300.0 * MS);
    assertThat(report.detectionTimeP99Nanos()).isEqualTo(300 * MS);
    assertThat(report.detectionTimeMaxNanos()).isEqualTo(300 * MS);
    assertThat(report.mistakesPerDay()).isCloseTo(86_400 / 0.9, within(1e-6));
  }

  @Test
  void backToBackSuspicions_areOneMistake_detectionTimesPerCrashPoint() {
    // Arrivals 0, 200, 400, 600, 800; timeouts after them 100, 0, 0, 500, 100.
    // 0: deadline 100 < 200: mistake 1 begins, suspected 100..200.
    // 200, 400: timeout 0, suspicion never lifts: the same mistake, 200..400 and 400..600.
    // 600: deadline 1100 > 800: trusted again. Suspected 100 + 200 + 200 = 500 ms of 800.
    // Detection times 100, 0, 0, 500, 100: mean 140, p99 and max 500.
    HeartbeatTrace trace = arrivalsMillis(0, 200, 400, 600, 800);
    QosReport report = QosReplay.replay(trace, () -> new ScriptedDetector(100, 0, 0, 500, 100), 0);
    assertThat(report.mistakes()).isEqualTo(1);
    assertThat(report.meanMistakeDurationNanos()).isEqualTo(500.0 * MS);
    assertThat(report.queryAccuracy()).isCloseTo(1 - 500.0 / 800, within(1e-12));
    assertThat(report.detectionTimeMeanNanos()).isEqualTo(140.0 * MS);
    assertThat(report.detectionTimeP99Nanos()).isEqualTo(500 * MS);
    assertThat(report.detectionTimeMaxNanos()).isEqualTo(500 * MS);
  }

  @Test
  void trustRegainedBetweenSuspicions_countsTwoMistakes() {
    // Timeouts 100, 300, 100: suspected 100..200 (mistake 1); after 200 the deadline 500 > 400:
    // trusted; after 400 the deadline 500 < 600: mistake 2, 500..600. Total 200 ms of 600.
    HeartbeatTrace trace = arrivalsMillis(0, 200, 400, 600);
    QosReport report = QosReplay.replay(trace, () -> new ScriptedDetector(100, 300, 100, 100), 0);
    assertThat(report.mistakes()).isEqualTo(2);
    assertThat(report.meanMistakeDurationNanos()).isEqualTo(100.0 * MS);
    assertThat(report.queryAccuracy()).isCloseTo(1 - 200.0 / 600, within(1e-12));
  }

  @Test
  void warmup_isExcludedFromTheMetrics() {
    // The same scripted detector; ignoring the first two heartbeats leaves the crash points at
    // 400 (timeout 0), 600 (500), 800 (100) and the stretch 400..800, of which 400..600 suspected.
    HeartbeatTrace trace = arrivalsMillis(0, 200, 400, 600, 800);
    QosReport report = QosReplay.replay(trace, () -> new ScriptedDetector(100, 0, 0, 500, 100), 2);
    assertThat(report.heartbeats()).isEqualTo(3);
    assertThat(report.observedNanos()).isEqualTo(400 * MS);
    assertThat(report.mistakes()).isEqualTo(1);
    assertThat(report.queryAccuracy()).isCloseTo(0.5, within(1e-12));
    assertThat(report.detectionTimeMeanNanos()).isEqualTo(200.0 * MS);
  }

  @Test
  void perfectTrace_hasNoMistakes() {
    HeartbeatTrace trace = arrivalsMillis(0, 100, 200, 300, 400);
    QosReport report = QosReplay.replay(trace, () -> DeadlineFailureDetector.builder()
        .heartbeatInterval(Duration.ofMillis(100)).acceptableHeartbeatPause(Duration.ZERO)
        .build(), 0);
    assertThat(report.mistakes()).isZero();
    assertThat(report.queryAccuracy()).isEqualTo(1.0);
    assertThat(report.meanMistakeDurationNanos()).isZero();
  }

  @Test
  void badArguments_areRejected() {
    HeartbeatTrace sends = HeartbeatTrace.ofSends(new long[] {1, 2, 3}, new long[] {0, 1, 2});
    assertThatThrownBy(() -> QosReplay.replay(sends, () -> new ScriptedDetector(1, 1, 1), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("send times only");
    HeartbeatTrace trace = arrivalsMillis(0, 100, 200);
    assertThatThrownBy(() -> QosReplay.replay(trace, () -> new ScriptedDetector(1, 1, 1), 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the trace has 3 heartbeats: need more than the 2 of warm-up plus one");
    assertThatThrownBy(() -> QosReplay.replay(trace, () -> new ScriptedDetector(1, 1, 1), -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("warmupHeartbeats must be >= 0, got -1");
  }
}
