package dev.failuredetector.netty;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells an operator, once, that messages keep failing authentication: the usual cause is a peer
 * started with another key (then each side sees the other as silent, which otherwise looks
 * exactly like a dead peer), the other a forger. Checked every {@link #PERIOD_SECONDS} s from the
 * node's event loop by comparing counters, so nothing is added to the receive path and nothing
 * is logged per message; at most one warning every {@link #QUIET_MINUTES} minutes, whoever
 * sends the failing messages.
 *
 * <p>Not thread-safe: the node's event loop only.
 */
final class AuthenticationFailures {

  static final long PERIOD_SECONDS = 5;
  static final long QUIET_MINUTES = 10;
  /** Failures within one period that make a warning: a stray corrupted datagram does not. */
  static final long THRESHOLD = 3;

  private static final Logger LOG = LoggerFactory.getLogger(HeartbeatNode.class);

  private final String localId;
  private final TransportCounters counters;
  private long lastTotal;
  private long lastWarningNanos;
  private boolean warned;

  AuthenticationFailures(String localId, TransportCounters counters) {
    this.localId = localId;
    this.counters = counters;
  }

  /** A period passed at {@code nowNanos}: warns if enough failed since the last check. */
  void check(long nowNanos) {
    long badTag = counters.drops(DropReason.BAD_TAG);
    long unknownKey = counters.drops(DropReason.UNKNOWN_KEY);
    long untagged = counters.drops(DropReason.UNAUTHENTICATED);
    long total = badTag + unknownKey + untagged;
    long recent = total - lastTotal;
    lastTotal = total;
    if (recent < THRESHOLD
        || (warned && nowNanos - lastWarningNanos < TimeUnit.MINUTES.toNanos(QUIET_MINUTES))) {
      return;
    }
    warned = true;
    lastWarningNanos = nowNanos;
    LOG.warn("Node {}: {} messages in the last {} s failed authentication ({} BAD_TAG: a wrong"
        + " key or a forgery; {} UNKNOWN_KEY: a key id this node does not have; {}"
        + " UNAUTHENTICATED: no tag, an --insecure sender). A peer with another key looks dead"
        + " from both sides: check --key-file or FD_KEY on every node. Counted in STATUS and"
        + " failure.detector.transport.messages.dropped; this warning repeats at most every {}"
        + " minutes.", localId, recent, PERIOD_SECONDS, badTag, unknownKey, untagged,
        QUIET_MINUTES);
  }
}
