package dev.failuredetector;

/**
 * What became of one heartbeat (or goodbye) handed to a {@link MonitoredPeer}: recorded, or
 * dropped and why. Every outcome is counted once, by the registry ({@link RegistryStats}).
 */
public enum HeartbeatOutcome {
  /** Recorded: the detector has it. */
  RECORDED,
  /**
   * Recorded as a heartbeat of a new incarnation, confirmed by this second message of it: the peer
   * restarted.
   */
  RESTARTED,
  /**
   * Held, not recorded: the first message of an incarnation other than the current one. It
   * becomes a restart ({@link #RESTARTED}) at the next message of that incarnation if none of the
   * current one is counted in between; one forged message of a made-up incarnation changes
   * nothing.
   */
  UNCONFIRMED_INCARNATION,
  /**
   * Dropped: it carried one of the peer's earlier incarnations (it restarted since) and a sequence
   * number not above that incarnation's last one: a recording of an earlier life.
   */
  STALE_INCARNATION,
  /**
   * Dropped: its sequence number was not above the last one recorded in the same incarnation (a
   * replay, a duplicate or a reordered message).
   */
  STALE_SEQUENCE,
  /**
   * Dropped: its sequence number runs further ahead than the honest sender could have got since
   * its last message (4 + 2 per heartbeat interval): forged or corrupted, it must not push the
   * numbers out of the sender's reach.
   */
  IMPLAUSIBLE_SEQUENCE,
  /** Dropped: another heartbeat of the same peer was being recorded at that instant. */
  COALESCED,
  /** Dropped: the peer is not registered (never was, or was removed). */
  UNKNOWN_PEER;

  /** Whether the heartbeat was recorded ({@link #RECORDED} or {@link #RESTARTED}). */
  public boolean recorded() {
    return this == RECORDED || this == RESTARTED;
  }
}
