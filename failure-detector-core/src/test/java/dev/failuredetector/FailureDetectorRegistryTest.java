package dev.failuredetector;

import static dev.failuredetector.TransitionReason.CONNECTION_REFUSED;
import static dev.failuredetector.TransitionReason.EXTERNAL;
import static dev.failuredetector.TransitionReason.FIRST_HEARTBEAT;
import static dev.failuredetector.TransitionReason.LEFT;
import static dev.failuredetector.TransitionReason.RECOVERED;
import static dev.failuredetector.TransitionReason.REGISTERED;
import static dev.failuredetector.TransitionReason.REMOVED;
import static dev.failuredetector.TransitionReason.RESTARTED;
import static dev.failuredetector.TransitionReason.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Deterministic: manual clock, manual ticks, listeners run synchronously. */
class FailureDetectorRegistryTest {

  private static final long MS = 1_000_000L;
  private static final long T0 = Long.MAX_VALUE - 3_600_000 * MS; // wraps during long tests

  private final ManualClock clock = new ManualClock(T0);
  private final ManualTicks ticks = new ManualTicks(clock);
  private final RecordingListener<String> events = new RecordingListener<>();
  private FailureDetectorRegistry<String> registry;

  /** Deadline detector: suspected exactly 300 ms after the last heartbeat. */
  private FailureDetectorRegistry.Builder builder() {
    return FailureDetectorRegistry.builder()
        .detector(DetectorSpec.deadline().withInterval(Duration.ofMillis(100))
            .withPause(Duration.ofMillis(200)))
        .clock(clock)
        .tickScheduler(ticks)
        .listenerExecutor(Runnable::run)
        .confirmationTime(Duration.ofSeconds(2));
  }

  private FailureDetectorRegistry<String> start(FailureDetectorRegistry.Builder builder) {
    registry = builder.build();
    registry.addListener(events);
    return registry;
  }

