package dev.failuredetector;

/**
 * Receives a registry's peer transitions.
 *
 * <p>Each listener gets the transitions of each peer in the order the registry made them, on a
 * thread of its own delivery queue: never on the thread that recorded a heartbeat, nor on the
 * timer thread. A listener that throws is logged once and keeps receiving. One that falls behind
 * by more than its queue's capacity ({@code listenerQueueCapacity}) gets, for each peer, only the
 * latest transition, with {@link PeerTransition#skipped()} saying how many were folded into it:
 * it never loses the last word, so its view of every peer ends equal to the registry's.
 */
@FunctionalInterface
public interface PeerStateListener<K> {

  /** Called once per delivered transition, never concurrently with itself. */
  void onTransition(PeerTransition<K> transition);
}
