package dev.failuredetector.netty;

import java.util.Map;
import java.util.Objects;

/**
 * A node's transport counters at one moment ({@link HeartbeatNode#stats()}), counted since it
 * started. Stale messages (replays, duplicates, older incarnations) are not here: the registry
 * counts them, once ({@link dev.failuredetector.RegistryStats}).
 *
 * @param accepted fresh heartbeats and goodbyes from registered peers
 * @param dropped messages dropped by the transport, by reason (every reason present)
 * @param sent messages handed to the socket
 * @param unsent messages not sent: no open TCP connection to the peer, or its buffer was full
 * @param connectionRefusedClues peers marked FAILED at once because their TCP port refused
 * @param connectAttempts TCP connection attempts
 * @param connectFailures TCP connection attempts that failed (refused, timed out, unreachable)
 * @param inboundRejected inbound TCP connections closed to make room for a newcomer (the longest
 *     idle one, at the bound or at a source's bound)
 * @param inboundOpen inbound TCP connections open now (0 over UDP)
 * @param inboundClosed inbound TCP connections closed for a malformed frame, an error, no first
 *     frame in time, or no complete frame for the idle timeout
 * @param handlerErrors exceptions that reached a handler (resets, idle timeouts)
 * @param skippedRounds heartbeat rounds skipped because the sender ran more than an interval late
 */
public record TransportStats(long accepted, Map<DropReason, Long> dropped, long sent, long unsent,
    long connectionRefusedClues, long connectAttempts, long connectFailures, long inboundRejected,
    int inboundOpen, long inboundClosed, long handlerErrors, long skippedRounds) {

  public TransportStats {
    dropped = Map.copyOf(Objects.requireNonNull(dropped, "dropped"));
  }

  /** Messages dropped for {@code reason}. */
  public long drops(DropReason reason) {
    return dropped.getOrDefault(reason, 0L);
  }
}
