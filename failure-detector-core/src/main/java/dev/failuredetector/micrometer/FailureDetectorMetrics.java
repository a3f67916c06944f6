package dev.failuredetector.micrometer;

import dev.failuredetector.FailureDetectorRegistry;
import dev.failuredetector.HeartbeatOutcome;
import dev.failuredetector.IntervalHistogram;
import dev.failuredetector.MonitoredPeer;
import dev.failuredetector.PeerSnapshot;
import dev.failuredetector.PeerState;
import dev.failuredetector.PeerStateListener;
import dev.failuredetector.PeerTransition;
import dev.failuredetector.RegistryStats;
import dev.failuredetector.TransitionReason;
import dev.failuredetector.qos.AutoTuner;
import dev.failuredetector.qos.ShadowCandidates;
import dev.failuredetector.qos.ShadowResult;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for a {@link FailureDetectorRegistry}. All names start with {@code
 * failure.detector.}; times are in seconds.
 *
 * <p>Registry-wide (always): {@code peers} (gauge, tag {@code state}), {@code transitions}
 * (counter, tag {@code reason}), {@code mistakes} (false suspicions), {@code heartbeats} (counter,
 * tag {@code outcome}: {@code received}, {@code unknown.peer}, {@code coalesced}, {@code
 * stale.incarnation}, {@code stale.sequence}, {@code implausible.sequence}, {@code
 * unconfirmed.incarnation}), {@code local.pauses}, {@code tick.lag} and {@code tick.lag.max}
 * (gauges), {@code listener.coalesced}, {@code listener.failures}. These read the
 * registry's {@link FailureDetectorRegistry#stats() stats}, one O(1) snapshot per meter: nothing is
 * added to the heartbeat path, and no peer is read.
 *
 * <p>With the {@link IntervalHistogram} plug-in, {@code heartbeat.intervals} (counter, tag {@code
 * le}, seconds: 0.001 to 60 and +Inf, cumulative): the distribution of heartbeat intervals over
 * every peer, for PromQL's {@code histogram_quantile(0.99, sum by (le)
 * (rate(failure_detector_heartbeat_intervals_total[5m])))}.
 *
 * <p>With the {@link ShadowCandidates} plug-in, per candidate (tag {@code candidate}, its spec
 * text: bounded by the 8 candidates at most): {@code shadow.mistakes} (counter, the mistakes it
 * would have made, summed over the peers) and {@code shadow.detection.time} (gauge, its mean
 * detection time). They are summed over the peers at most once a second, so a scrape walks the
 * peers once, not once per meter. With the {@link AutoTuner} plug-in, {@code autotune.changes}
 * (counter).
 *
 * <p>Per peer (opt-in, {@link #withPerPeerMeters}, one set of meters per peer so the tag
 * cardinality is yours to choose): {@code peer.phi} (accrual detectors), {@code peer.timeout},
 * {@code peer.interval.mean} and {@code peer.interval.stddev} (the mean and deviation of the
 * intervals in a phi detector's window: the detector's own statistics; NaN for the other kinds),
 * tagged {@code peer}. Values are read from the peer's {@link MonitoredPeer} at scrape time.
 * They follow registrations and removals; {@link #close()} removes them and stops following.
 *
 * <p>Thread-safe. Gauges hold the registry weakly, as Micrometer gauges do.
 */
public final class FailureDetectorMetrics implements MeterBinder, AutoCloseable {

  private static final String PREFIX = "failure.detector.";
  private static final double NANOS_PER_SECOND = 1e9;

  private final FailureDetectorRegistry<Object> registry;
  private final Tags tags;
  private final Function<Object, String> peerTag;
  private final List<MeterRegistry> boundTo = new CopyOnWriteArrayList<>();
  private final Map<Object, List<Meter>> peerMeters = new ConcurrentHashMap<>();
  private final PeerStateListener<Object> membershipListener = this::onTransition;
  private volatile boolean closed;
  /** The shadow totals of the last read, reused for a second: one walk over the peers a scrape. */
  private volatile ShadowTotals shadowTotals;

  private record ShadowTotals(long atNanos, List<ShadowResult> totals) {}

  /** The shadow totals, computed at most once a second (a scrape reads 2 per candidate). */
  private List<ShadowResult> shadowTotals(ShadowCandidates shadows) {
    long now = System.nanoTime();
    ShadowTotals cached = shadowTotals;
    if (cached == null || now - cached.atNanos() >= SHADOW_TOTALS_REUSE_NANOS) {
      cached = new ShadowTotals(now, shadows.totals());
      shadowTotals = cached;
    }
    return cached.totals();
  }

  private static final long SHADOW_TOTALS_REUSE_NANOS = 1_000_000_000L;

  @SuppressWarnings("unchecked")
  private FailureDetectorMetrics(FailureDetectorRegistry<?> registry, Iterable<Tag> tags,
      Function<?, String> peerTag) {
    this.registry = (FailureDetectorRegistry<Object>) Objects.requireNonNull(registry, "registry");
    this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    this.peerTag = (Function<Object, String>) peerTag;
  }

  /** Registry-wide meters only, with {@code tags} on every meter. */
  public FailureDetectorMetrics(FailureDetectorRegistry<?> registry, Iterable<Tag> tags) {
    this(registry, tags, null);
  }

  /**
   * Registry-wide meters plus per-peer meters, tagged {@code peer=peerTag.apply(key)}.
   */
  public static <K> FailureDetectorMetrics withPerPeerMeters(FailureDetectorRegistry<K> registry,
      Iterable<Tag> tags, Function<? super K, String> peerTag) {
    return new FailureDetectorMetrics(registry, tags, Objects.requireNonNull(peerTag, "peerTag"));
  }

  /**
   * Binds the registry-wide meters of {@code registry} to {@code meterRegistry}, tagged {@code
   * registry=name} and {@code tags} (key, value pairs), and returns {@code registry}.
   */
  public static <K> FailureDetectorRegistry<K> monitor(MeterRegistry meterRegistry,
      FailureDetectorRegistry<K> registry, String name, String... tags) {
    new FailureDetectorMetrics(registry, Tags.of(tags).and("registry", name)).bindTo(meterRegistry);
    return registry;
  }

  @Override
  public void bindTo(MeterRegistry meterRegistry) {
    for (PeerState state : PeerState.values()) {
      if (state == PeerState.REMOVED) {
        continue;
      }
      Gauge.builder(PREFIX + "peers", registry, r -> r.stats().peers(state))
          .description("Registered peers in each state")
          .baseUnit("peers")
          .tags(tags).tag("state", tagValue(state))
          .register(meterRegistry);
    }
    for (TransitionReason reason : TransitionReason.values()) {
      FunctionCounter.builder(PREFIX + "transitions", registry,
              r -> r.stats().transitions(reason))
          .description("Peer state transitions, by reason")
          .tags(tags).tag("reason", tagValue(reason))
          .register(meterRegistry);
    }
    counter(meterRegistry, "mistakes", "Suspicions by timeout that a later heartbeat proved wrong",
        RegistryStats::mistakes);
    heartbeats(meterRegistry, "received", RegistryStats::heartbeatsRecorded);
    for (HeartbeatOutcome outcome : HeartbeatOutcome.values()) {
      if (!outcome.recorded()) {
        heartbeats(meterRegistry, tagValue(outcome), s -> s.heartbeats(outcome));
      }
    }
    counter(meterRegistry, "local.pauses",
        "Times the registry's timer ran late enough to count as a local pause (GC, CPU, SIGSTOP)",
        RegistryStats::localPauses);
    counter(meterRegistry, "listener.coalesced",
        "Transitions folded into a later one of the same peer because a listener fell behind",
        RegistryStats::listenerCoalesced);
    counter(meterRegistry, "listener.failures", "Transitions whose listener threw",
        RegistryStats::listenerFailures);
    Gauge.builder(PREFIX + "tick.lag", registry,
            r -> r.stats().lastTickLagNanos() / NANOS_PER_SECOND)
        .description("How late the last timer tick ran").baseUnit("seconds").tags(tags)
        .register(meterRegistry);
    Gauge.builder(PREFIX + "tick.lag.max", registry,
            r -> r.stats().maxTickLagNanos() / NANOS_PER_SECOND)
        .description("The latest any timer tick ran").baseUnit("seconds").tags(tags)
        .register(meterRegistry);

    registry.plugin(IntervalHistogram.class).ifPresent(h -> bindIntervals(meterRegistry, h));
    registry.plugin(ShadowCandidates.class).ifPresent(s -> bindShadows(meterRegistry, s));

    if (peerTag != null) {
      boundTo.add(meterRegistry);
      if (boundTo.size() == 1) {
        registry.addListener(membershipListener);
      }
      registry.forEachPeer(peer -> addPeerMeters(meterRegistry, peer));
    }
  }

  private void bindIntervals(MeterRegistry meterRegistry, IntervalHistogram intervals) {
    for (int i = 0; i <= IntervalHistogram.boundedBuckets(); i++) {
      int bucket = i;
      String le = i == IntervalHistogram.boundedBuckets() ? "+Inf"
          : java.math.BigDecimal.valueOf(IntervalHistogram.upperBoundSeconds(i))
              .stripTrailingZeros().toPlainString();
      // Not "...interval.bucket": Prometheus reserves _bucket for its own histograms, and
      // Micrometer's registry drops it; histogram_quantile needs only the le label.
      FunctionCounter.builder(PREFIX + "heartbeat.intervals", intervals,
              h -> h.countAtMost(bucket))
          .description("Heartbeat intervals (seconds) at most le, over every peer: a cumulative"
              + " histogram for histogram_quantile")
          .tags(tags).tag("le", le).register(meterRegistry);
    }
  }

  private void bindShadows(MeterRegistry meterRegistry, ShadowCandidates shadows) {
    List<dev.failuredetector.DetectorSpec> candidates = shadows.candidates();
    for (int i = 0; i < candidates.size(); i++) {
      int index = i;
      String candidate = candidates.get(i).toString();
      // Micrometer holds the state object weakly and the function strongly: the state is the
      // registry (the caller keeps it), and the function captures this binder, which nobody else
      // keeps (monitor() and the health server drop it). With `this` as the state, one garbage
      // collection turned these meters to NaN and froze the counter.
      FunctionCounter.builder(PREFIX + "shadow.mistakes", registry,
              r -> shadowTotals(shadows).get(index).mistakes())
          .description("Mistakes a shadow candidate would have made on the live arrivals,"
              + " summed over the peers")
          .tags(tags).tag("candidate", candidate).register(meterRegistry);
      Gauge.builder(PREFIX + "shadow.detection.time", registry,
              r -> shadowTotals(shadows).get(index).meanDetectionNanos() / NANOS_PER_SECOND)
          .description("A shadow candidate's mean detection time on the live arrivals")
          .baseUnit("seconds").tags(tags).tag("candidate", candidate).register(meterRegistry);
    }

    registry.plugin(AutoTuner.class).ifPresent(tuner ->
        FunctionCounter.builder(PREFIX + "autotune.changes", tuner, AutoTuner::changes)
            .description("Changes of the active detector spec made by auto-tuning")
            .tags(tags).register(meterRegistry));
  }

  private void counter(MeterRegistry meterRegistry, String name, String description,
      ToDoubleFunction<RegistryStats> value) {
    FunctionCounter.builder(PREFIX + name, registry, r -> value.applyAsDouble(r.stats()))
        .description(description).tags(tags).register(meterRegistry);
  }

  private void heartbeats(MeterRegistry meterRegistry, String outcome,
      ToDoubleFunction<RegistryStats> value) {
    FunctionCounter.builder(PREFIX + "heartbeats", registry, r -> value.applyAsDouble(r.stats()))
        .description("Heartbeats, by outcome: recorded, or dropped and why")
        .baseUnit("heartbeats").tags(tags).tag("outcome", outcome)
        .register(meterRegistry);
  }

  /**
   * Follows membership: any transition of a peer without meters (but its removal) adds them, a
   * removal takes them away. Listeners coalesce when they fall behind, but never lose a peer's
   * latest transition, so the meters end matching the registry; the values are read from the
   * peer's handle at scrape time.
   */
  private void onTransition(PeerTransition<Object> transition) {
    if (closed) {
      return;
    }
    if (transition.to() == PeerState.REMOVED) {
      removePeerMeters(transition.key());
    } else if (!peerMeters.containsKey(transition.key())) {
      registry.peer(transition.key()).ifPresent(peer -> {
        for (MeterRegistry meterRegistry : boundTo) {
          addPeerMeters(meterRegistry, peer);
        }
      });
    }
  }

  private void addPeerMeters(MeterRegistry meterRegistry, MonitoredPeer<Object> peer) {
    Tags peerTags = tags.and("peer", peerTag.apply(peer.key()));
    List<Meter> meters = new ArrayList<>(4);
    meters.add(Gauge.builder(PREFIX + "peer.phi", peer, p -> p.phi().orElse(Double.NaN))
        .description("Suspicion level of the peer (accrual detectors)")
        .tags(peerTags).register(meterRegistry));
    meters.add(Gauge.builder(PREFIX + "peer.timeout", peer,
            p -> p.timeoutNanos() / NANOS_PER_SECOND)
        .description("Current adaptive timeout of the peer").baseUnit("seconds")
        .tags(peerTags).register(meterRegistry));
    meters.add(Gauge.builder(PREFIX + "peer.interval.mean", peer,
            p -> p.snapshot().meanIntervalNanos() / NANOS_PER_SECOND)
        .description("Mean heartbeat interval in the peer's phi detector window (NaN for other"
            + " detectors)")
        .baseUnit("seconds").tags(peerTags).register(meterRegistry));
    meters.add(Gauge.builder(PREFIX + "peer.interval.stddev", peer,
            p -> p.snapshot().intervalStdDeviationNanos() / NANOS_PER_SECOND)
        .description("Standard deviation of the heartbeat intervals in the peer's phi detector"
            + " window (NaN for other detectors)")
        .baseUnit("seconds").tags(peerTags).register(meterRegistry));
    peerMeters.computeIfAbsent(peer.key(), k -> new CopyOnWriteArrayList<>()).addAll(meters);
  }

  private void removePeerMeters(Object key) {
    List<Meter> meters = peerMeters.remove(key);
    if (meters != null) {
      for (Meter meter : meters) {
        for (MeterRegistry meterRegistry : boundTo) {
          meterRegistry.remove(meter);
        }
      }
    }
  }

  /** Stops following the registry and removes the per-peer meters (registry-wide ones stay). */
  @Override
  public void close() {
    closed = true;
    registry.removeListener(membershipListener);
    for (Object key : List.copyOf(peerMeters.keySet())) {
      removePeerMeters(key);
    }
  }

  private static String tagValue(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT).replace('_', '.');
  }
}
