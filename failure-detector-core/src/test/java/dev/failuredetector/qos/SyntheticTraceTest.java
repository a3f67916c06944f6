package dev.failuredetector.qos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SyntheticTraceTest {

  private static final long MS = 1_000_000L;

  @Test
  void sameSeed_sameTrace_otherSeed_otherTrace() {
    HeartbeatTrace a = SyntheticTrace.builder().seed(7).build();
    HeartbeatTrace b = SyntheticTrace.builder().seed(7).build();
    HeartbeatTrace c = SyntheticTrace.builder().seed(8).build();
    assertThat(a.size()).isEqualTo(6000); // 10 minutes every 100 ms, no loss
    boolean differs = false;
    for (int i = 0; i < a.size(); i++) {
      assertThat(a.arrivalNanos(i)).isEqualTo(b.arrivalNanos(i));
      differs |= a.arrivalNanos(i) != c.arrivalNanos(i);
    }
    assertThat(differs).isTrue();
  }

  @Test
  void delays_followTheModel_andTheChannelIsFifo() {
    HeartbeatTrace trace = SyntheticTrace.builder().duration(Duration.ofHours(1))
        .delay(new DelayModel(Duration.ofMillis(5), Duration.ofMillis(2), 0.01)).build();
    double delaySum = 0;
    for (int i = 0; i < trace.size(); i++) {
      long delay = trace.arrivalNanos(i) - trace.sendNanos(i);
      assertThat(delay).isGreaterThanOrEqualTo(5 * MS);
      delaySum += delay;
      if (i > 0) {
        assertThat(trace.arrivalNanos(i)).isGreaterThanOrEqualTo(trace.arrivalNanos(i - 1));
      }
    }
    assertThat(delaySum / trace.size() / MS).isCloseTo(7.0, within(0.1)); // 5 + mean 2
    assertThat(1 - trace.size() / 36_000.0).isCloseTo(0.01, within(0.002)); // 1% lost
  }

  @Test
  void regimeShift_changesTheDelayFromItsTime() {
    HeartbeatTrace trace = SyntheticTrace.builder()
        .delay(new DelayModel(Duration.ofMillis(1), Duration.ZERO, 0))
        .delayFrom(Duration.ofMinutes(5), new DelayModel(Duration.ofMillis(50), Duration.ZERO, 0))
        .build();
    for (int i = 0; i < trace.size(); i++) {
      long expected = trace.sendNanos(i) < 300_000 * MS ? MS : 50 * MS;
      // the first heartbeats after the shift may queue behind none: the delay rises, never falls
      assertThat(trace.arrivalNanos(i) - trace.sendNanos(i)).isEqualTo(expected);
    }
  }

  @Test
  void senderPause_sendsTheMissedHeartbeatsInABurstAtTheResume() {
    HeartbeatTrace trace = SyntheticTrace.builder()
        .delay(new DelayModel(Duration.ofMillis(1), Duration.ZERO, 0))
        .senderPause(Duration.ofSeconds(60), Duration.ofMillis(1500)).build();
    int burst = 0;
    for (int i = 0; i < trace.size(); i++) {
      if (trace.sendNanos(i) == 61_500 * MS) {
        burst++;
      }
    }
    assertThat(burst).isEqualTo(16); // due at 60.0, 60.1, ..., 61.5 s: all sent at 61.5 s
    assertThat(trace.size()).isEqualTo(6000);
  }

  @Test
  void delayModel_arrivalsForASendOnlyTrace() {
    HeartbeatTrace sends = HeartbeatTrace.ofSends(new long[] {0, 1, 2, 3},
        new long[] {0, 100 * MS, 200 * MS, 300 * MS});
    HeartbeatTrace trace = new DelayModel(Duration.ofMillis(10), Duration.ZERO, 0)
        .arrivals(sends, 1);
    assertThat(trace.arrivalNanos(3)).isEqualTo(310 * MS);
    assertThatThrownBy(() -> new DelayModel(Duration.ofMillis(-1), Duration.ZERO, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("baseDelay must be >= 0, got PT-0.001S");
    assertThatThrownBy(() -> new DelayModel(Duration.ZERO, Duration.ZERO, 1.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("lossProbability must be >= 0 and < 1, got 1.0");
  }
}
