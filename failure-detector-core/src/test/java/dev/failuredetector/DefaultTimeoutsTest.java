package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Defaults a user can trust: every kind, with nothing set but the sender's interval, settles on a
 * timeout between 2 and 40 intervals for steady heartbeats with a little jitter, at the intervals
 * users pick. (Before: phi-exponential added the 3 s pause to the mean and waited 571 intervals
 * at 100 ms; bertier's margin shrank to nothing and it waited 1.1.) The real-socket half, no
 * mistake in 20 s for every kind, is the CLI module's DetectorMatrixTest.
 */
class DefaultTimeoutsTest {

  @ParameterizedTest(name = "{0} at {1} ms")
  @CsvSource({
      "phi, 100", "phi, 1000",
      "phi-normal, 100", "phi-normal, 1000",
      "phi-exponential, 100", "phi-exponential, 1000",
      "chen, 100", "chen, 1000",
      "bertier, 100", "bertier, 1000",
      "two-window, 100", "two-window, 1000",
      "deadline, 100", "deadline, 1000"})
  void defaults_waitBetweenTwoAndFortyIntervals(String kind, long intervalMillis) {
    long interval = Duration.ofMillis(intervalMillis).toNanos();
    FailureDetector detector = DetectorSpec.parse(kind, Duration.ofMillis(intervalMillis),
        "the test").newDetector(() -> 0);
    SplittableRandom random = new SplittableRandom(11);
    long now = 0;
    double least = Double.MAX_VALUE;
    double most = 0;
    for (int seq = 1; seq <= 2_000; seq++) {
      // A fixed-rate sender (as HeartbeatNode's) whose each heartbeat is up to 5% late or early.
      now = seq * interval + random.nextLong(-interval / 20, interval / 20);
      detector.heartbeat(seq, now);
      if (seq > 50) {
        double intervals = (double) detector.timeoutNanos() / interval;
        least = Math.min(least, intervals);
        most = Math.max(most, intervals);
      }
    }
    System.out.printf("%s at %d ms: timeout %.1f to %.1f intervals%n", kind, intervalMillis,
        least, most);
    assertThat(least).as("%s at %d ms: shortest timeout, in intervals", kind, intervalMillis)
        .isGreaterThanOrEqualTo(2);
    assertThat(most).as("%s at %d ms: longest timeout, in intervals", kind, intervalMillis)
        .isLessThanOrEqualTo(40);
  }
}
