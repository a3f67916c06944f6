package dev.failuredetector;

/** Why a peer changed state; carried by every {@link PeerTransition}. */
public enum TransitionReason {
  /** The peer was registered (REMOVED to UNKNOWN). */
  REGISTERED,
  /** The first heartbeat was heard (UNKNOWN to AVAILABLE). */
  FIRST_HEARTBEAT,
  /**
   * The detector's deadline passed (AVAILABLE to SUSPECTED), or the peer stayed suspected longer
   * than the confirmation time (SUSPECTED to FAILED).
   */
  TIMEOUT,
  /** A connection to the peer was refused or reset: a fast clue ({@code markFailed}). */
  CONNECTION_REFUSED,
  /**
   * The peer answered a health probe and said it is unhealthy (an HTTP status outside the
   * expected ones, a 5xx for example) ({@code markFailed}).
   */
  UNHEALTHY,
  /** The peer said goodbye ({@code markFailed}). */
  LEFT,
  /** An operator or another system said the peer is down ({@code markFailed}). */
  EXTERNAL,
  /** A heartbeat carried a higher incarnation: the peer restarted (any state to AVAILABLE). */
  RESTARTED,
  /**
   * A heartbeat from a suspected or failed peer. When the peer had been suspected by timeout, the
   * suspicion was a mistake: {@link PeerTransition#falseSuspicion()} says so.
   */
  RECOVERED,
  /** The peer was removed (any state to REMOVED). */
  REMOVED
}
