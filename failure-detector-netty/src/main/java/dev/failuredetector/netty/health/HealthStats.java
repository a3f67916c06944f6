package dev.failuredetector.netty.health;

import dev.failuredetector.netty.internal.EnumCounts;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link HealthServer}'s counters at one moment ({@link HealthServer#stats()}), counted since it
 * started, in the style of Caffeine's {@code CacheStats} (as {@link
 * dev.failuredetector.RegistryStats} and {@link dev.failuredetector.netty.TransportStats}): an
 * immutable value built in O(1), and {@link #minus} for what happened between two. Exported as
 * meters by {@link HealthServerMetrics}.
 *
 * @param counts every {@link Counter} (every one present)
 * @param openConnections connections open now, both listeners together (a gauge)
 */
public record HealthStats(Map<Counter, Long> counts, int openConnections) {

  /** What a health server counts. */
  public enum Counter {
    /** HTTP responses sent (all statuses, including the 408s to slow clients). */
    HTTP_RESPONSES,
    /**
     * HTTP responses with a 4xx status: bad path, unknown peer or endpoint, bad method,
     * undecodable, oversized, and the 408s to slow clients.
     */
    CLIENT_ERRORS,
    /** Connections closed with 408 because a request did not arrive within the request timeout. */
    SLOW_CLIENTS,
    /** Agent-check questions answered. */
    AGENT_ANSWERS,
    /** Agent-check connections closed without an answer: empty, not UTF-8, or too long a line. */
    AGENT_BAD_REQUESTS,
    /**
     * Connections closed to admit a newcomer (at a listener's {@code maxConnections} or a
     * source's {@code maxConnectionsPerSource}), both listeners together.
     */
    CONNECTIONS_REJECTED,
    /** Connections closed because no complete request (or agent line) came in time. */
    CONNECTIONS_TIMED_OUT,
    /** Connections closed on an error: idle or read timeout, reset by the client. */
    CONNECTION_ERRORS
  }

  /** @throws NullPointerException if {@code counts} is null */
  public HealthStats {
    counts = Map.copyOf(Objects.requireNonNull(counts, "counts"));
  }

  /** The count of {@code counter}. */
  public long count(Counter counter) {
    return counts.getOrDefault(counter, 0L);
  }

  /** {@link Counter#HTTP_RESPONSES}. */
  public long httpResponses() {
    return count(Counter.HTTP_RESPONSES);
  }

  /** {@link Counter#CLIENT_ERRORS}. */
  public long clientErrors() {
    return count(Counter.CLIENT_ERRORS);
  }

  /** {@link Counter#SLOW_CLIENTS}. */
  public long slowClients() {
    return count(Counter.SLOW_CLIENTS);
  }

  /** {@link Counter#AGENT_ANSWERS}. */
  public long agentAnswers() {
    return count(Counter.AGENT_ANSWERS);
  }

  /** {@link Counter#AGENT_BAD_REQUESTS}. */
  public long agentBadRequests() {
    return count(Counter.AGENT_BAD_REQUESTS);
  }

  /** {@link Counter#CONNECTIONS_REJECTED}. */
  public long connectionsRejected() {
    return count(Counter.CONNECTIONS_REJECTED);
  }

  /** {@link Counter#CONNECTIONS_TIMED_OUT}. */
  public long connectionsTimedOut() {
    return count(Counter.CONNECTIONS_TIMED_OUT);
  }

  /** {@link Counter#CONNECTION_ERRORS}. */
  public long connectionErrors() {
    return count(Counter.CONNECTION_ERRORS);
  }

  /**
   * What happened since {@code earlier}: every count this one's minus {@code earlier}'s (never
   * below zero), {@code openConnections} as this one's.
   */
  public HealthStats minus(HealthStats earlier) {
    Objects.requireNonNull(earlier, "earlier");
    return new HealthStats(EnumCounts.minus(counts, earlier.counts, Counter.class),
        openConnections);
  }
}
