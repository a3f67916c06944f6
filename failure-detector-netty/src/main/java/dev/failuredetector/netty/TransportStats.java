package dev.failuredetector.netty;

import dev.failuredetector.netty.internal.EnumCounts;
import java.util.Map;
import java.util.Objects;

/**
 * A node's transport counters at one moment ({@link HeartbeatNode#stats()}), counted since it
 * started, in the style of Caffeine's {@code CacheStats}: an immutable value built in O(1), and
 * {@link #minus} for what happened between two. Stale messages (replays, duplicates, older
 * incarnations) are not here: the registry counts them, once ({@link
 * dev.failuredetector.RegistryStats}).
 *
 * @param counts every {@link Counter}, by name (every counter present)
 * @param dropped messages dropped by the transport, by reason (every reason present)
 * @param inboundOpen inbound TCP connections open now (a gauge; 0 over UDP)
 */
public record TransportStats(Map<Counter, Long> counts, Map<DropReason, Long> dropped,
    int inboundOpen) {

  /** What a transport counts. */
  public enum Counter {
    /** Fresh heartbeats and goodbyes from registered peers, and ACKs that answered a probe. */
    ACCEPTED,
    /** Messages handed to the socket. */
    SENT,
    /** Messages not sent: no open TCP connection to the peer, or its buffer was full. */
    UNSENT,
    /** Peers marked FAILED at once because their TCP port refused. */
    CONNECTION_REFUSED_CLUES,
    /** TCP connection attempts. */
    CONNECT_ATTEMPTS,
    /** TCP connection attempts that failed (refused, timed out, unreachable). */
    CONNECT_FAILURES,
    /**
     * Inbound TCP connections closed to make room for a newcomer (the longest idle one, at the
     * bound or at a source's bound).
     */
    INBOUND_REJECTED,
    /**
     * Inbound TCP connections closed for a malformed frame, an error, no first frame in time, or
     * no complete frame for the idle timeout.
     */
    INBOUND_CLOSED,
    /** Exceptions that reached a handler (resets, idle timeouts). */
    HANDLER_ERRORS,
    /** Heartbeat rounds skipped because the sender ran more than an interval late. */
    SKIPPED_ROUNDS,
    /** Authentic PINGs answered with an ACK (this node is the target of someone's probe). */
    PINGS_ANSWERED,
    /** GOSSIP messages sent (cluster rumors to members that get no heartbeat); also in SENT. */
    GOSSIP_SENT
  }

  /** @throws NullPointerException if a map is null */
  public TransportStats {
    counts = Map.copyOf(Objects.requireNonNull(counts, "counts"));
    dropped = Map.copyOf(Objects.requireNonNull(dropped, "dropped"));
  }

  /** The count of {@code counter}. */
  public long count(Counter counter) {
    return counts.getOrDefault(counter, 0L);
  }

  /** Messages dropped for {@code reason}. */
  public long drops(DropReason reason) {
    return dropped.getOrDefault(reason, 0L);
  }

  /** {@link Counter#ACCEPTED}. */
  public long accepted() {
    return count(Counter.ACCEPTED);
  }

  /** {@link Counter#SENT}. */
  public long sent() {
    return count(Counter.SENT);
  }

  /** {@link Counter#UNSENT}. */
  public long unsent() {
    return count(Counter.UNSENT);
  }

  /** {@link Counter#CONNECTION_REFUSED_CLUES}. */
  public long connectionRefusedClues() {
    return count(Counter.CONNECTION_REFUSED_CLUES);
  }

  /** {@link Counter#CONNECT_ATTEMPTS}. */
  public long connectAttempts() {
    return count(Counter.CONNECT_ATTEMPTS);
  }

  /** {@link Counter#CONNECT_FAILURES}. */
  public long connectFailures() {
    return count(Counter.CONNECT_FAILURES);
  }

  /** {@link Counter#INBOUND_REJECTED}. */
  public long inboundRejected() {
    return count(Counter.INBOUND_REJECTED);
  }

  /** {@link Counter#INBOUND_CLOSED}. */
  public long inboundClosed() {
    return count(Counter.INBOUND_CLOSED);
  }

  /** {@link Counter#HANDLER_ERRORS}. */
  public long handlerErrors() {
    return count(Counter.HANDLER_ERRORS);
  }

  /** {@link Counter#SKIPPED_ROUNDS}. */
  public long skippedRounds() {
    return count(Counter.SKIPPED_ROUNDS);
  }

  /**
   * What happened since {@code earlier}: every count this one's minus {@code earlier}'s (never
   * below zero), {@code inboundOpen} as this one's.
   */
  public TransportStats minus(TransportStats earlier) {
    Objects.requireNonNull(earlier, "earlier");
    return new TransportStats(EnumCounts.minus(counts, earlier.counts, Counter.class),
        EnumCounts.minus(dropped, earlier.dropped, DropReason.class), inboundOpen);
  }
}
