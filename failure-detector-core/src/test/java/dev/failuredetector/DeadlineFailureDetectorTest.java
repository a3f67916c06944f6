package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.remote.FailureDetector.Clock;
import org.junit.jupiter.api.Test;
import scala.concurrent.duration.FiniteDuration;

class DeadlineFailureDetectorTest {

  private static final long MS = 1_000_000L;

  @Test
  void knownValues_intervalPlusPause() {
    ManualClock clock = new ManualClock(0);
    DeadlineFailureDetector detector = DeadlineFailureDetector.builder().clock(clock).build();
    assertThat(detector.timeoutNanos()).isEqualTo(4_000 * MS);
    detector.heartbeat(10 * MS);
    assertThat(detector.isAvailable(4_010 * MS - 1)).isTrue();
    assertThat(detector.isAvailable(4_010 * MS)).isFalse();
    detector.setAcceptableHeartbeatPause(Duration.ofSeconds(9));
    assertThat(detector.suspectAtNanos()).isEqualTo(10_010 * MS);
    assertThatThrownBy(() -> detector.setAcceptableHeartbeatPause(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("deadline pause must be >= 0 and <= 1d, got -1s");
  }

  /** Pekko's clock type returns milliseconds. */
  private static final class PekkoClock extends Clock {
    long millis;

    @Override
    public Object apply() {
      return millis;
    }
  }

  @Test
  void sameAvailabilityAsPekkosDeadlineDetector_overSeededSequences() {
    for (int seed = 0; seed < 200; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      long intervalMillis = 1 + random.nextInt(2000);
      long pauseMillis = random.nextInt(5000);
      PekkoClock pekkoClock = new PekkoClock();
      org.apache.pekko.remote.DeadlineFailureDetector pekko =
          new org.apache.pekko.remote.DeadlineFailureDetector(
              FiniteDuration.apply(pauseMillis, TimeUnit.MILLISECONDS),
              FiniteDuration.apply(intervalMillis, TimeUnit.MILLISECONDS), pekkoClock);
      DeadlineFailureDetector ours = DeadlineFailureDetector.builder()
          .heartbeatInterval(Duration.ofMillis(intervalMillis))
          .acceptableHeartbeatPause(Duration.ofMillis(pauseMillis))
          .clock(new ManualClock(0)).build();
      long now = random.nextInt(1_000_000);
      for (int i = 0; i < 200; i++) {
        long probe = now + random.nextLong(intervalMillis + pauseMillis + 2);
        for (long t : new long[] {probe, now + intervalMillis + pauseMillis - 1,
            now + intervalMillis + pauseMillis}) {
          pekkoClock.millis = t;
          assertThat(ours.isAvailable(t * MS)).as("seed=%s t=%s", seed, t)
              .isEqualTo(pekko.isAvailable());
        }
        now += random.nextLong(2 * (intervalMillis + pauseMillis));
        pekkoClock.millis = now;
        pekko.heartbeat();
        ours.heartbeat(now * MS);
        assertThat(ours.isMonitoring()).isEqualTo(pekko.isMonitoring());
      }
    }
  }
}
