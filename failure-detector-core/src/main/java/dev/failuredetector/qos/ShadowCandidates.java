package dev.failuredetector.qos;

import dev.failuredetector.ArrivalObserver;
import dev.failuredetector.DetectorSpec;
import dev.failuredetector.FailureDetectorRegistry;
import dev.failuredetector.NanoClock;
import dev.failuredetector.RegistryPlugin;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Detectors evaluated alongside the active one on every peer's live arrivals, as a {@link
 * RegistryPlugin}: for each candidate, the mistakes it would have made and its mean detection time
 * ({@link #results}, {@link #totals}, the Micrometer meters {@code failure.detector.shadow.*}),
 * with no trace stored. Each candidate gets the registry's heartbeat interval. Costs one detector
 * per candidate per peer and a few nanoseconds per heartbeat per candidate (BENCHMARKS.md); at
 * most {@value #MAX_CANDIDATES}. {@link AutoTuner} picks among them. Thread-safe.
 */
public final class ShadowCandidates implements RegistryPlugin {

  /** The most candidates evaluated. */
  public static final int MAX_CANDIDATES = 8;

  private final List<DetectorSpec> given;
  private final boolean withActive;
  private final ConcurrentHashMap<Object, ShadowEvaluation> byPeer = new ConcurrentHashMap<>();
  private volatile List<DetectorSpec> candidates;
  private volatile FailureDetectorRegistry<?> registry;
  private NanoClock clock;
  /** Peers' evaluations read by {@link #totals} so far: what a test of the scrape cost counts. */
  private final java.util.concurrent.atomic.LongAdder peerReads =
      new java.util.concurrent.atomic.LongAdder();

  private ShadowCandidates(List<DetectorSpec> given, boolean withActive) {
    Objects.requireNonNull(given, "shadowCandidates must not be null");
    int most = withActive ? MAX_CANDIDATES - 1 : MAX_CANDIDATES;
    if (given.size() > most) {
      throw new IllegalArgumentException("shadowCandidates must be at most " + most
          + (withActive ? " besides the active detector" : "") + ", got " + given.size());
    }
    for (DetectorSpec candidate : given) {
      Objects.requireNonNull(candidate, "shadowCandidates must not contain null");
    }
    this.given = List.copyOf(given);
    this.withActive = withActive;
    this.candidates = this.given;
  }

  /**
   * These candidates, at most {@value #MAX_CANDIDATES}.
   *
   * @throws IllegalArgumentException if more
   */
  public static ShadowCandidates of(List<DetectorSpec> candidates) {
    return new ShadowCandidates(candidates, false);
  }

  /**
   * The registry's own detector spec first (as it is when the registry is built), then these
   * (at most {@value #MAX_CANDIDATES} - 1; a repeat of the active spec is left out): what {@link
   * AutoTuner} needs.
   *
   * @throws IllegalArgumentException if more
   */
  public static ShadowCandidates withActive(List<DetectorSpec> others) {
    return new ShadowCandidates(others, true);
  }

  @Override
  public void attach(FailureDetectorRegistry<?> registry) {
    if (this.registry != null) {
      throw new IllegalArgumentException("ShadowCandidates serve one registry");
    }
    List<DetectorSpec> withInterval = new ArrayList<>();
    if (withActive) {
      withInterval.add(registry.spec());
    }
    for (DetectorSpec candidate : given) {
      DetectorSpec spec = candidate.withInterval(registry.spec().interval()); // one interval
      if (!withInterval.contains(spec)) {
        withInterval.add(spec);
      }
    }
    this.candidates = List.copyOf(withInterval);
    this.clock = registry.clock();
    this.registry = registry;
  }

  @Override
  public ArrivalObserver observe(Object key) {
    if (candidates.isEmpty()) {
      return null;
    }
    ShadowEvaluation evaluation = new ShadowEvaluation(candidates, clock, this, key);
    byPeer.put(key, evaluation);
    return evaluation;
  }

  /** The registry this serves, or null before it is built. */
  FailureDetectorRegistry<?> registry() {
    return registry;
  }

  /**
   * The candidates, each with the registry's interval once attached (as given before), in the
   * order of {@link #totals}.
   */
  public List<DetectorSpec> candidates() {
    return candidates;
  }

  /**
   * What each candidate would have done on {@code key}'s arrivals so far; empty if it is not
   * registered (allocates: for health pages and tools).
   */
  public List<ShadowResult> results(Object key) {
    ShadowEvaluation evaluation = key == null ? null : byPeer.get(key);
    return evaluation == null ? List.of() : evaluation.results();
  }

  /**
   * Each candidate's results summed over the registered peers: mistakes added up, mean detection
   * time weighted by heartbeats (one walk over the peers, allocating only the result).
   */
  public List<ShadowResult> totals() {
    List<DetectorSpec> specs = candidates;
    int n = specs.size();
    long[] heartbeats = new long[n];
    long[] mistakes = new long[n];
    double[] detection = new double[n];
    long reads = 0;
    for (ShadowEvaluation evaluation : byPeer.values()) {
      evaluation.addTo(heartbeats, mistakes, detection); // sums of timeouts, divided below
      reads++;
    }
    peerReads.add(reads);
    List<ShadowResult> totals = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      totals.add(new ShadowResult(specs.get(i), heartbeats[i], mistakes[i],
          heartbeats[i] == 0 ? Double.NaN : detection[i] / heartbeats[i]));
    }
    return totals;
  }

  long peerReads() {
    return peerReads.sum();
  }

  void forget(Object key, ShadowEvaluation evaluation) {
    byPeer.remove(key, evaluation);
  }

  @Override
  public String toString() {
    return "ShadowCandidates" + candidates;
  }
}
