package dev.failuredetector;

/** What can happen to a registered peer: the inputs of the {@link PeerStateMachine}. */
enum PeerEvent {
  /** A heartbeat was recorded (same incarnation). */
  HEARTBEAT,
  /** A heartbeat of a new incarnation was recorded: the peer restarted. */
  RESTART,
  /** The detector's deadline passed with no heartbeat. */
  DEADLINE_PASSED,
  /** The peer stayed suspected for the confirmation time. */
  CONFIRMATION_PASSED,
  /** A connection to the peer was refused. */
  CONNECTION_REFUSED,
  /** The peer answered a probe and said it is unhealthy. */
  UNHEALTHY,
  /** The peer said goodbye. */
  LEFT,
  /** An operator or another system said the peer is down. */
  EXTERNAL
}
