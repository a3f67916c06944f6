package dev.failuredetector.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SendScheduleTest {

  private static final long MS = 1_000_000;

  @Test
  void longRunMeanPeriod_isTheInterval_whateverTheJitterAndLateness() {
    long seed = 42;
    SplittableRandom lateness = new SplittableRandom(seed);
    long interval = 20 * MS;
    SendSchedule schedule = new SendSchedule(interval, 0.1, new SplittableRandom(seed + 1), 0);
    long now = 0; // the first round runs at its slot
    long first = now;
    int rounds = 10_000;
    for (int i = 1; i < rounds; i++) {
      long delay = schedule.nextDelayNanos(now);
      assertThat(delay).isNotNegative();
      // The event loop runs each round up to 5 ms late (a busy machine), as a timer would.
      now += delay + lateness.nextLong(5 * MS);
    }
    double meanPeriod = (double) (now - first) / (rounds - 1);
    assertThat(meanPeriod).as("seed %d", seed).isCloseTo(interval, org.assertj.core.data.Offset
        .offset(0.001 * interval)); // a round-by-round reschedule drifts to ~22.5 ms here
    assertThat(schedule.skippedSlots()).isZero();
  }

  @Test
  void jitter_movesEachRoundWithinItsSlot_neverBeforeIt() {
    long interval = 100 * MS;
    SendSchedule schedule = new SendSchedule(interval, 0.1, new SplittableRandom(7), 0);
    long now = 0;
    long minOffset = Long.MAX_VALUE;
    long maxOffset = Long.MIN_VALUE;
    for (int k = 1; k <= 1_000; k++) {
      now += schedule.nextDelayNanos(now);
      long offset = now - k * interval;
      minOffset = Math.min(minOffset, offset);
      maxOffset = Math.max(maxOffset, offset);
    }
    assertThat(minOffset).isNotNegative();
    assertThat(maxOffset).isLessThanOrEqualTo(10 * MS).isGreaterThan(8 * MS);
  }

  @Test
  void aRoundLateByMoreThanAnInterval_skipsTheMissedSlots_insteadOfABurst() {
    long interval = 100 * MS;
    SendSchedule schedule = new SendSchedule(interval, 0, new SplittableRandom(1), 0);
    assertThat(schedule.nextDelayNanos(0)).isEqualTo(interval);
    // The round due at 100 ms runs at 450 ms (a 350 ms pause): the next is at 500 ms, not now.
    assertThat(schedule.nextDelayNanos(450 * MS)).isEqualTo(50 * MS);
    assertThat(schedule.skippedSlots()).isEqualTo(3); // 200, 300, 400
    assertThat(schedule.nextDelayNanos(500 * MS)).isEqualTo(interval);
  }
}
