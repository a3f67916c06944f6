package dev.failuredetector.netty;

/** The kinds of message in the wire format (WIRE-FORMAT.md). */
public enum MessageType {
  /** "I am alive": feeds the receiver's failure detector. */
  HEARTBEAT(1),
  /** "I am leaving": the receiver marks the sender LEFT at once. */
  GOODBYE(2),
  /** A request for an ACK (round-trip probes). */
  PING(3),
  /** The answer to a PING. */
  ACK(4),
  /**
   * Cluster rumors for a member that gets no heartbeat from the sender (the cluster overlay:
   * {@code HeartbeatNode.Builder#observers}); feeds no detector.
   */
  GOSSIP(5);

  private final int code;

  MessageType(int code) {
    this.code = code;
  }

  /** The byte on the wire. */
  public int code() {
    return code;
  }

  /** Returns the type with this code, or null. */
  static MessageType ofCode(int code) {
    return switch (code) {
      case 1 -> HEARTBEAT;
      case 2 -> GOODBYE;
      case 3 -> PING;
      case 4 -> ACK;
      case 5 -> GOSSIP;
      default -> null;
    };
  }
}
