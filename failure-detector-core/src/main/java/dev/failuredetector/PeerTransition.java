package dev.failuredetector;

import java.util.Objects;

/**
 * A change of a peer's state, as delivered to {@link PeerStateListener}s.
 *
 * @param key the peer
 * @param from the state before ({@link PeerState#REMOVED} for a registration)
 * @param to the state after ({@link PeerState#REMOVED} for a removal); equal to {@code from} only
 *     for a restart of an available peer
 * @param reason why
 * @param atNanos when, on the registry's clock
 * @param falseSuspicion true for a {@link TransitionReason#RECOVERED RECOVERED} peer that had been
 *     suspected by timeout: the detector was wrong, and the registry counts it as a mistake
 * @param <K> the key type
 */
public record PeerTransition<K>(K key, PeerState from, PeerState to, TransitionReason reason,
    long atNanos, boolean falseSuspicion) {

  public PeerTransition {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(reason, "reason");
  }
}
