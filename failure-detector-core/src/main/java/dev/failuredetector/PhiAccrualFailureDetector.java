package dev.failuredetector;

import java.time.Duration;

/**
 * The phi accrual failure detector (Hayashibara et al. 2004) with the semantics of Pekko's
 * {@code org.apache.pekko.remote.PhiAccrualFailureDetector}: for the same settings and the same
 * heartbeat arrivals it gives the same phi and the same availability (see "Compatibility").
 *
 * <p>phi = -log10(1 - F(t)), where t is the time since the last heartbeat and F the CDF of the
 * {@link PhiDistribution distribution} fitted to the recent heartbeat intervals. The peer is
 * available while {@code phi < threshold}. The resulting adaptive timeout is
 * {@code mean + acceptableHeartbeatPause + y*(threshold) * max(stdDeviation, minStdDeviation)} for
 * the normal models, where y* is the standardized point at which phi reaches the threshold (about
 * 5.23 for threshold 8 with the default {@link PhiDistribution#LOGISTIC}); {@link #timeoutNanos()}
 * reports it, rounded up to the nanosecond exactly where phi crosses the threshold.
 *
 * <p><b>Settings and their trade-offs</b> (defaults are Pekko cluster's):
 * <ul>
 *   <li>{@code threshold} (8): a low threshold detects a crash sooner but suspects live peers more
 *       often; each +1 makes a wrong suspicion about ten times less likely under the model.
 *   <li>{@code maxSampleSize} (1000): intervals kept. Larger adapts more slowly and steadily.
 *   <li>{@code minStdDeviation} (100 ms): floor on the deviation. Too low makes a quiet network's
 *       detector jumpy at the first unusual delay.
 *   <li>{@code acceptableHeartbeatPause} (3 s): added to the mean; the pause (GC, lost heartbeats)
 *       tolerated before suspicion. The largest single lever on detection time.
 *   <li>{@code firstHeartbeatEstimate} (1 s): the history starts with two intervals of
 *       estimate &plusmn; estimate/4, so a peer heard once is still suspected eventually.
 *   <li>{@code distribution} ({@link PhiDistribution#LOGISTIC LOGISTIC}): Pekko's approximation,
 *       the exact normal tail, or Cassandra's exponential model.
 * </ul>
 *
 * <p><b>Learning from suspicions.</b> Like Pekko, the interval that ends a suspected period is not
 * recorded: one long pause (a GC, a partition) would skew the statistics for a long time. But a
 * detector whose estimate is far below the real intervals (a first estimate too small, a sender
 * whose heartbeats arrive in bursts) would then never learn them: every long interval ends a
 * suspicion, none is recorded, and it suspects the live peer at every gap, forever. So once
 * suspicions are not rare, they are evidence about the arrival process, not a pause: an interval
 * that ends a suspicion is recorded when at least {@value #REPEATED_SUSPICIONS} earlier
 * heartbeats ended one within about the last {@value #SUSPICION_MEMORY} heartbeats (an
 * exponentially decaying count). A single pause, or a few a day, are still left out, as Pekko
 * does. {@link Builder#learnFromRepeatedSuspicions(boolean) learnFromRepeatedSuspicions(false)}
 * gives Pekko's rule exactly (never record them).
 *
 * <p><b>Compatibility with Pekko</b> (with {@code learnFromRepeatedSuspicions(false)}; with the
 * default the two differ only once suspicions repeat, as above). The history is seeded at the
 * first heartbeat,
 * the deviation is floored and the pause added to the mean. Differences: Pekko truncates every
 * duration to whole milliseconds (including estimate/4) and measures with a millisecond clock,
 * while this class keeps nanoseconds, so results are identical when times and durations are whole
 * milliseconds and the first estimate is a multiple of 4 ms; Pekko records intervals from a clock
 * that went backwards, this class ignores such heartbeats; Pekko's {@code Long} sum of squares
 * overflows for nanosecond intervals over about 3 s, this class's {@link HeartbeatHistory} does not.
 *
 * <p><b>Thread safety.</b> As {@link FailureDetector}: one writer thread records heartbeats, any
 * thread queries; {@link #setThreshold(double)} from any thread. Heartbeats and queries take no
 * lock and allocate nothing.
 */
