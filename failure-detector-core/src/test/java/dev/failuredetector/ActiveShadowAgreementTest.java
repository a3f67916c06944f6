package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failuredetector.qos.ShadowCandidates;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The active detector and its own shadow (the same spec, fed the same arrivals) must count the
 * same mistakes, whatever the arrivals and however late the timer runs. They did not: a run of
 * heartbeats each arriving after a deadline that had already passed when the previous one came
 * (a sender that paused and numbered on by one, a starved machine) was one continuing mistake for
 * the shadow and for {@code tune}'s replay, but a flap per heartbeat for the registry: AVAILABLE
 * at each heartbeat, SUSPECTED again at the next tick. An auto-tuned node switched to
 * chen:margin=100ms and made 790 mistakes while the shadow of that spec counted 9; here, after a
 * 1.5 s pause, the registry counted 934 to its shadow's 68. Now a heartbeat after which the
 * detector's deadline has already passed does not end a suspicion (Chen's freshness points: only
 * a message that reaches a fresh deadline restores trust), and the three agree.
 */
class ActiveShadowAgreementTest {

  private static final long MS = 1_000_000;
  private final ManualClock clock = new ManualClock(0);
  private final ManualTicks ticks = new ManualTicks(clock);

  @Test
  void lateArrivalsAfterASendersPause_countTheSameForBoth() {
    DetectorSpec chen = DetectorSpec.parse("chen:interval=100ms,margin=100ms");
    ShadowCandidates shadows = ShadowCandidates.of(List.of(chen));
    try (FailureDetectorRegistry<String> registry = FailureDetectorRegistry.<String>builder()
        .detector(chen).plugin(shadows).confirmationTime(Duration.ofHours(1))
        .clock(clock).tickScheduler(ticks).build()) {
      MonitoredPeer<String> peer = registry.register("b");
      long seq = 0;
      for (int i = 0; i < 200; i++) {
        peer.heartbeat(++seq, clock.nanoTime());
        ticks.advanceMillis(100);
      }
      // The sender stops for 1.5 s and numbers on by one: every later heartbeat arrives 1.5 s
      // after the time its number predicts, until Chen's window absorbs it.
      ticks.advanceMillis(1_500);
      // Until Chen's 1,000-heartbeat window has absorbed the shift (before the fix: a mistake at
      // every one of these heartbeats for the registry, one for the shadow).
      for (int i = 0; i < 1_200; i++) {
        peer.heartbeat(++seq, clock.nanoTime());
        ticks.advanceMillis(100);
      }
      long shadow = shadows.totals().get(0).mistakes();
      long active = registry.stats().mistakes();
      System.out.printf("after a sender's pause: registry %d mistakes, its shadow %d%n", active,
          shadow);
      assertThat(active).as("registry").isEqualTo(shadow);
      assertThat(peer.state()).isEqualTo(PeerState.AVAILABLE);
    }
  }

  /**
   * Arrivals on a grid with delays, the timer sometimes starved through a whole gap (the registry
   * then holds new suspicions briefly: a local pause is not the peers' fault) and ticking every
   * 10 ms (an arrival less than a tick past its deadline may beat the tick). So the registry may
   * count a few fewer than its shadow, never more.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
  void jitteredArrivals_theRegistryCountsWhatItsShadowCounts(boolean starvedTimer) {
    DetectorSpec chen = DetectorSpec.parse("chen:interval=100ms,margin=30ms");
    SplittableRandom random = new SplittableRandom(7);
    ShadowCandidates shadows = ShadowCandidates.of(List.of(chen));
    try (FailureDetectorRegistry<String> registry = FailureDetectorRegistry.<String>builder()
        .detector(chen).plugin(shadows).confirmationTime(Duration.ofHours(1))
        .clock(clock).tickScheduler(ticks).build()) {
      MonitoredPeer<String> peer = registry.register("b");
      // Heartbeats sent on a 100 ms grid, one in ten delayed by up to 200 ms on the way; now and
      // then the timer thread starves through a whole gap and ticks once, late.
      long previous = 0;
      for (long seq = 1; seq <= 3_000; seq++) {
        long arrival = seq * 100 * MS + (random.nextInt(10) == 0 ? random.nextLong(200 * MS) : 0);
        arrival = Math.max(arrival, previous + MS); // in order, as one connection delivers
        if (starvedTimer && random.nextInt(50) == 0) {
          ticks.freezeMillis((arrival - clock.nanoTime()) / MS);
          ticks.tickNow();
        } else {
          ticks.advanceToNanos(arrival);
        }
        peer.heartbeat(seq, arrival);
        previous = arrival;
      }
      long shadow = shadows.totals().get(0).mistakes();
      long active = registry.stats().mistakes();
      System.out.printf("starved timer %s: registry %d mistakes, its shadow %d, local pauses %d%n",
          starvedTimer, active, shadow, registry.stats().localPauses());
      assertThat(shadow).as("the scenario has mistakes to count").isGreaterThan(100);
      assertThat(active).as("registry").isLessThanOrEqualTo(shadow)
          .isGreaterThanOrEqualTo(shadow * 9 / 10);
    }
  }
}
