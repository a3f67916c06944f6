package dev.failuredetector.netty;

/** How a {@link HeartbeatNode} carries its messages (WIRE-FORMAT.md is the same for both). */
public enum Transport {
  /**
   * One datagram per message to each peer. Cheapest; a lost datagram is a missed heartbeat, which
   * is what the detector is there to absorb.
   */
  UDP,
  /**
   * One connection per peer, each message framed by a 2-byte length. Gives a fast extra clue: a
   * peer whose port refuses connections has no process listening, and is marked FAILED at once
   * ({@link dev.failuredetector.TransitionReason#CONNECTION_REFUSED CONNECTION_REFUSED}) instead
   * of after a timeout. Heartbeats are not retransmitted into a stalled connection: when the
   * socket's buffer is full they are dropped, as UDP would.
   */
  TCP
}
