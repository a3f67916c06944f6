package dev.failuredetector.netty;

/**
 * Why the transport dropped a received message (WIRE-FORMAT.md); each is counted, none is thrown.
 * A valid message that is stale (a replay, a duplicate, an older incarnation) is dropped by the
 * peer's {@link dev.failuredetector.MonitoredPeer} and counted by the registry instead.
 */
public enum DropReason {
  /** Shorter than its own header says. */
  TRUNCATED,
  /** Longer than the format's maximum or than its header says. */
  OVERSIZED,
  BAD_MAGIC,
  BAD_VERSION,
  BAD_TYPE,
  BAD_FLAGS,
  /** Sender id empty, over 64 bytes, or not UTF-8. */
  BAD_SENDER_ID,
  /** No tag, and this node requires authentication. */
  UNAUTHENTICATED,
  /** Tagged with a key id that is not in the ring. */
  UNKNOWN_KEY,
  /** The tag does not match: forged, corrupted, or a wrong key. */
  BAD_TAG,
  /** From a node that is not a registered peer. */
  UNKNOWN_SENDER,
  /**
   * Authentic, from a peer, but not echoing this node's current incarnation: sent before the peer
   * heard this node (the first message or two after either starts: normal), or recorded from
   * another recipient or from an earlier life of this node (a replay). Never counted as a
   * heartbeat or goodbye.
   */
  UNECHOED,
  /**
   * A GOODBYE, echoing this node, but of an incarnation of the peer that this node has counted no
   * heartbeat of (its current life is another): ignored, so a made-up incarnation cannot take a
   * live peer down.
   */
  UNCONFIRMED_GOODBYE,
  /**
   * A PING or ACK where this node takes none: over TCP (probes are answered over UDP), or, for an
   * ACK, on a node that has no {@code udp://} probe. Dropped before it can teach or change
   * anything.
   */
  UNEXPECTED_TYPE,
  /**
   * An authentic ACK echoing this node that answers no outstanding probe: a duplicate, one that
   * came after the probe's cap or after the answer to a later probe, or a replay (also of another
   * target's ACK). It counts for nothing.
   */
  UNMATCHED_ACK,
  /**
   * A cluster section (rumors) that does not parse: an unknown rumor kind, a member id of length 0
   * or over 64 or not UTF-8, more than {@value WireCodec#MAX_RUMORS} rumors, or a section on a
   * message type that takes none (or a GOSSIP without one).
   */
  BAD_RUMOR,
  /**
   * A HEARTBEAT from a member this node does not observe (with the cluster overlay, heartbeats go
   * to a member's observers only: the sender's membership differs from this node's for a moment).
   */
  UNOBSERVED,
  /**
   * A GOSSIP message echoing this node whose sequence is not above the last one counted from its
   * sender's incarnation (a duplicate or a replay), or of an incarnation other than the one this
   * node counts the sender's heartbeats of.
   */
  STALE_GOSSIP
}
