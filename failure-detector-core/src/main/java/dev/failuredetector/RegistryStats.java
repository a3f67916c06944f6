package dev.failuredetector;

import java.util.Map;
import java.util.Objects;

/**
 * A registry's counters at one moment, as one immutable value ({@link
 * FailureDetectorRegistry#stats()}): counts since the registry started, and a few gauges. Take a
 * new one to see newer numbers; two snapshots' difference is what happened in between.
 *
 * @param heartbeatsRecorded heartbeats recorded (including those of peers removed since)
 * @param heartbeatsUnknownPeer heartbeats dropped because the peer was not registered
 * @param heartbeatsCoalesced heartbeats dropped because another of the same peer was being
 *     recorded at that instant
 * @param heartbeatsStaleIncarnation heartbeats and goodbyes of an earlier incarnation of the
 *     peer, not newer than its last one (recordings of an earlier life)
 * @param heartbeatsStaleSequence heartbeats and goodbyes dropped for a sequence number not above
 *     the last one (replays, duplicates, reordering)
 * @param heartbeatsImplausibleSequence heartbeats and goodbyes dropped for a sequence number
 *     further ahead than the sender could have got (forged or corrupted)
 * @param heartbeatsUnconfirmedIncarnation first messages of an incarnation other than the
 *     current one, held until a second message confirms it (a restart seen one message late, or a
 *     forged claim that the next real message undid)
 * @param peersByState registered peers in each state (no {@link PeerState#REMOVED} entry)
 * @param transitionsByReason transitions made, by reason (every reason present)
 * @param mistakes suspicions by timeout that a later heartbeat proved wrong
 * @param localPauses times the timer ran late enough to count as a local pause
 * @param holdingSuspicions whether new suspicions are held after a local pause now
 * @param nanosSinceLastTick how long ago the timer last ticked (a stuck or dead timer thread
 *     shows here: liveness probes read it)
 * @param lastTickLagNanos how late the last timer tick ran, in nanoseconds
 * @param maxTickLagNanos the latest any tick ran, in nanoseconds
 * @param listenerCoalesced transitions folded into a later one because a listener fell behind
 * @param listenerFailures transitions whose listener threw
 */
public record RegistryStats(long heartbeatsRecorded, long heartbeatsUnknownPeer,
    long heartbeatsCoalesced, long heartbeatsStaleIncarnation, long heartbeatsStaleSequence,
    long heartbeatsImplausibleSequence, long heartbeatsUnconfirmedIncarnation,
    Map<PeerState, Long> peersByState, Map<TransitionReason, Long> transitionsByReason,
    long mistakes, long localPauses, boolean holdingSuspicions, long nanosSinceLastTick,
    long lastTickLagNanos,
    long maxTickLagNanos, long listenerCoalesced, long listenerFailures) {

  public RegistryStats {
    peersByState = Map.copyOf(Objects.requireNonNull(peersByState, "peersByState"));
    transitionsByReason =
        Map.copyOf(Objects.requireNonNull(transitionsByReason, "transitionsByReason"));
  }

  /** Registered peers in {@code state} (0 for {@link PeerState#REMOVED}). */
  public long peers(PeerState state) {
    return peersByState.getOrDefault(state, 0L);
  }

  /** Transitions made with {@code reason}. */
  public long transitions(TransitionReason reason) {
    return transitionsByReason.getOrDefault(reason, 0L);
  }
}
