package dev.failuredetector.netty;

import dev.failuredetector.netty.internal.ConnectionGuard;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a node's transport counts: messages accepted, sent and dropped (by reason), and TCP
 * connection events. Written by the event loop, read from any thread.
 */
final class TransportCounters {

  final Map<DropReason, LongAdder> drops = new EnumMap<>(DropReason.class);
  final LongAdder accepted = new LongAdder();
  final LongAdder sent = new LongAdder();
  /** Messages not sent: no open connection to the peer (TCP), or the write failed. */
  final LongAdder unsent = new LongAdder();
  /** Exceptions caught by a handler (counted, never logged per packet). */
  final LongAdder handlerErrors = new LongAdder();
  /** Peers marked FAILED because their TCP port refused or reset the connection. */
  final LongAdder connectionClues = new LongAdder();
  final LongAdder connectAttempts = new LongAdder();
  final LongAdder connectFailures = new LongAdder();
  /** Authentic PINGs answered with an ACK. */
  final LongAdder pingsAnswered = new LongAdder();
  /** GOSSIP messages sent (cluster overlay); also in {@link #sent}. */
  final LongAdder gossipSent = new LongAdder();
  /** Inbound TCP connections closed because they sent a malformed frame or nothing for long. */
  final LongAdder inboundClosed = new LongAdder();

  TransportCounters() {
    for (DropReason reason : DropReason.values()) {
      drops.put(reason, new LongAdder());
    }
  }

  void drop(DropReason reason) {
    drops.get(reason).increment();
  }

  long drops(DropReason reason) {
    return drops.get(reason).sum();
  }

  /**
   * These counts, with what the inbound guard and the sender count, as one snapshot: O(1).
   *
   * @param guard the TCP inbound guard, null over UDP
   */
  TransportStats snapshot(ConnectionGuard guard, int inboundOpen, long skippedRounds) {
    Map<TransportStats.Counter, Long> counts = new EnumMap<>(TransportStats.Counter.class);
    counts.put(TransportStats.Counter.ACCEPTED, accepted.sum());
    counts.put(TransportStats.Counter.SENT, sent.sum());
    counts.put(TransportStats.Counter.UNSENT, unsent.sum());
    counts.put(TransportStats.Counter.CONNECTION_REFUSED_CLUES, connectionClues.sum());
    counts.put(TransportStats.Counter.CONNECT_ATTEMPTS, connectAttempts.sum());
    counts.put(TransportStats.Counter.CONNECT_FAILURES, connectFailures.sum());
    counts.put(TransportStats.Counter.INBOUND_REJECTED,
        guard == null ? 0 : guard.evictedAtCapacity() + guard.evictedPerSource());
    counts.put(TransportStats.Counter.INBOUND_CLOSED, inboundClosed.sum()
        + (guard == null ? 0 : guard.closedNoFirstMessage() + guard.closedIdle()));
    counts.put(TransportStats.Counter.HANDLER_ERRORS, handlerErrors.sum());
    counts.put(TransportStats.Counter.SKIPPED_ROUNDS, skippedRounds);
    counts.put(TransportStats.Counter.PINGS_ANSWERED, pingsAnswered.sum());
    counts.put(TransportStats.Counter.GOSSIP_SENT, gossipSent.sum());
    Map<DropReason, Long> dropped = new EnumMap<>(DropReason.class);
    for (DropReason reason : DropReason.values()) {
      dropped.put(reason, drops(reason));
    }
    return new TransportStats(counts, dropped, inboundOpen);
  }
}
