package dev.failuredetector.netty;

import dev.failuredetector.cluster.ClusterStats;
import dev.failuredetector.cluster.MemberState;
import dev.failuredetector.micrometer.FailureDetectorMetrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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
 *   <li>{@code handler.errors}, {@code rounds.skipped}, {@code pings.answered}, {@code
 *       messages.gossip.sent}.
 * </ul>
 *
 * <p>With the cluster overlay ({@link HeartbeatNode.Builder#observers}): the gauges {@code
 * failure.detector.cluster.local.health} and {@code failure.detector.cluster.members} (tag {@code
 * state}: alive, suspected, failed), and the counters {@code failure.detector.cluster.accusations},
 * {@code .accusations.withheld}, {@code .refutations}, {@code .confirmed.failures}, {@code
 * .rumors.received}, {@code .rumors.dropped}, {@code .syncs}.
 *
 * <p>For each probed target ({@link HeartbeatNode#addProbe}), tagged {@code peer=<id>} and
 * {@code kind} ({@code udp}, {@code tcp}, {@code http}), following targets as they are added and
 * removed: the timer {@code failure.detector.probe.answer.time} (the answer-time distribution:
 * count, total, max, and the 0.5, 0.9 and 0.99 quantiles), and the counters {@code
 * failure.detector.probe.sent}, {@code .answered}, {@code .late}, {@code .refused}, {@code
 * .unhealthy}, {@code .abandoned}, {@code .skipped} ({@link ProbeStats}).
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
    counter(registry, "rounds.skipped", "Heartbeat rounds skipped: the sender ran late",
        Tags.empty(), TransportStats::skippedRounds);
    counter(registry, "pings.answered", "PINGs of other nodes' probes answered with an ACK",
        Tags.empty(), s -> s.count(TransportStats.Counter.PINGS_ANSWERED));
    counter(registry, "messages.gossip.sent", "GOSSIP messages sent (cluster overlay)",
        Tags.empty(), s -> s.count(TransportStats.Counter.GOSSIP_SENT));
    if (node.observers() > 0) {
      clusterMeters(registry);
    }
    Map<ProbeRunner, List<Meter>> probeMeters = new ConcurrentHashMap<>();
    node.watchProbes(new HeartbeatNode.ProbeWatcher() {
      @Override
      public void added(ProbeRunner probe) {
        probeMeters.put(probe, probeMeters(registry, probe));
      }

      @Override
      public void removed(ProbeRunner probe) {
        List<Meter> meters = probeMeters.remove(probe);
        if (meters != null) {
          meters.forEach(registry::remove);
        }
      }
    });
  }

  /**
   * The overlay's: {@code failure.detector.cluster.local.health} (0 healthy to 8), {@code
   * .members} by confirmed {@code state}, and the counters {@code .accusations}, {@code
   * .refutations}, {@code .confirmed.failures}, {@code .accusations.withheld}, {@code
   * .rumors.received}, {@code .rumors.dropped}, {@code .syncs}.
   */
  private void clusterMeters(MeterRegistry registry) {
    Gauge.builder("failure.detector.cluster.local.health", node, HeartbeatNode::localHealth)
        .description("How much this node distrusts itself (0 healthy, up to 8): it waits this"
            + " many times 5 intervals longer before accusing").tags(tags).register(registry);
    for (MemberState state : MemberState.values()) {
      Gauge.builder("failure.detector.cluster.members", node, n -> n.clusterView().values()
              .stream().filter(v -> v.state() == state).count())
          .description("Other members by their confirmed state").tags(tags)
          .tag("state", state.name().toLowerCase(Locale.ROOT)).register(registry);
    }
    clusterCounter(registry, "accusations", "Accusations this node made as an observer",
        ClusterStats::accusationsMade);
    clusterCounter(registry, "accusations.withheld",
        "Suspicions that ended before this node's local-health delay let it accuse",
        ClusterStats::accusationsWithheld);
    clusterCounter(registry, "refutations", "Accusations against this node it refuted",
        ClusterStats::refutations);
    clusterCounter(registry, "confirmed.failures", "Members this node saw confirmed failed",
        ClusterStats::confirmedFailures);
    clusterCounter(registry, "rumors.received", "Rumors received", ClusterStats::rumorsReceived);
    clusterCounter(registry, "rumors.dropped", "Rumors dropped from a full send queue",
        ClusterStats::rumorsDropped);
    clusterCounter(registry, "syncs", "Times this node synced with a member (its verdicts, or a"
        + " message of its digest) because their view digests stayed unlike: a verdict or revival"
        + " had missed one", ClusterStats::syncs);
  }

  private void clusterCounter(MeterRegistry registry, String name, String description,
      java.util.function.ToLongFunction<ClusterStats> value) {
    FunctionCounter.builder("failure.detector.cluster." + name, node,
            n -> n.clusterStats().map(value::applyAsLong).orElse(0L))
        .description(description).tags(tags).register(registry);
  }

  private List<Meter> probeMeters(MeterRegistry registry, ProbeRunner probe) {
    Tags probeTags = tags.and("peer", probe.id)
        .and("kind", probe.target.kind().name().toLowerCase(Locale.ROOT));
    List<Meter> meters = new ArrayList<>();
    Timer answerTime = Timer.builder("failure.detector.probe.answer.time")
        .description("Time from a probe to its answer (healthy answers within the cap)")
        .tags(probeTags).publishPercentiles(0.5, 0.9, 0.99).register(registry);
    probe.addAnswerTimes(nanos -> answerTime.record(nanos, TimeUnit.NANOSECONDS));
    meters.add(answerTime);
    meters.add(probeCounter(registry, probeTags, probe, "sent", "Probes sent", ProbeStats::sent));
    meters.add(probeCounter(registry, probeTags, probe, "answered",
        "Answers that counted as arrivals", ProbeStats::answered));
    meters.add(probeCounter(registry, probeTags, probe, "late",
        "Answers after the detector's deadline (they ended a suspicion)", ProbeStats::late));
    meters.add(probeCounter(registry, probeTags, probe, "refused",
        "Probes whose connection was refused (FAILED at once)", ProbeStats::refused));
    meters.add(probeCounter(registry, probeTags, probe, "unhealthy",
        "Answers with a status outside the healthy range (FAILED at once)",
        ProbeStats::unhealthy));
    meters.add(probeCounter(registry, probeTags, probe, "abandoned",
        "Probes unanswered within the cap, or overtaken by a later answer", ProbeStats::abandoned));
    meters.add(probeCounter(registry, probeTags, probe, "skipped",
        "Probe slots skipped: the most probes were outstanding", ProbeStats::skipped));
    return meters;
  }

  private static Meter probeCounter(MeterRegistry registry, Tags probeTags, ProbeRunner probe,
      String name, String description, ToLongFunction<ProbeStats> value) {
    return FunctionCounter.builder("failure.detector.probe." + name, probe,
            p -> value.applyAsLong(p.stats()))
        .description(description).tags(probeTags).register(registry);
  }

  private void counter(MeterRegistry registry, String name, String description, Tags extra,
      ToLongFunction<TransportStats> value) {
    FunctionCounter.builder(PREFIX + name, node, n -> value.applyAsLong(n.stats()))
        .description(description).tags(tags.and(extra)).register(registry);
  }
}
