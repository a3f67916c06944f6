package dev.failuredetector.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProbeScheduleTest {

  private static final long MS = 1_000_000L;
  private static final long T0 = 5_000 * MS;

  private static ProbeSchedule schedule(int maxOutstanding, long capMillis) {
    return new ProbeSchedule(Duration.ofMillis(100), maxOutstanding, Duration.ofMillis(capMillis),
        30 * MS, T0);
  }

  @Test
  void slots_areAFixedRateFromThePhase_andAnswersAreNumberedArrivals() {
    ProbeSchedule probes = schedule(2, 500);
    assertThat(probes.nextDueNanos()).isEqualTo(T0 + 30 * MS);
    assertThat(probes.send(T0 + 29 * MS)).as("not due yet").isEqualTo(ProbeSchedule.SKIP);
    assertThat(probes.sent()).isZero();
    for (long k = 1; k <= 5; k++) {
      long due = probes.nextDueNanos();
      assertThat(due).isEqualTo(T0 + 30 * MS + (k - 1) * 100 * MS);
      assertThat(probes.send(due + MS)).isEqualTo(k);
      assertThat(probes.answered(k, due + 12 * MS)).as("round trip").isEqualTo(11 * MS);
    }
    assertThat(probes.sent()).isEqualTo(5);
    assertThat(probes.answered()).isEqualTo(5);
    assertThat(probes.outstanding()).isZero();
  }

  @Test
  void aSlowTarget_isNeverSentMoreThanMaxOutstanding_andAbandonedAfterTheCap() {
    ProbeSchedule probes = schedule(2, 250);
    long first = probes.nextDueNanos();
    assertThat(probes.send(first)).isEqualTo(1);
    assertThat(probes.send(first + 100 * MS)).isEqualTo(2);
    assertThat(probes.send(first + 200 * MS)).as("two wait: skipped")
        .isEqualTo(ProbeSchedule.SKIP);
    assertThat(probes.skipped()).isEqualTo(1);
    assertThat(probes.outstanding()).isEqualTo(2);
    // At 300 ms probe 1 has waited its 250 ms cap: abandoned, and slot 4 goes out.
    assertThat(probes.send(first + 300 * MS)).isEqualTo(4);
    assertThat(probes.abandoned()).isEqualTo(1);
    assertThat(probes.answered(1, first + 301 * MS)).as("abandoned: proves nothing")
        .isEqualTo(-1);
    assertThat(probes.unmatched()).isEqualTo(1);
    assertThat(probes.outstanding()).isEqualTo(2);
  }

  @Test
  void aLateAnswerWithinTheCap_stillCounts_andOvertakesTheOlderOnes() {
    ProbeSchedule probes = schedule(4, 1_000);
    long first = probes.nextDueNanos();
    for (int k = 0; k < 3; k++) {
      probes.send(first + k * 100 * MS);
    }
    // Probe 1's answer comes 900 ms late (past any detector's deadline): still an arrival.
    assertThat(probes.answered(1, first + 900 * MS)).isEqualTo(900 * MS);
    // The answer to 3 gives up on 2: its answer would come out of order.
    assertThat(probes.answered(3, first + 901 * MS)).isEqualTo(701 * MS);
    assertThat(probes.abandoned()).isEqualTo(1);
    assertThat(probes.answered(2, first + 902 * MS)).isEqualTo(-1);
    assertThat(probes.answered(3, first + 903 * MS)).as("a duplicate").isEqualTo(-1);
    assertThat(probes.answered(99, first + 904 * MS)).as("never sent").isEqualTo(-1);
    assertThat(probes.unmatched()).isEqualTo(3);
    assertThat(probes.outstanding()).isZero();
  }

  @Test
  void aLateCaller_sendsTheSlotDueNow_andSkipsTheMissedOnes_neverABurst() {
    ProbeSchedule probes = schedule(4, 1_000);
    long first = probes.nextDueNanos();
    assertThat(probes.send(first)).isEqualTo(1);
    probes.answered(1, first + MS);
    // The caller stalls for 350 ms: slots 2, 3 and 4 were due; 4 is sent, 2 and 3 skipped.
    assertThat(probes.send(first + 350 * MS)).isEqualTo(4);
    assertThat(probes.skipped()).isEqualTo(2);
    assertThat(probes.send(first + 351 * MS)).as("slot 5 is due at 400 ms")
        .isEqualTo(ProbeSchedule.SKIP);
    assertThat(probes.nextDueNanos()).isEqualTo(first + 400 * MS);
  }

  @Test
  void badSettings_areRefusedNamingThem() {
    assertThatThrownBy(() -> new ProbeSchedule(Duration.ZERO, 2, Duration.ofSeconds(1), 0, T0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("probe interval must be between 1 ms and 1 h, got PT0S");
    assertThatThrownBy(() -> new ProbeSchedule(Duration.ofSeconds(1), 0, Duration.ofSeconds(1),
        0, T0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("probe maxOutstanding must be between 1 and 16, got 0");
    assertThatThrownBy(() -> new ProbeSchedule(Duration.ofSeconds(1), 2, Duration.ofHours(2), 0,
        T0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("probe cap must be between 1 ms and 1 h, got PT2H");
    assertThatThrownBy(() -> new ProbeSchedule(Duration.ofMillis(100), 2, Duration.ofSeconds(1),
        100 * MS, T0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("probe phase must be in [0, interval), got 100000000 ns");
    assertThatThrownBy(() -> new ProbeSchedule(null, 2, Duration.ofSeconds(1), 0, T0))
        .isInstanceOf(NullPointerException.class).hasMessage("probe interval must not be null");
  }
}
