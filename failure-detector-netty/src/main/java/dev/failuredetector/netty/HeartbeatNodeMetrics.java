package dev.failuredetector.netty;

import dev.failuredetector.micrometer.FailureDetectorMetrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * Micrometer meters for a {@link HeartbeatNode}'s transport, all function counters reading the
 * node's own counters (nothing is added to the receive path). Names start with {@code
 * failure.detector.transport.}, tagged {@code node} with the node's id plus your tags:
 *
 * <ul>
 *   <li>{@code messages.dropped}, tag {@code reason} (one per {@link DropReason}, lower case
 *       with dots: {@code bad.tag}, {@code unknown.sender}, ...; stale messages are counted by the registry),
 *   <li>{@code messages.accepted}, {@code messages.sent}, {@code messages.unsent},
 *   <li>{@code connections.attempts}, {@code connections.failures}, {@code connections.refused.clues},
 *       {@code connections.inbound.rejected}, {@code connections.inbound.closed} (TCP), and the
 *       gauge {@code connections.inbound.open},
 *   <li>{@code handler.errors}, {@code rounds.skipped}.
 * </ul>
 *
 * <p>It also binds the node's registry ({@code FailureDetectorMetrics}: peers by state,
 * transitions, mistakes, heartbeats by outcome, ...) with the same tags, so every meter of a node
 * carries {@code node=<id>}: one binder, one way to tag. Needs micrometer-core on the classpath
 * (an optional dependency of this module). Thread-safe.
 */
public final class HeartbeatNodeMetrics implements MeterBinder {

  private static final String PREFIX = "failure.detector.transport.";

  private final HeartbeatNode node;
  private final Tags tags;
  private final boolean perPeer;

  /** Meters for {@code node}, with {@code tags} on every meter. */
  public HeartbeatNodeMetrics(HeartbeatNode node, Iterable<Tag> tags) {
    this(node, tags, false);
  }

  private HeartbeatNodeMetrics(HeartbeatNode node, Iterable<Tag> tags, boolean perPeer) {
    this.node = Objects.requireNonNull(node, "node");
    this.tags = Tags.of(Objects.requireNonNull(tags, "tags")).and("node", node.localId());
    this.perPeer = perPeer;
  }

  /**
   * Like {@link #HeartbeatNodeMetrics(HeartbeatNode, Iterable)}, plus the per-peer meters
   * ({@code peer.phi}, {@code peer.timeout}, ..., tagged {@code peer=<id>}) that follow the
   * node's peers as they come and go: what the shipped dashboard reads. One series per peer:
   * for tens or hundreds of peers, not thousands.
   */
  public static HeartbeatNodeMetrics withPerPeerMeters(HeartbeatNode node, Iterable<Tag> tags) {
    return new HeartbeatNodeMetrics(node, tags, true);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    (perPeer ? FailureDetectorMetrics.withPerPeerMeters(node.registry(), tags, id -> id)
        : new FailureDetectorMetrics(node.registry(), tags)).bindTo(registry);
    for (DropReason reason : DropReason.values()) {
      counter(registry, "messages.dropped", "Messages dropped, by reason",
          Tags.of("reason", reason.name().toLowerCase(Locale.ROOT).replace('_', '.')),
          s -> s.drops(reason));
    }
    counter(registry, "messages.accepted", "Heartbeats and goodbyes accepted from peers",
        Tags.empty(), TransportStats::accepted);
    counter(registry, "messages.sent", "Messages handed to the socket", Tags.empty(),
        TransportStats::sent);
    counter(registry, "messages.unsent", "Messages not sent: no TCP connection or a full buffer",
        Tags.empty(), TransportStats::unsent);
    counter(registry, "connections.attempts", "TCP connection attempts", Tags.empty(),
        TransportStats::connectAttempts);
    counter(registry, "connections.failures", "TCP connection attempts that failed",
        Tags.empty(), TransportStats::connectFailures);
    counter(registry, "connections.refused.clues",
        "Peers marked failed at once because their port refused a connection", Tags.empty(),
        TransportStats::connectionRefusedClues);
    counter(registry, "connections.inbound.rejected",
        "Inbound TCP connections closed because too many were open", Tags.empty(),
        TransportStats::inboundRejected);
    counter(registry, "connections.inbound.closed",
        "Inbound TCP connections closed for a malformed frame, idleness or an error",
        Tags.empty(), TransportStats::inboundClosed);
    Gauge.builder(PREFIX + "connections.inbound.open", node, n -> n.stats().inboundOpen())
        .description("Inbound TCP connections open now").tags(tags).register(registry);
    counter(registry, "handler.errors", "Exceptions that reached a handler", Tags.empty(),
        TransportStats::handlerErrors);
  }

  private void counter(MeterRegistry registry, String name, String description, Tags extra,
      ToLongFunction<TransportStats> value) {
    FunctionCounter.builder(PREFIX + name, node, n -> value.applyAsLong(n.stats()))
        .description(description).tags(tags.and(extra)).register(registry);
  }
}
