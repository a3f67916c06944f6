package dev.failuredetector;

/**
 * Receives a registry's peer transitions.
 *
 * <p>Each listener gets every transition in the order the registry made it (per peer, the order
 * of the state machine), on a thread of its own delivery queue: never on the thread that recorded
 * a heartbeat, nor on the timer thread. A listener that throws is logged once and keeps receiving;
 * one that blocks delays only itself, and past its queue's capacity its newest transitions are
 * dropped and counted ({@link FailureDetectorRegistry#listenerDrops()}).
 */
@FunctionalInterface
public interface PeerStateListener<K> {

  /** Called once per transition, never concurrently with itself. */
  void onTransition(PeerTransition<K> transition);
}