public final class PhiAccrualFailureDetector extends SingleWriterFailureDetector
    implements AccrualFailureDetector {

  /*
   * References
   * [1] N. Hayashibara, X. Defago, R. Yared, T. Katayama. The phi accrual failure detector.
   *     SRDS 2004.
   * [2] Pekko remote, PhiAccrualFailureDetector.scala (1.7.0), the behaviour matched here.
   * [3] Cassandra, FailureDetector.ArrivalWindow: phi = t / (mean ln 10).
   *
   * Availability is checked against the cached timeout, not by computing phi: the timeout is the
   * smallest whole number of nanoseconds t with phi(t) >= threshold (found once per heartbeat by a
   * search seeded with the closed form), so "t < timeout" and "phi(t) < threshold" agree exactly,
   * and isAvailable costs a subtraction and a comparison.
   */

  /** The spec's fixed settings, one object shared by a registry's detectors. */
  private final Settings settings;
  /** The settings' distribution, also here: phi reads it first (one dependent load less). */
  private final PhiDistribution distribution;
  private volatile Threshold threshold;

  /** Earlier suspicion-ending heartbeats after which the next one's interval is recorded. */
  static final int REPEATED_SUSPICIONS = 2;
  /** Heartbeats over which suspicion-ending ones are counted (the decay's time constant). */
  static final int SUSPICION_MEMORY = 1024;
  private static final double SUSPICION_DECAY = 1.0 - 1.0 / SUSPICION_MEMORY;

  /** Writer-owned: suspicion-ending heartbeats, decayed by SUSPICION_DECAY per heartbeat. */
  private double recentSuspicions;

  /** Writer-owned. */
  private final IntervalStatistics history;

  // Published (see SingleWriterFailureDetector).
  private double mean;
  private double stdDeviation;
  private double intervalMean;
  private double intervalStdDeviation;
  private long cachedTimeoutNanos;
  private Threshold cachedTimeoutThreshold;

  PhiAccrualFailureDetector(DetectorSpec.Phi spec, NanoClock clock) {
    super(clock);
    this.settings = Settings.of(spec);
    this.distribution = settings.distribution;
    this.threshold = Threshold.of(spec.threshold(), distribution);
    this.history = IntervalStatistics.of(settings.estimator, settings.maxSampleSize);
    seedHistory();
    beginPublish();
    publishStatistics();
    endPublish();
  }

  /** Returns a builder with Pekko cluster's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Pekko's phi for a time {@code timeDiff} since the last heartbeat and intervals of the given
   * mean and standard deviation, in any one unit: {@link PhiDistribution#LOGISTIC}.
   */
  public static double phi(double timeDiff, double mean, double stdDeviation) {
    return PhiDistribution.LOGISTIC.phi(timeDiff, mean, stdDeviation);
  }

  @Override
  public void heartbeat(long nowNanos) {
    if (!writerMonitoring()) {
      seedHistory(); // as Pekko: the first heartbeat starts from the seeded history
    } else {
      if (isStale(nowNanos)) {
        return;
      }
      long interval = nowNanos - writerLastHeartbeatNanos();
      // The interval that ends a suspected period is not recorded (a pause would skew the
      // statistics) unless suspicions repeat: then the estimate is wrong, not the peer late.
      if (interval < publishedTimeoutNanos()) {
        history.add(interval);
        recentSuspicions *= SUSPICION_DECAY;
      } else {
        if (settings.learnFromRepeatedSuspicions && recentSuspicions >= REPEATED_SUSPICIONS) {
          history.add(interval);
        }
        recentSuspicions = recentSuspicions * SUSPICION_DECAY + 1;
      }
    }
    beginPublish();
    publishHeartbeat(nowNanos);
    publishStatistics();
    endPublish();
  }

  @Override
  public double phi() {
    return phi(clock.nanoTime());
  }

  @Override
  public double phi(long nowNanos) {
    double result;
    long stamp;
    do {
      stamp = readStamp();
      result = monitoring
          ? distribution.phi((double) (nowNanos - lastHeartbeatNanos), mean, stdDeviation)
          : 0.0;
    } while (!validate(stamp));
    return result;
  }

  @Override
  public double threshold() {
    return threshold.value;
  }

  @Override
  public void setThreshold(double threshold) {
    this.threshold = Threshold.of(SpecText.positiveFinite(kind(), "threshold", threshold),
        distribution);
  }

  @Override
  void retune(DetectorSpec spec) {
    setThreshold(((DetectorSpec.Phi) spec).threshold());
  }

  private String kind() {
    return DetectorSpec.Phi.kindOf(distribution);
  }

  /**
   * The mean of the intervals in the window, in nanoseconds (before the acceptable pause is
   * added): what snapshots and metrics report as the peer's mean interval.
   */
  double meanIntervalNanos() {
    double result;
    long stamp;
    do {
      stamp = readStamp();
      result = intervalMean;
    } while (!validate(stamp));
    return result;
  }

  /** The standard deviation of the intervals in the window, in nanoseconds (before the floor). */
  double intervalStdDeviationNanos() {
    double result;
    long stamp;
    do {
      stamp = readStamp();
      result = intervalStdDeviation;
    } while (!validate(stamp));
    return result;
  }

  /** Returns the model of the intervals. */
  public PhiDistribution distribution() {
    return distribution;
  }

  /** Returns how the intervals are estimated: the exact window, or windowless. */
  public IntervalEstimator estimator() {
    return settings.estimator;
  }

  /** Returns the most intervals kept (with {@link IntervalEstimator#EWMA}, the span). */
  public int maxSampleSize() {
    return settings.maxSampleSize;
  }

  /** Returns the floor on the standard deviation. */
  public Duration minStdDeviation() {
    return Duration.ofNanos(settings.minStdDeviationNanos);
  }

  /** Returns the pause added to the mean interval. */
  public Duration acceptableHeartbeatPause() {
    return Duration.ofNanos(settings.acceptableHeartbeatPauseNanos);
  }

  /** Whether an interval ending a suspicion is recorded once suspicions repeat (see above). */
  public boolean learnsFromRepeatedSuspicions() {
    return settings.learnFromRepeatedSuspicions;
  }

  /** Returns the interval the history is seeded with. */
  public Duration firstHeartbeatEstimate() {
    return Duration.ofNanos(settings.firstHeartbeatEstimateNanos);
  }

  @Override
  long publishedTimeoutNanos() {
    Threshold current = threshold;
    return current == cachedTimeoutThreshold
        ? cachedTimeoutNanos
        : crossingNanos(distribution, mean, stdDeviation, current);
  }

  private void seedHistory() {
    long deviation = settings.firstHeartbeatEstimateNanos / 4;
    history.clear();
    recentSuspicions = 0;
    history.add(settings.firstHeartbeatEstimateNanos - deviation);
    history.add(settings.firstHeartbeatEstimateNanos + deviation);
  }

  /** Writer only, between beginPublish and endPublish. */
  private void publishStatistics() {
    Threshold current = threshold;
    intervalMean = history.mean();
    intervalStdDeviation = history.stdDeviation();
    if (distribution == PhiDistribution.EXPONENTIAL) {
      // An exponential's deviation equals its mean, so the deviation floor bounds the mean.
      mean = Math.max(intervalMean, settings.minStdDeviationNanos)
          + settings.acceptableHeartbeatPauseNanos;
      stdDeviation = mean;
    } else {
      mean = intervalMean + settings.acceptableHeartbeatPauseNanos;
      stdDeviation = Math.max(intervalStdDeviation, settings.minStdDeviationNanos);
    }
    cachedTimeoutNanos = crossingNanos(distribution, mean, stdDeviation, current);
    if (cachedTimeoutThreshold != current) {
      // Stored only when it changed: the threshold is one object shared by a registry's
      // detectors, so a store at every heartbeat would be a cross-region reference store (a GC
      // write-barrier slow path) per heartbeat: twice the cost of a heartbeat at 100,000 peers
      // on two threads (RegistryHeartbeatBenchmark).
      cachedTimeoutThreshold = current;
    }
  }

  /**
   * Returns the smallest whole number of nanoseconds t >= 0 at which phi(t) >= threshold (or
   * {@link #MAX_TIMEOUT_NANOS}). Gallops from the closed-form estimate, then bisects: about two
   * phi evaluations normally, at most about 250 on any input, so it is safe inside a read attempt.
   */
  static long crossingNanos(PhiDistribution distribution, double mean, double stdDeviation,
      Threshold threshold) {
    double estimate = distribution.elapsedAt(threshold.standardized, mean, stdDeviation);
    // Fast path: the closed form is exact up to rounding (the crossing point y* is found to about
    // 1e-15 relative, mean and deviation to 1e-16). When it lies clearly inside a nanosecond, its
    // ceiling is the answer and phi need not be evaluated. Otherwise (about 0.3% of heartbeats)
    // search.
    if (estimate > 1.0 && estimate < MAX_TIMEOUT_NANOS) {
      double ceiling = Math.ceil(estimate);
      double tolerance = 1e-3 + 1e-13 * (Math.abs(mean) + Math.abs(estimate) + stdDeviation);
      if (ceiling - estimate > tolerance && estimate - (ceiling - 1.0) > tolerance) {
        return (long) ceiling;
      }
    }
    return searchCrossingNanos(distribution, mean, stdDeviation, threshold.value, estimate);
  }

  static long searchCrossingNanos(PhiDistribution distribution, double mean,
      double stdDeviation, double limit, double estimate) {
    long guess = clampTimeout(estimate);
    long below; // phi(below) < limit, or below == -1
    long atOrAbove; // phi(atOrAbove) >= limit
    if (distribution.phi(guess, mean, stdDeviation) >= limit) {
      atOrAbove = guess;
      long step = 1;
      below = guess - step;
      while (below >= 0 && distribution.phi(below, mean, stdDeviation) >= limit) {
        atOrAbove = below;
        step <<= 1;
        below = atOrAbove - step;
      }
      below = Math.max(below, -1);
    } else {
      below = guess;
      long step = 1;
      atOrAbove = guess + step;
      while (true) {
        if (atOrAbove >= MAX_TIMEOUT_NANOS) {
          if (distribution.phi(MAX_TIMEOUT_NANOS, mean, stdDeviation) < limit) {
            return MAX_TIMEOUT_NANOS;
          }
          atOrAbove = MAX_TIMEOUT_NANOS;
          break;
        }
        if (distribution.phi(atOrAbove, mean, stdDeviation) >= limit) {
          break;
        }
        below = atOrAbove;
        step <<= 1;
        atOrAbove = MAX_TIMEOUT_NANOS - below <= step ? MAX_TIMEOUT_NANOS : below + step;
      }
    }
    while (atOrAbove - below > 1) {
      long middle = below + (atOrAbove - below) / 2;
      if (distribution.phi(middle, mean, stdDeviation) >= limit) {
        atOrAbove = middle;
      } else {
        below = middle;
      }
    }
    return atOrAbove;
  }

  @Override
  public String toString() {
    return "PhiAccrualFailureDetector[threshold=" + threshold.value + ", distribution="
        + distribution + ", timeout=" + Duration.ofNanos(timeoutNanos()) + ", monitoring="
        + isMonitoring() + "]";
  }

  /**
   * A spec's fixed settings in the units the detector computes in. Shared, not copied into each
   * detector: at a million peers every per-detector field is megabytes.
   */
  static final class Settings {
    /** The last one made: a registry's detectors come from one spec, so they share this. */
    private static volatile Settings last;

    final DetectorSpec.Phi spec;
    final PhiDistribution distribution;
    final int maxSampleSize;
    final long minStdDeviationNanos;
    final long acceptableHeartbeatPauseNanos;
    final long firstHeartbeatEstimateNanos;
    final boolean learnFromRepeatedSuspicions;
    final IntervalEstimator estimator;

    private Settings(DetectorSpec.Phi spec) {
      this.spec = spec;
      this.distribution = spec.distribution();
      this.maxSampleSize = spec.window();
      this.minStdDeviationNanos = spec.minStd().toNanos();
      this.acceptableHeartbeatPauseNanos = spec.pause().toNanos();
      this.firstHeartbeatEstimateNanos = spec.interval().toNanos();
      this.learnFromRepeatedSuspicions = spec.learnSuspicions();
      this.estimator = spec.estimator();
    }

    static Settings of(DetectorSpec.Phi spec) {
      Settings cached = last;
      if (cached == null || !cached.spec.equals(spec)) {
        cached = new Settings(spec);
        last = cached;
      }
      return cached;
    }
  }

  /** A threshold with its standardized crossing point, replaced as a whole when it changes. */
  static final class Threshold {
    /**
     * The last one made: a registry's detectors share one spec, so they share one object and
     * one bisection instead of one per detector.
     */
    private static volatile Threshold last;

    final double value;
    final PhiDistribution distribution;
    final double standardized;

    Threshold(double value, PhiDistribution distribution) {
      this.value = value;
      this.distribution = distribution;
      this.standardized = distribution.standardizedThreshold(value);
    }

    static Threshold of(double value, PhiDistribution distribution) {
      Threshold cached = last;
      if (cached == null || cached.value != value || cached.distribution != distribution) {
        cached = new Threshold(value, distribution);
        last = cached;
      }
      return cached;
    }
  }

  /**
   * A view over {@link DetectorSpec.Phi}, with Pekko's names for its settings: each setter sets
   * one of the spec's settings (named in brackets), checked by the spec, whose errors name the
   * spec's key ({@code "phi window must be between 1 and ..., got 0"} for {@code
   * maxSampleSize(0)}). Defaults are the spec's (Pekko cluster's). A builder may be reused as a
   * specification: every {@link #build()} makes an independent detector. Setters are not
   * thread-safe; once the settings are final, {@code build()} may be called from several threads.
   */
  public static final class Builder {
    private DetectorSpec.Phi spec = DetectorSpec.phi();
    private NanoClock clock = NanoClock.system();

    private Builder() {}

    /** Phi at or above which the peer is suspected ({@code threshold}); default 8. */
    public Builder threshold(double threshold) {
      spec = spec.withThreshold(threshold);
      return this;
    }

    /** Number of recent intervals kept ({@code window}); default 1000. */
    public Builder maxSampleSize(int maxSampleSize) {
      spec = spec.withWindow(maxSampleSize);
      return this;
    }

    /** Floor on the standard deviation of intervals ({@code min-std}); default 100 ms. */
    public Builder minStdDeviation(Duration minStdDeviation) {
      spec = spec.withMinStd(minStdDeviation);
      return this;
    }

    /** Pause added to the mean interval before phi rises ({@code pause}); default 3 s. */
    public Builder acceptableHeartbeatPause(Duration acceptableHeartbeatPause) {
      spec = spec.withPause(acceptableHeartbeatPause);
      return this;
    }

    /** Expected interval before any is measured ({@code interval}); default 1 s. */
    public Builder firstHeartbeatEstimate(Duration firstHeartbeatEstimate) {
      spec = spec.withInterval(firstHeartbeatEstimate);
      return this;
    }

    /** Model of the intervals; default {@link PhiDistribution#LOGISTIC}, as Pekko. */
    public Builder distribution(PhiDistribution distribution) {
      spec = spec.withDistribution(Preconditions.notNull("distribution", distribution));
      return this;
    }

    /**
     * Whether an interval that ends a suspicion is recorded once suspicions repeat ({@code
     * learn-suspicions}; default true: the detector cannot get stuck below the real intervals);
     * false never records one, Pekko's rule exactly (see "Learning from suspicions").
     */
    public Builder learnFromRepeatedSuspicions(boolean learn) {
      spec = spec.withLearnSuspicions(learn);
      return this;
    }

    /**
     * How the intervals are estimated ({@code estimator}); default {@link
     * IntervalEstimator#WINDOW}, Pekko's exact window. {@link IntervalEstimator#EWMA} keeps no
     * samples: {@link #maxSampleSize} is then the span.
     */
    public Builder estimator(IntervalEstimator estimator) {
      spec = spec.withEstimator(Preconditions.notNull("estimator", estimator));
      return this;
    }

    /** Clock used by methods without a time argument; default {@link NanoClock#system()}. */
    public Builder clock(NanoClock clock) {
      this.clock = Preconditions.notNull("clock", clock);
      return this;
    }

    /** Returns a new detector with these settings. */
    public PhiAccrualFailureDetector build() {
      return new PhiAccrualFailureDetector(spec, clock);
    }
  }
}
