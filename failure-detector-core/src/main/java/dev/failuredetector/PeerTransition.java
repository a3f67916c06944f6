package dev.failuredetector;

import java.util.Objects;

/**
 * A change of a peer's state, as delivered to {@link PeerStateListener}s.
 *
 * @param key the peer
 * @param from the state before ({@link PeerState#REMOVED} for a registration); for a coalesced
 *     delivery, the state the listener was last told
 * @param to the state after ({@link PeerState#REMOVED} for a removal); equal to {@code from} for
 *     a restart of an available peer, or when coalesced transitions came back to where they began
 * @param reason why (of the latest transition, when coalesced)
 * @param atNanos when, on the registry's clock (of the latest transition, when coalesced)
 * @param falseSuspicion true for a {@link TransitionReason#RECOVERED RECOVERED} peer that had been
 *     suspected by timeout: the detector was wrong, and the registry counts it as a mistake
 * @param skipped how many earlier transitions of this peer were folded into this one because the
 *     listener fell behind (0 normally); the registry's counters still count each of them
 * @param <K> the key type
 */
public record PeerTransition<K>(K key, PeerState from, PeerState to, TransitionReason reason,
    long atNanos, boolean falseSuspicion, int skipped) {

  public PeerTransition {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(reason, "reason");
    if (skipped < 0) {
      throw new IllegalArgumentException("skipped must be >= 0, got " + skipped);
    }
  }

  /** A transition delivered as made (nothing skipped). */
  public PeerTransition(K key, PeerState from, PeerState to, TransitionReason reason,
      long atNanos, boolean falseSuspicion) {
    this(key, from, to, reason, atNanos, falseSuspicion, 0);
  }
}
