package dev.failuredetector;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The registry's heartbeat counters, by outcome, and the assembly of its {@link RegistryStats}
 * from every part's counters: O(1), whatever the number of peers. Counting is one {@link
 * LongAdder} increment (no lock; no allocation once the adder has its cells). Thread-safe.
 */
final class RegistryCounters {

  private final LongAdder[] heartbeats = new LongAdder[HeartbeatOutcome.values().length];

  RegistryCounters() {
    for (int i = 0; i < heartbeats.length; i++) {
      heartbeats[i] = new LongAdder();
    }
  }

  /** Counts one heartbeat with {@code outcome} and returns it. */
  HeartbeatOutcome count(HeartbeatOutcome outcome) {
    heartbeats[outcome.ordinal()].increment();
    return outcome;
  }

  RegistryStats snapshot(PeerTransitions<?> transitions, LocalPauseGuard pauseGuard,
      SuspicionTimer<?> timer, TransitionPublisher<?> publisher, long nowNanos) {
    Map<HeartbeatOutcome, Long> byOutcome = new EnumMap<>(HeartbeatOutcome.class);
    for (HeartbeatOutcome outcome : HeartbeatOutcome.values()) {
      byOutcome.put(outcome, heartbeats[outcome.ordinal()].sum());
    }
    Map<PeerState, Long> byState = new EnumMap<>(PeerState.class);
    for (PeerState state : PeerState.values()) {
      if (state != PeerState.REMOVED) {
        byState.put(state, transitions.peers(state));
      }
    }
    Map<TransitionReason, Long> byReason = new EnumMap<>(TransitionReason.class);
    for (TransitionReason reason : TransitionReason.values()) {
      byReason.put(reason, transitions.transitions(reason));
    }
    return new RegistryStats(byOutcome, byState, byReason, transitions.mistakes(),
        pauseGuard.pauses(), publisher.coalesced(), publisher.failures(), pauseGuard.isHolding(),
        Math.max(0, nowNanos - timer.lastTickAtNanos()), timer.lastTickLagNanos(),
        timer.maxTickLagNanos());
  }
}
