package dev.failuredetector.cluster;

/** What the cluster holds of a member: the confirmed view, as opposed to one observer's. */
public enum MemberState {
  /** No accusation stands against the member's current incarnation. */
  ALIVE,
  /**
   * Some of its observers accuse it, fewer than confirm a failure: not failed. An observer that
   * cannot hear a member others hear leaves it here (unreachable from that observer).
   */
  SUSPECTED,
  /** Enough of its observers agreed (or a node that counted them said so): failed. */
  FAILED
}
