package dev.failuredetector;

/** What a {@link FailureDetectorRegistry} believes about a peer. */
public enum PeerState {
  /** Registered, nothing heard yet. Not suspected: there is no evidence either way. */
  UNKNOWN,
  /** Heard recently enough: send it traffic. */
  AVAILABLE,
  /** Its deadline passed without a heartbeat: probably down, possibly slow. */
  SUSPECTED,
  /**
   * Confirmed down: suspected for longer than the confirmation time, or declared failed by a
   * faster clue ({@link FailureDetectorRegistry#markFailed}). A later heartbeat still revives it.
   */
  FAILED,
  /**
   * Not in the registry. Appears only in transitions: as the state before {@link
   * TransitionReason#REGISTERED} and after {@link TransitionReason#REMOVED}.
   */
  REMOVED
}
