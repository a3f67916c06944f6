package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SequenceGuardTest {

  private static final long SECOND = 1_000_000_000L;

  /** Heartbeats {@code from..to} of {@code incarnation}, one a second from {@code atSeconds}. */
  private static long live(SequenceGuard guard, long incarnation, long from, long to,
      long atSeconds) {
    long now = atSeconds;
    for (long sequence = from; sequence <= to; sequence++, now++) {
      HeartbeatOutcome outcome = guard.check(true, incarnation, sequence, now * SECOND);
      if (outcome == HeartbeatOutcome.UNCONFIRMED_INCARNATION) {
        continue; // a restart's first message waits for its second
      }
      assertThat(outcome).as("incarnation %d, message %d", incarnation, sequence).isNull();
      guard.accept(true, incarnation, sequence, now * SECOND);
    }
    return now;
  }

  /** A guard of its own, outside a registry. */
  private static SequenceGuard guard(long intervalNanos, long sinceNanos) {
    return new SequenceGuard(intervalNanos, sinceNanos) {
      @Override
      long intervalNanos() {
        return intervalNanos;
      }
    };
  }

  @Test
  void theLastFourLives_areRemembered_theOneBeforeIsForgotten() {
    SequenceGuard guard = guard(SECOND, 0);
    long now = 1;
    for (long life = 1; life <= 6; life++) {
      now = live(guard, life, 1, 10, now);
      assertThat(guard.currentIncarnation()).isEqualTo(life);
    }
    // lives 2 to 5 are remembered: a recording of one of them is stale
    for (long life = 2; life <= 5; life++) {
      assertThat(guard.check(true, life, 10, now * SECOND))
          .isEqualTo(HeartbeatOutcome.STALE_INCARNATION);
    }
    assertThat(guard.check(true, 3, 1, now * SECOND))
        .isEqualTo(HeartbeatOutcome.STALE_INCARNATION);
    // life 1 fell out of the four: its first message is only a candidate restart, held, changing
    // nothing
    assertThat(guard.check(true, 1, 1, now * SECOND))
        .isEqualTo(HeartbeatOutcome.UNCONFIRMED_INCARNATION);
    assertThat(guard.currentIncarnation()).isEqualTo(6);
  }

  @Test
  void aPeerThatNeverRestarts_keepsNoPastLives() throws Exception {
    SequenceGuard guard = guard(SECOND, 0);
    live(guard, 7, 1, 100, 1);
    java.lang.reflect.Field others = SequenceGuard.class.getDeclaredField("others");
    others.setAccessible(true);
    assertThat(others.get(guard)).as("made only at the first message of another life").isNull();
    live(guard, 8, 1, 3, 200);
    assertThat(others.get(guard)).isNotNull();
  }
}
