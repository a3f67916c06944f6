package dev.failuredetector;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * A registry's counters at one moment, as one immutable value ({@link
 * FailureDetectorRegistry#stats()}), in the style of Caffeine's {@code CacheStats}: counts since
 * the registry started, a few gauges, and {@link #minus} for what happened between two snapshots.
 * Taking one costs O(1), whatever the number of peers: every figure is a counter the registry
 * keeps as it goes.
 *
 * @param heartbeatsByOutcome every heartbeat and goodbye handed to the registry, by what became
 *     of it (every outcome present; see {@link #heartbeats})
 * @param peersByState registered peers in each state (a gauge; no {@link PeerState#REMOVED}
 *     entry)
 * @param transitionsByReason transitions made, by reason (every reason present)
 * @param mistakes suspicions by timeout that a later heartbeat proved wrong
 * @param localPauses times the timer ran late enough to count as a local pause
 * @param listenerCoalesced transitions folded into a later one because a listener fell behind
 * @param listenerFailures transitions whose listener threw
 * @param holdingSuspicions whether new suspicions are held after a local pause now (a gauge)
 * @param nanosSinceLastTick how long ago the timer last ticked (a gauge: a stuck or dead timer
 *     thread shows here, liveness probes read it)
 * @param lastTickLagNanos how late the last timer tick ran (a gauge)
 * @param maxTickLagNanos the latest any tick ran (a gauge)
 */
public record RegistryStats(Map<HeartbeatOutcome, Long> heartbeatsByOutcome,
    Map<PeerState, Long> peersByState, Map<TransitionReason, Long> transitionsByReason,
    long mistakes, long localPauses, long listenerCoalesced, long listenerFailures,
    boolean holdingSuspicions, long nanosSinceLastTick, long lastTickLagNanos,
    long maxTickLagNanos) {

  /** @throws NullPointerException if a map is null */
  public RegistryStats {
    heartbeatsByOutcome = Map.copyOf(Objects.requireNonNull(heartbeatsByOutcome,
        "heartbeatsByOutcome"));
    peersByState = Map.copyOf(Objects.requireNonNull(peersByState, "peersByState"));
    transitionsByReason =
        Map.copyOf(Objects.requireNonNull(transitionsByReason, "transitionsByReason"));
  }

  /**
   * Heartbeats (and goodbyes) with {@code outcome}. {@link HeartbeatOutcome#RECORDED} and {@link
   * HeartbeatOutcome#RESTARTED} are disjoint: the message that made a restart counts under
   * RESTARTED only; {@link #heartbeatsRecorded()} adds them up.
   */
  public long heartbeats(HeartbeatOutcome outcome) {
    return heartbeatsByOutcome.getOrDefault(outcome, 0L);
  }

  /** Heartbeats the detectors took: {@link HeartbeatOutcome#recorded() recorded} outcomes. */
  public long heartbeatsRecorded() {
    return heartbeats(HeartbeatOutcome.RECORDED) + heartbeats(HeartbeatOutcome.RESTARTED);
  }

  /** Heartbeats dropped, for any reason (every outcome but the recorded ones and the held). */
  public long heartbeatsDropped() {
    long dropped = 0;
    for (HeartbeatOutcome outcome : HeartbeatOutcome.values()) {
      if (!outcome.recorded() && outcome != HeartbeatOutcome.UNCONFIRMED_INCARNATION) {
        dropped += heartbeats(outcome);
      }
    }
    return dropped;
  }

  /** Registered peers in {@code state} (0 for {@link PeerState#REMOVED}). */
  public long peers(PeerState state) {
    return peersByState.getOrDefault(state, 0L);
  }

  /** Transitions made with {@code reason}. */
  public long transitions(TransitionReason reason) {
    return transitionsByReason.getOrDefault(reason, 0L);
  }

  /**
   * What happened since {@code earlier}: every counter this one's minus {@code earlier}'s
   * (never below zero, as Caffeine's), the gauges ({@code peersByState}, the tick figures,
   * {@code holdingSuspicions}) as this one's.
   */
  public RegistryStats minus(RegistryStats earlier) {
    Objects.requireNonNull(earlier, "earlier");
    return new RegistryStats(minus(heartbeatsByOutcome, earlier.heartbeatsByOutcome,
        HeartbeatOutcome.class), peersByState,
        minus(transitionsByReason, earlier.transitionsByReason, TransitionReason.class),
        Math.max(0, mistakes - earlier.mistakes), Math.max(0, localPauses - earlier.localPauses),
        Math.max(0, listenerCoalesced - earlier.listenerCoalesced),
        Math.max(0, listenerFailures - earlier.listenerFailures), holdingSuspicions,
        nanosSinceLastTick, lastTickLagNanos, maxTickLagNanos);
  }

  static <E extends Enum<E>> Map<E, Long> minus(Map<E, Long> now, Map<E, Long> earlier,
      Class<E> type) {
    Map<E, Long> result = new EnumMap<>(type);
    for (Map.Entry<E, Long> entry : now.entrySet()) {
      result.put(entry.getKey(),
          Math.max(0, entry.getValue() - earlier.getOrDefault(entry.getKey(), 0L)));
    }
    return result;
  }
}