  @AfterEach
  void close() {
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void register_startsUnknown_announcesIt_andIsIdempotent() {
    start(builder());
    MonitoredPeer<String> a = registry.register("a");
    assertThat(registry.register("a")).as("the same handle").isSameAs(a);
    assertThat(registry.peer("a")).containsSame(a);
    assertThat(registry.state("a")).isEqualTo(PeerState.UNKNOWN);
    assertThat(registry.contains("a")).isTrue();
    assertThat(registry.size()).isEqualTo(1);
    assertThat(events.of("a")).containsExactly(new PeerTransition<>(
        "a", PeerState.REMOVED, PeerState.UNKNOWN, REGISTERED, T0, false));
    ticks.advanceMillis(60_000);
    assertThat(registry.state("a")).as("never heard: no evidence, no suspicion")
        .isEqualTo(PeerState.UNKNOWN);
  }

  @Test
  void badInput_nullKeyUnknownKeyAndMaxPeers() {
    start(builder().maxPeers(2));
    assertThatThrownBy(() -> registry.register(null))
        .isInstanceOf(NullPointerException.class).hasMessage("key must not be null");
    registry.register("a");
    registry.register("b");
    assertThatThrownBy(() -> registry.register("c"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxPeers reached: 2 peers are registered; remove one or raise maxPeers to"
            + " register c");
    registry.heartbeat("zzz");
    registry.heartbeat(null);
    registry.heartbeat("c", 1, T0);
    assertThat(registry.stats().heartbeats(HeartbeatOutcome.UNKNOWN_PEER)).isEqualTo(3);
    assertThat(registry.stats().heartbeatsRecorded()).isZero();
    assertThat(registry.contains("c")).isFalse();
    assertThat(registry.state("c")).isEqualTo(PeerState.REMOVED);
    assertThat(registry.remove(null)).isFalse();
    assertThat(registry.markFailed("zzz", EXTERNAL)).isFalse();
    assertThatThrownBy(() -> registry.markFailed("a", TIMEOUT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("reason must be CONNECTION_REFUSED, UNHEALTHY, LEFT or EXTERNAL, got TIMEOUT");
    assertThat(registry.state("a")).isEqualTo(PeerState.UNKNOWN);
  }

  @Test
  void timeout_isAnnouncedWithinOneTickOfTheDeadline_thenConfirmedFailed() {
    start(builder());
    registry.register("a");
    ticks.advanceMillis(5);
    long heardAt = clock.nanoTime();
    registry.heartbeat("a");
    assertThat(events.last("a").reason()).isEqualTo(FIRST_HEARTBEAT);
    assertThat(registry.state("a")).isEqualTo(PeerState.AVAILABLE);

    ticks.advanceMillis(295);
    assertThat(registry.state("a")).as("1 ms before the deadline").isEqualTo(PeerState.AVAILABLE);
    ticks.advanceMillis(10);
    PeerTransition<String> suspected = events.last("a");
    assertThat(suspected.from()).isEqualTo(PeerState.AVAILABLE);
    assertThat(suspected.to()).isEqualTo(PeerState.SUSPECTED);
    assertThat(suspected.reason()).isEqualTo(TIMEOUT);
    assertThat(suspected.atNanos() - (heardAt + 300 * MS)).isBetween(0L, 10 * MS);

    ticks.advanceMillis(2_010);
    PeerTransition<String> failed = events.last("a");
    assertThat(failed.to()).isEqualTo(PeerState.FAILED);
    assertThat(failed.reason()).isEqualTo(TIMEOUT);
    assertThat(failed.atNanos() - (suspected.atNanos() + 2_000 * MS)).isBetween(0L, 10 * MS);
    assertThat(registry.stats().transitions(TIMEOUT)).isEqualTo(2);
  }

  @Test
  void steadyHeartbeats_neverSuspected() {
    start(builder());
    registry.register("a");
    for (int i = 0; i < 1000; i++) {
      registry.heartbeat("a");
      ticks.advanceMillis(100 + (i % 3) * 50); // 100 to 200 ms, under the 300 ms timeout
    }
    assertThat(events.reasons("a")).containsExactly(REGISTERED, FIRST_HEARTBEAT);
    assertThat(registry.stats().heartbeatsRecorded()).isEqualTo(1000);
  }

  @Test
  void heartbeatAfterTimeout_recovers_andCountsAMistake() {
    start(builder());
    registry.register("a");
    registry.heartbeat("a");
    ticks.advanceMillis(400);
    registry.heartbeat("a");
    PeerTransition<String> recovered = events.last("a");
    assertThat(recovered.from()).isEqualTo(PeerState.SUSPECTED);
    assertThat(recovered.to()).isEqualTo(PeerState.AVAILABLE);
    assertThat(recovered.reason()).isEqualTo(RECOVERED);
    assertThat(recovered.falseSuspicion()).isTrue();
    assertThat(registry.stats().mistakes()).isEqualTo(1);

    ticks.advanceMillis(5_000); // suspected, then failed by timeout
    registry.heartbeat("a");
    assertThat(events.last("a").from()).isEqualTo(PeerState.FAILED);
    assertThat(events.last("a").falseSuspicion()).isTrue();
    assertThat(registry.stats().mistakes()).isEqualTo(2);
  }

  @Test
  void markFailed_eachClue_isImmediate_andAHeartbeatRevivesWithoutAMistake() {
    start(builder());
    for (TransitionReason clue : List.of(CONNECTION_REFUSED, LEFT, EXTERNAL)) {
      String key = clue.name();
      registry.register(key);
      registry.heartbeat(key);
      assertThat(registry.markFailed(key, clue)).isTrue();
      assertThat(registry.markFailed(key, clue)).as("already failed").isFalse();
      PeerTransition<String> failed = events.last(key);
      assertThat(failed.to()).isEqualTo(PeerState.FAILED);
      assertThat(failed.reason()).isEqualTo(clue);
      assertThat(failed.atNanos()).isEqualTo(clock.nanoTime());
      ticks.advanceMillis(1_000); // the deadline passes: no second announcement
      assertThat(events.reasons(key)).containsExactly(REGISTERED, FIRST_HEARTBEAT, clue);
      registry.heartbeat(key);
      assertThat(events.last(key).reason()).isEqualTo(RECOVERED);
      assertThat(events.last(key).falseSuspicion()).isFalse();
    }
    assertThat(registry.stats().mistakes()).isZero();
    registry.register("never-heard");
    assertThat(registry.markFailed("never-heard", CONNECTION_REFUSED)).isTrue();
    assertThat(registry.state("never-heard")).isEqualTo(PeerState.FAILED);
  }

  @Test
  void otherIncarnation_restartsWithAFreshDetector_aRecordingOfTheEarlierLifeIsStale() {
    start(builder().detector(DetectorSpec.phi()
        .withInterval(Duration.ofMillis(100))
        .withPause(Duration.ZERO)
        .withMinStd(Duration.ofMillis(10))));
    registry.register("a");
    for (int seq = 0; seq < 50; seq++) {
      registry.heartbeat("a", 7, seq, clock.nanoTime());
      ticks.advanceMillis(200); // learns 200 ms intervals
    }
    long learnedTimeout = registry.snapshot("a").orElseThrow().timeoutNanos();
    // Incarnations are compared for equality only: a lower one is a restart too (a clock that
    // stepped back), numbering from 1 again; its first message is held, its second confirms it.
    PeerTransition<String> beforeRestart = events.last("a");
    assertThat(registry.heartbeat("a", 3, 1, clock.nanoTime()))
        .isEqualTo(HeartbeatOutcome.UNCONFIRMED_INCARNATION);
    assertThat(events.last("a")).isEqualTo(beforeRestart);
    ticks.advanceMillis(100);
    assertThat(registry.heartbeat("a", 3, 2, clock.nanoTime()))
        .isEqualTo(HeartbeatOutcome.RESTARTED);
    PeerTransition<String> restarted = events.last("a");
    assertThat(restarted.reason()).isEqualTo(RESTARTED);
    assertThat(restarted.from()).isEqualTo(PeerState.AVAILABLE);
    assertThat(restarted.to()).isEqualTo(PeerState.AVAILABLE);
    PeerSnapshot<String> snapshot = registry.snapshot("a").orElseThrow();
    assertThat(snapshot.incarnation()).isEqualTo(3);
    assertThat(snapshot.timeoutNanos()).as("fresh detector, seeded with 100 ms")
        .isLessThan(learnedTimeout);

    // A recording of the earlier life (its numbers up to 49) is stale, not a restart back.
    assertThat(registry.heartbeat("a", 7, 49, clock.nanoTime()))
        .isEqualTo(HeartbeatOutcome.STALE_INCARNATION);
    assertThat(registry.heartbeat("a", 7, 12, clock.nanoTime()))
        .isEqualTo(HeartbeatOutcome.STALE_INCARNATION);
    assertThat(registry.stats().heartbeats(HeartbeatOutcome.STALE_INCARNATION)).isEqualTo(2);
    assertThat(events.last("a")).isEqualTo(restarted);
    assertThat(registry.heartbeat("a", 3, 2, clock.nanoTime()))
        .isEqualTo(HeartbeatOutcome.STALE_SEQUENCE);
  }

  @Test
  void oneMessageOfAMadeUpIncarnation_changesNothing_theNextRealOneForgetsIt() {
    start(builder().detector(DetectorSpec.deadline().withInterval(Duration.ofMillis(100))
        .withPause(Duration.ofMillis(500))));
    MonitoredPeer<String> a = registry.register("a");
    long seq = 0;
    for (; seq < 20; seq++) {
      assertThat(a.heartbeat(7, seq + 1, clock.nanoTime())).isEqualTo(HeartbeatOutcome.RECORDED);
      ticks.advanceMillis(100);
    }
    int transitions = events.transitions().size();
    // A forger holding the key sends one message of a made-up life, then another of the same life
    // after the real peer has spoken again: neither is a restart.
    assertThat(a.heartbeat(666, 1, clock.nanoTime()))
        .isEqualTo(HeartbeatOutcome.UNCONFIRMED_INCARNATION);
    assertThat(a.snapshot().incarnation()).isEqualTo(7);
    assertThat(a.heartbeat(7, ++seq, clock.nanoTime())).isEqualTo(HeartbeatOutcome.RECORDED);
    ticks.advanceMillis(100);
    assertThat(a.heartbeat(666, 2, clock.nanoTime()))
        .isEqualTo(HeartbeatOutcome.UNCONFIRMED_INCARNATION);
    assertThat(a.heartbeat(7, ++seq, clock.nanoTime())).isEqualTo(HeartbeatOutcome.RECORDED);
    // A goodbye of a made-up life is held the same way.
    assertThat(a.leave(667, 1, clock.nanoTime()))
        .isEqualTo(HeartbeatOutcome.UNCONFIRMED_INCARNATION);
    assertThat(a.state()).isEqualTo(PeerState.AVAILABLE);
    assertThat(a.snapshot().incarnation()).isEqualTo(7);
    assertThat(events.transitions()).hasSize(transitions);
    assertThat(registry.stats().heartbeats(HeartbeatOutcome.UNCONFIRMED_INCARNATION)).isEqualTo(3);
    // A real restart: the old life falls silent, the new one is confirmed by its second message.
    ticks.advanceMillis(100);
    assertThat(a.heartbeat(8, 1, clock.nanoTime()))
        .isEqualTo(HeartbeatOutcome.UNCONFIRMED_INCARNATION);
    ticks.advanceMillis(100);
    assertThat(a.heartbeat(8, 2, clock.nanoTime())).isEqualTo(HeartbeatOutcome.RESTARTED);
    assertThat(a.snapshot().incarnation()).isEqualTo(8);
  }

  @Test
  void sequenceAdvance_isBoundedByTheTimeSinceTheLastHeartbeat() {
    start(builder().detector(DetectorSpec.deadline().withInterval(Duration.ofMillis(100))
        .withPause(Duration.ofSeconds(10))));
    MonitoredPeer<String> a = registry.register("a");
    assertThat(a.heartbeat(5, 1, clock.nanoTime())).isEqualTo(HeartbeatOutcome.RECORDED);
    // One forged or corrupted message must not push the numbers out of the sender's reach:
    assertThat(a.heartbeat(5, Long.MAX_VALUE, clock.nanoTime()))
        .isEqualTo(HeartbeatOutcome.IMPLAUSIBLE_SEQUENCE);
    assertThat(a.leave(5, Long.MAX_VALUE, clock.nanoTime()))
        .isEqualTo(HeartbeatOutcome.IMPLAUSIBLE_SEQUENCE);
    assertThat(a.heartbeat(5, 1 + 5, clock.nanoTime())).as("4 ahead at most, at once")
        .isEqualTo(HeartbeatOutcome.IMPLAUSIBLE_SEQUENCE);
    assertThat(a.heartbeat(5, 1 + 4, clock.nanoTime())).isEqualTo(HeartbeatOutcome.RECORDED);
    // A second later: up to 4 + 2 per gap further, the gap being the interval (100 ms) or the
    // sender's mean gap if shorter: the two heartbeats above came at once, so 100 - 100/8 ms.
    ticks.advanceMillis(1_000);
    assertThat(a.heartbeat(5, 5 + 27, clock.nanoTime()))
        .isEqualTo(HeartbeatOutcome.IMPLAUSIBLE_SEQUENCE);
    assertThat(a.heartbeat(5, 5 + 26, clock.nanoTime())).isEqualTo(HeartbeatOutcome.RECORDED);
    // A new incarnation numbers from 1 and started after the last heartbeat of the old one.
    assertThat(a.heartbeat(6, 1_000, clock.nanoTime()))
        .isEqualTo(HeartbeatOutcome.IMPLAUSIBLE_SEQUENCE);
    assertThat(a.heartbeat(6, 1, clock.nanoTime()))
        .isEqualTo(HeartbeatOutcome.UNCONFIRMED_INCARNATION);
    assertThat(a.heartbeat(6, 2, clock.nanoTime())).isEqualTo(HeartbeatOutcome.RESTARTED);
    assertThat(registry.stats().heartbeats(HeartbeatOutcome.IMPLAUSIBLE_SEQUENCE)).isEqualTo(5);
    assertThat(a.state()).isEqualTo(PeerState.AVAILABLE);
  }

  @Test
  void aSenderFasterThanTheInterval_isNotLockedOutAfterABurstOfLosses() {
    start(builder().detector(DetectorSpec.deadline().withInterval(Duration.ofSeconds(1))
        .withPause(Duration.ofSeconds(10))));
    MonitoredPeer<String> a = registry.register("a");
    long seq = 0;
    for (int i = 0; i < 50; i++) { // it sends every 10 ms, though the interval here is 1 s
      assertThat(a.heartbeat(7, ++seq, clock.nanoTime())).isEqualTo(HeartbeatOutcome.RECORDED);
      ticks.advanceMillis(10);
    }
    seq += 20; // twenty lost in a row
    ticks.advanceMillis(200);
    assertThat(a.heartbeat(7, ++seq, clock.nanoTime())).isEqualTo(HeartbeatOutcome.RECORDED);
  }

  @Test
  void remove_announcesIt_andStopsMonitoring() {
    start(builder());
    registry.register("a");
    registry.heartbeat("a");
    assertThat(registry.remove("a")).isTrue();
    assertThat(registry.remove("a")).isFalse();
    assertThat(events.last("a")).isEqualTo(new PeerTransition<>(
        "a", PeerState.AVAILABLE, PeerState.REMOVED, REMOVED, clock.nanoTime(), false));
    ticks.advanceMillis(5_000);
    registry.heartbeat("a");
    assertThat(events.reasons("a")).containsExactly(REGISTERED, FIRST_HEARTBEAT, REMOVED);
    assertThat(registry.stats().heartbeats(HeartbeatOutcome.UNKNOWN_PEER)).isEqualTo(1);
    assertThat(registry.stats().peers(PeerState.AVAILABLE)).isZero();
  }

  @Test
  void setThreshold_appliesToEveryPeerAtOnce_andToLaterOnes() {
    start(builder().detector(DetectorSpec.phi()
        .withInterval(Duration.ofMillis(100))
        .withPause(Duration.ZERO)));
    registry.register("a");
    registry.heartbeat("a");
    long before = registry.snapshot("a").orElseThrow().timeoutNanos();
    registry.setThreshold(1.0);
    long after = registry.snapshot("a").orElseThrow().timeoutNanos();
    assertThat(after).isLessThan(before);
    ticks.advanceMillis(after / MS + 10);
    assertThat(registry.state("a")).as("suspected at the new, earlier deadline")
        .isEqualTo(PeerState.SUSPECTED);
    registry.register("b");
    registry.heartbeat("b");
    assertThat(registry.snapshot("b").orElseThrow().timeoutNanos()).isEqualTo(after);
    assertThatThrownBy(() -> registry.setThreshold(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("phi threshold must be a finite number > 0, got NaN");
  }

  @Test
  void setThreshold_withoutAccrualDetectors_isRefused() {
    start(builder());
    assertThatThrownBy(() -> registry.setThreshold(3))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("setThreshold needs phi detectors, this registry makes"
            + " deadline; use reconfigure(spec.with(\"pause\", ...))");
  }

  @Test
  void reconfigure_changesAMarginForEveryPeerNowAndLater() {
    start(builder().detector(DetectorSpec.chen().withInterval(Duration.ofMillis(100))
        .withMargin(Duration.ofSeconds(1))));
    registry.register("a");
    registry.heartbeat("a");
    registry.reconfigure(DetectorSpec.chen().withInterval(Duration.ofMillis(100))
        .withMargin(Duration.ofMillis(50)));
    assertThat(registry.snapshot("a").orElseThrow().timeoutNanos()).isEqualTo(150 * MS);
    ticks.advanceMillis(160);
    assertThat(registry.state("a")).isEqualTo(PeerState.SUSPECTED);
    registry.register("b");
    registry.heartbeat("b");
    assertThat(registry.snapshot("b").orElseThrow().timeoutNanos()).isEqualTo(150 * MS);
  }

  @Test
  void deadlineMovedEarlierByAHeartbeat_isHonouredWithinATick() {
    // Seeded with 10 s intervals the first timeout is about 23 s; three real 10 ms intervals
    // replace the seed (window 3) and the timeout drops to tens of milliseconds. The timer entry
    // made at the first heartbeat (23 s ahead) must not delay the suspicion.
    start(builder().detector(DetectorSpec.phi()
        .withInterval(Duration.ofSeconds(10))
        .withPause(Duration.ZERO)
        .withMinStd(Duration.ofMillis(10))
        .withWindow(3)));
    registry.register("a");
    registry.heartbeat("a");
    ticks.advanceMillis(10);
    assertThat(registry.snapshot("a").orElseThrow().timeoutNanos()).isGreaterThan(20_000 * MS);
    for (int i = 0; i < 3; i++) {
      registry.heartbeat("a");
      ticks.advanceMillis(10);
    }
    long deadline = registry.snapshot("a").orElseThrow().timeoutNanos() - 10 * MS;
    assertThat(deadline).isLessThan(100 * MS);
    ticks.advanceMillis(deadline / MS + 10);
    PeerTransition<String> suspected = events.last("a");
    assertThat(suspected.reason()).isEqualTo(TIMEOUT);
  }

  @Test
  void localPause_heldSuspicions_letTheQueuedHeartbeatBeReadFirst() {
    start(builder());
    registry.register("a");
    registry.heartbeat("a");
    ticks.advanceMillis(100);
    registry.heartbeat("a");
    ticks.freezeMillis(2_000); // process stopped: neither timer nor heartbeats ran
    ticks.tickNow(); // the timer wakes first: 2 s late
    assertThat(registry.stats().localPauses()).isEqualTo(1);
    assertThat(registry.stats().holdingSuspicions()).isTrue();
    assertThat(registry.stats().lastTickLagNanos()).isGreaterThan(1_900 * MS);
    registry.heartbeat("a"); // the heartbeat that waited in the socket buffer
    ticks.advanceMillis(200);
    assertThat(events.reasons("a")).containsExactly(REGISTERED, FIRST_HEARTBEAT);
    assertThat(registry.stats().mistakes()).isZero();
    ticks.advanceMillis(1_000);
    assertThat(registry.stats().holdingSuspicions()).isFalse();
    assertThat(registry.stats().localPauses()).as("counted once").isEqualTo(1);
    assertThat(events.last("a").reason()).as("a dead peer is still detected after the grace")
        .isEqualTo(TIMEOUT);
  }

  @Test
  void localPause_withTheGuardDisabled_blamesThePeer() {
    start(builder().localPauseGrace(Duration.ZERO));
    registry.register("a");
    registry.heartbeat("a");
    ticks.freezeMillis(2_000);
    ticks.tickNow();
    registry.heartbeat("a");
    assertThat(events.reasons("a")).containsExactly(REGISTERED, FIRST_HEARTBEAT, TIMEOUT, RECOVERED);
    assertThat(registry.stats().mistakes()).isEqualTo(1);
    assertThat(registry.stats().localPauses()).isZero();
  }

  @Test
  void snapshot_reportsStateTimingAndIntervals() {
    start(builder().detector(DetectorSpec.phi()
        .withInterval(Duration.ofMillis(100))));
    registry.register("a");
    assertThat(registry.snapshot("a").orElseThrow().nanosSinceLastHeartbeat()).isEqualTo(-1);
    for (int i = 0; i < 100; i++) {
      registry.heartbeat("a");
      ticks.advanceMillis(i % 2 == 0 ? 90 : 110);
    }
    ticks.advanceMillis(30);
    PeerSnapshot<String> snapshot = registry.snapshot("a").orElseThrow();
    assertThat(snapshot.state()).isEqualTo(PeerState.AVAILABLE);
    assertThat(snapshot.reason()).isEqualTo(FIRST_HEARTBEAT);
    assertThat(snapshot.nanosSinceLastHeartbeat()).isEqualTo(140 * MS);
    assertThat(snapshot.phi()).isPresent();
    assertThat(snapshot.phi().getAsDouble()).isBetween(0.0, 1.0);
    assertThat(snapshot.meanIntervalNanos()).isCloseTo(100 * MS, within(2.0 * MS));
    assertThat(snapshot.intervalStdDeviationNanos()).isCloseTo(10 * MS, within(2.0 * MS));
    assertThat(snapshot.timeoutNanos()).isGreaterThan(3_000 * MS); // default pause 3 s
    assertThat(registry.snapshots()).containsExactly(snapshot);
    assertThat(registry.snapshot("nope")).isEmpty();
  }

  @Test
  void peerCounts_followTheStates() {
    start(builder());
    for (String key : List.of("a", "b", "c", "d")) {
      registry.register(key);
    }
    registry.heartbeat("a");
    registry.heartbeat("b");
    registry.heartbeat("c");
    registry.markFailed("c", LEFT);
    ticks.advanceMillis(310);
    assertThat(registry.stats().peers(PeerState.UNKNOWN)).isEqualTo(1);
    assertThat(registry.stats().peers(PeerState.SUSPECTED)).isEqualTo(2);
    assertThat(registry.stats().peers(PeerState.FAILED)).isEqualTo(1);
    assertThat(registry.stats().peers(PeerState.AVAILABLE)).isZero();
    assertThat(registry.stats().peers(PeerState.REMOVED)).isZero();
  }

  @Test
  void builder_rejectsBadSettings() {
    assertThatThrownBy(() -> FailureDetectorRegistry.builder().maxPeers(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxPeers must be >= 1, got 0");
    assertThatThrownBy(() -> FailureDetectorRegistry.builder().tick(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tick must be between 1 ms and 1 s, got PT0S");
    assertThatThrownBy(() -> FailureDetectorRegistry.builder().confirmationTime(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("confirmationTime must be > 0 and <= PT24H, got PT0S");
    assertThatThrownBy(() -> FailureDetectorRegistry.builder().localPauseGrace(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("localPauseGrace must be >= 0 and <= PT24H, got PT-1S");
    assertThatThrownBy(() -> FailureDetectorRegistry.builder().listenerQueueCapacity(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("listenerQueueCapacity must be >= 1, got 0");
    assertThatThrownBy(() -> FailureDetectorRegistry.builder().detector(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("detector must not be null");
  }

  @Test
  void close_stopsTheTimer_andRefusesNewPeers() {
    start(builder());
    registry.register("a");
    registry.close();
    registry.close();
    assertThat(ticks.stopped).isTrue();
    assertThatThrownBy(() -> registry.register("b"))
        .isInstanceOf(IllegalStateException.class).hasMessage("registry is closed");
    registry.heartbeat("a"); // still works, no timer
    assertThat(registry.state("a")).isEqualTo(PeerState.AVAILABLE);
  }
}
