package dev.failuredetector;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Makes a registry's state changes: asks the {@link PeerStateMachine} what an event does, writes
 * the new state into the peer, counts it (peers by state, transitions by reason, mistakes) and
 * hands it to the {@link TransitionPublisher}. Changes happen under the peer's monitor, so each
 * peer's transitions are published in the order they were made. Thread-safe.
 */
final class PeerTransitions<K> {

  private final TransitionPublisher<K> publisher;
  private final AtomicLong[] peersByState = new AtomicLong[PeerState.values().length];
  private final LongAdder[] transitionsByReason = new LongAdder[TransitionReason.values().length];
  private final LongAdder mistakes = new LongAdder();

  PeerTransitions(TransitionPublisher<K> publisher) {
    this.publisher = publisher;
    for (int i = 0; i < peersByState.length; i++) {
      peersByState[i] = new AtomicLong();
    }
    for (int i = 0; i < transitionsByReason.length; i++) {
      transitionsByReason[i] = new LongAdder();
    }
  }

  /**
   * Applies {@code event} to {@code peer}, taking its monitor.
   *
   * @return whether the state changed (false for a removed peer, or an event the state ignores)
   */
  boolean apply(MonitoredPeer<K> peer, PeerEvent event, long nowNanos) {
    synchronized (peer) {
      return !peer.removed && applyLocked(peer, event, nowNanos);
    }
  }

  /** As {@link #apply}; the caller holds the peer's monitor and has checked it is not removed. */
  boolean applyLocked(MonitoredPeer<K> peer, PeerEvent event, long nowNanos) {
    PeerState from = peer.state;
    PeerStateMachine.Step step = PeerStateMachine.next(from, peer.reason, event);
    if (step == null) {
      return false;
    }
    peer.setState(step.to(), step.reason(), nowNanos);
    announce(peer, from, step, nowNanos);
    return true;
  }

  /** Counts and publishes a step already written into the peer; caller holds its monitor. */
  void announce(MonitoredPeer<K> peer, PeerState from, PeerStateMachine.Step step, long nowNanos) {
    if (from != step.to()) {
      peersByState[from.ordinal()].decrementAndGet();
      peersByState[step.to().ordinal()].incrementAndGet();
    }
    if (step.mistake()) {
      mistakes.increment();
    }
    publish(new PeerTransition<>(peer.key, from, step.to(), step.reason(), nowNanos,
        step.mistake()));
  }

  /** A new peer, UNKNOWN; caller holds its monitor. */
  void registered(MonitoredPeer<K> peer) {
    peersByState[PeerState.UNKNOWN.ordinal()].incrementAndGet();
    publish(new PeerTransition<>(peer.key, PeerState.REMOVED, PeerState.UNKNOWN,
        TransitionReason.REGISTERED, peer.stateSinceNanos, false));
  }

  /** A peer just marked removed; caller holds its monitor. */
  void removed(MonitoredPeer<K> peer, long nowNanos) {
    PeerState from = peer.state;
    peersByState[from.ordinal()].decrementAndGet();
    publish(new PeerTransition<>(peer.key, from, PeerState.REMOVED, TransitionReason.REMOVED,
        nowNanos, false));
  }

  private void publish(PeerTransition<K> transition) {
    transitionsByReason[transition.reason().ordinal()].increment();
    publisher.publish(transition);
  }

  long peers(PeerState state) {
    return peersByState[state.ordinal()].get();
  }

  long transitions(TransitionReason reason) {
    return transitionsByReason[reason.ordinal()].sum();
  }

  long mistakes() {
    return mistakes.sum();
  }
}
