package dev.failuredetector;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything needed to build a failure detector: its kind and every one of its settings, as an
 * immutable value. A registry builds one detector per peer from it; tools print it and read it
 * back; a running registry is {@linkplain FailureDetectorRegistry#reconfigure(DetectorSpec)
 * reconfigured} with it.
 *
 * <p><b>Text form.</b> {@code KIND} or {@code KIND:key=value,key=value}, where KIND is one of
 * {@code phi}, {@code phi-normal}, {@code phi-exponential}, {@code chen}, {@code bertier}, {@code
 * two-window}, {@code deadline}, and durations carry a unit ({@code pause=200ms}, {@code
 * margin=1.5s}; ns, us, ms, s, m, h). Keys left out keep their defaults. {@code toString()}
 * prints every setting, so that {@code DetectorSpec.parse(spec.toString()).equals(spec)}:
 * <pre>{@code
 * DetectorSpec spec = DetectorSpec.parse("chen:margin=200ms");
 * spec.toString();   // "chen:interval=1s,window=1000,margin=200ms"
 * }</pre>
 *
 * <p><b>Keys</b> (defaults in brackets):
 * <ul>
 *   <li>{@code phi}, {@code phi-normal}, {@code phi-exponential} ({@link PhiAccrualFailureDetector}
 *       with the {@link PhiDistribution#LOGISTIC logistic} (Pekko's), {@link PhiDistribution#NORMAL
 *       exact normal} or {@link PhiDistribution#EXPONENTIAL exponential} model): {@code interval}
 *       (1s, the first heartbeat estimate), {@code threshold} (8), {@code window} (1000, Pekko's
 *       max-sample-size), {@code min-std} (100ms), {@code pause} (3s, the acceptable heartbeat
 *       pause; 0s for {@code phi-exponential}, as Cassandra: the pause would be added to the mean
 *       and multiplied by the threshold's factor), {@code learn-suspicions} (true: an interval
 *       that ends a suspicion is recorded once suspicions repeat, so the detector cannot get
 *       stuck below the real intervals;
 *       false: never, Pekko's rule exactly; see {@link PhiAccrualFailureDetector}), {@code
 *       estimator} ({@code window}: the exact window, Pekko's; {@code ewma}: windowless,
 *       exponentially weighted over a span of {@code window} intervals, see {@link
 *       IntervalEstimator}; printed only when {@code ewma}). Otherwise Pekko cluster's defaults.
 *   <li>{@code chen} ({@link ChenFailureDetector}): {@code interval} (1s), {@code window} (1000),
 *       {@code margin} (3s).
 *   <li>{@code bertier} ({@link BertierFailureDetector}): {@code interval} (1s), {@code window}
 *       (1000), {@code delay-weight} (1), {@code variance-weight} (4), {@code gain} (0.1), {@code
 *       min-margin} (2s, the least margin; 0s for the paper's detector).
 *   <li>{@code two-window} ({@link TwoWindowFailureDetector}): {@code interval} (1s), {@code
 *       short-window} (1), {@code long-window} (1000), {@code margin} (3s).
 *   <li>{@code deadline} ({@link DeadlineFailureDetector}): {@code interval} (1s), {@code pause}
 *       (3s).
 * </ul>
 *
 * <p><b>The interval.</b> Every kind has the sender's heartbeat {@code interval}. Where the sender
 * is ours ({@code HeartbeatNode}), the node's interval is the one source: it gives it to the spec
 * ({@link #withInterval}), and a spec that names another interval is refused.
 *
 * <p>Each setting is checked when the spec is made: an {@link IllegalArgumentException} names the
 * kind, the key and the value. Immutable and thread-safe.
 */
public sealed interface DetectorSpec {

  /** The heartbeat interval of every kind unless set: 1 s. */
  Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

  /** The kinds, in the order the text form documents them. */
  List<String> KINDS = List.of("phi", "phi-normal", "phi-exponential", "chen", "bertier",
      "two-window", "deadline");

  /** The kind, as in the text form: {@code phi}, {@code chen}, ... */
  String kind();

  /** The sender's heartbeat interval. */
  Duration interval();

  /**
   * This spec with another heartbeat interval.
   *
   * @throws IllegalArgumentException if not above zero and at most one day
   */
  DetectorSpec withInterval(Duration interval);

  /**
   * The key of the one setting that trades detection time against mistakes and can change on
   * live detectors: {@code threshold}, {@code margin}, {@code variance-weight} or {@code pause}.
   */
  String tuningKey();

  /**
   * Checks that {@code next} can replace this spec on live detectors: the same kind, and every
   * setting but the {@linkplain #tuningKey() tuning one} the same.
   *
   * @throws IllegalArgumentException naming the settings that differ
   */
  default void checkTuningOnly(DetectorSpec next) {
    LiveTuning.checkChangeable(this, Objects.requireNonNull(next, "next"));
  }

  /**
   * Every setting as text, in the order of the text form (the values {@link #with} accepts).
   */
  Map<String, String> settings();

  /**
   * This spec with one setting changed, the value in the text form ({@code "200ms"}, {@code
   * "8"}).
   *
   * @throws IllegalArgumentException if the kind has no such key, or the value is not valid for it
   */
  DetectorSpec with(String key, String value);

  /** A new detector with these settings, reading {@code clock} where no time is passed. */
  FailureDetector newDetector(NanoClock clock);

  /** A new detector with these settings on the system clock. */
  default FailureDetector newDetector() {
    return newDetector(NanoClock.system());
  }

  /** Phi accrual with Pekko cluster's defaults (logistic model). */
  static Phi phi() {
    return new Phi(PhiDistribution.LOGISTIC, DEFAULT_INTERVAL, 8.0, 1000, Duration.ofMillis(100),
        Duration.ofSeconds(3), true, IntervalEstimator.WINDOW);
  }

  /** Chen's detector with its defaults. */
  static Chen chen() {
    return new Chen(DEFAULT_INTERVAL, 1000, Duration.ofSeconds(3));
  }

  /**
   * Bertier's detector with the paper's weights and a margin of at least two seconds ({@code
   * min-margin=0s} for the paper's detector, whose margin shrinks to about nothing on a quiet
   * network).
   */
  static Bertier bertier() {
    return new Bertier(DEFAULT_INTERVAL, 1000, 1.0, 4.0, 0.1, Duration.ofSeconds(2));
  }

  /** 2W-FD with its defaults. */
  static TwoWindow twoWindow() {
    return new TwoWindow(DEFAULT_INTERVAL, 1, 1000, Duration.ofSeconds(3));
  }

  /** A fixed timeout with its defaults. */
  static Deadline deadline() {
    return new Deadline(DEFAULT_INTERVAL, Duration.ofSeconds(3));
  }

  /** The spec of {@code kind} with every default. */
  static DetectorSpec defaults(String kind) {
    Objects.requireNonNull(kind, "kind");
    return switch (kind) {
      case "phi" -> phi();
      case "phi-normal" -> phi().withDistribution(PhiDistribution.NORMAL);
      // Cassandra's model: the pause would be added to the mean and multiplied by about 18.4
      // at threshold 8 (a 57 s timeout at 100 ms heartbeats); Cassandra adds none.
      case "phi-exponential" -> phi().withDistribution(PhiDistribution.EXPONENTIAL)
          .withPause(Duration.ZERO);
      case "chen" -> chen();
      case "bertier" -> bertier();
      case "two-window" -> twoWindow();
      case "deadline" -> deadline();
      default -> throw new IllegalArgumentException("detector kind '" + kind
          + "' is not one of " + String.join(", ", KINDS));
    };
  }

  /**
   * Reads the text form, {@code KIND} or {@code KIND:key=value,...}.
   *
   * @throws IllegalArgumentException naming the kind, key or value that is wrong
   */
  static DetectorSpec parse(String text) {
    return parse(text, null, null);
  }

  /**
   * Reads the text form for a sender whose heartbeat interval is set elsewhere, and gives the
   * spec that interval: the one rule for the interval's single source, which the node, the CLI
   * and the Pekko adapter all call. A text that names {@code interval} is refused, even with the
   * same value, so that there is one place to change it.
   *
   * @param interval the sender's heartbeat interval
   * @param intervalSource where the user sets the interval, for the error message ({@code
   *     "--interval"}, {@code "heartbeat-interval"}, ...)
   * @throws IllegalArgumentException naming the kind, key or value that is wrong, or the interval
   *     and where to set it
   */
  static DetectorSpec parse(String text, Duration interval, String intervalSource) {
    Objects.requireNonNull(text, "text");
    String trimmed = text.trim();
    int colon = trimmed.indexOf(':');
    DetectorSpec spec = defaults(colon < 0 ? trimmed : trimmed.substring(0, colon).trim());
    if (colon >= 0) {
      String body = trimmed.substring(colon + 1);
      if (body.isBlank()) {
        throw new IllegalArgumentException("detector '" + text + "' has a ':' but no settings");
      }
      Set<String> seen = new HashSet<>();
      for (String pair : body.split(",", -1)) {
        int equals = pair.indexOf('=');
        if (equals < 0) {
          throw new IllegalArgumentException("detector setting '" + pair.trim() + "' in '" + text
              + "' is not key=value");
        }
        String key = pair.substring(0, equals).trim();
        if (!seen.add(key)) {
          throw new IllegalArgumentException("detector setting " + key + " is given twice in '"
              + text + "'");
        }
        if (key.equals("interval") && interval != null) {
          throw new IllegalArgumentException("detector '" + text + "' names the interval: the"
              + " heartbeat interval (" + DurationText.format(interval) + ") is set by "
              + intervalSource + " only; leave it out");
        }
        spec = spec.with(key, pair.substring(equals + 1).trim());
      }
    }
    return interval == null ? spec : spec.withInterval(interval);
  }

  /**
   * {@code spec} with the heartbeat interval set elsewhere, the same rule as {@link
   * #parse(String, Duration, String)} for a spec built in code: one that names an interval other
   * than {@link #DEFAULT_INTERVAL} (so one set on purpose) and other than {@code interval} is
   * refused.
   *
   * @throws IllegalArgumentException naming both intervals and where to set it
   */
  static DetectorSpec withIntervalOf(DetectorSpec spec, Duration interval,
      String intervalSource) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(interval, "interval");
    if (!spec.interval().equals(DEFAULT_INTERVAL) && !spec.interval().equals(interval)) {
      throw new IllegalArgumentException("detector " + spec.kind() + " interval="
          + DurationText.format(spec.interval()) + " differs from " + intervalSource + " ("
          + DurationText.format(interval) + "): the heartbeat interval is set by "
          + intervalSource + " only; leave it out of the spec");
    }
    return spec.withInterval(interval);
  }

  /** Phi accrual ({@code phi}, {@code phi-normal}, {@code phi-exponential}). */
  record Phi(PhiDistribution distribution, Duration interval, double threshold, int window,
      Duration minStd, Duration pause, boolean learnSuspicions, IntervalEstimator estimator)
      implements DetectorSpec {

    /** @throws IllegalArgumentException naming the key and value of a bad setting */
    public Phi {
      Objects.requireNonNull(distribution, "distribution");
      Objects.requireNonNull(estimator, "estimator");
      String kind = kindOf(distribution);
      SpecText.positive(kind, "interval", interval);
      SpecText.positiveFinite(kind, "threshold", threshold);
      SpecText.window(kind, "window", window);
      SpecText.positive(kind, "min-std", minStd);
      SpecText.nonNegative(kind, "pause", pause);
    }

    static String kindOf(PhiDistribution distribution) {
      return switch (distribution) {
        case LOGISTIC -> "phi";
        case NORMAL -> "phi-normal";
        case EXPONENTIAL -> "phi-exponential";
      };
    }

    @Override
    public String kind() {
      return kindOf(distribution);
    }

    @Override
    public String tuningKey() {
      return "threshold";
    }

    public Phi withDistribution(PhiDistribution distribution) {
      return new Phi(distribution, interval, threshold, window, minStd, pause, learnSuspicions,
          estimator);
    }

    @Override
    public Phi withInterval(Duration interval) {
      return new Phi(distribution, interval, threshold, window, minStd, pause, learnSuspicions,
          estimator);
    }

    public Phi withThreshold(double threshold) {
      return new Phi(distribution, interval, threshold, window, minStd, pause, learnSuspicions,
          estimator);
    }

    public Phi withWindow(int window) {
      return new Phi(distribution, interval, threshold, window, minStd, pause, learnSuspicions,
          estimator);
    }

    public Phi withMinStd(Duration minStd) {
      return new Phi(distribution, interval, threshold, window, minStd, pause, learnSuspicions,
          estimator);
    }

    public Phi withPause(Duration pause) {
      return new Phi(distribution, interval, threshold, window, minStd, pause, learnSuspicions,
          estimator);
    }

    /** With {@link IntervalEstimator#EWMA}, windowless: {@code window} is the span. */
    public Phi withEstimator(IntervalEstimator estimator) {
      return new Phi(distribution, interval, threshold, window, minStd, pause, learnSuspicions,
          estimator);
    }

    /** With {@code false}, Pekko's rule: an interval that ends a suspicion is never recorded. */
    public Phi withLearnSuspicions(boolean learnSuspicions) {
      return new Phi(distribution, interval, threshold, window, minStd, pause, learnSuspicions,
          estimator);
    }

    @Override
    public Map<String, String> settings() {
      Map<String, String> settings = new LinkedHashMap<>();
      settings.put("interval", DurationText.format(interval));
      settings.put("threshold", SpecText.number(threshold));
      settings.put("window", Integer.toString(window));
      settings.put("min-std", DurationText.format(minStd));
      settings.put("pause", DurationText.format(pause));
      settings.put("learn-suspicions", Boolean.toString(learnSuspicions));
      settings.put("estimator", estimator.text());
      return settings;
    }

    @Override
    public Phi with(String key, String value) {
      String kind = kind();
      return switch (SpecText.key(kind, key, settings())) {
        case "interval" -> withInterval(SpecText.duration(kind(), key, value));
        case "threshold" -> withThreshold(SpecText.decimal(kind, key, value));
        case "window" -> withWindow(SpecText.integer(kind, key, value));
        case "min-std" -> withMinStd(SpecText.duration(kind(), key, value));
        case "learn-suspicions" -> withLearnSuspicions(SpecText.bool(kind, key, value));
        case "estimator" -> withEstimator(IntervalEstimator.parse(kind, key, value));
        default -> withPause(SpecText.duration(kind(), key, value));
      };
    }

    @Override
    public PhiAccrualFailureDetector newDetector(NanoClock clock) {
      return new PhiAccrualFailureDetector(this, Objects.requireNonNull(clock, "clock"));
    }

    @Override
    public String toString() {
      // The default estimator is left out of the text, so that a windowed spec reads as it did
      // before the key existed (logs, stored specs and the detector tag of the metrics).
      return estimator == IntervalEstimator.WINDOW
          ? SpecText.text(kind(), settings(), "estimator") : SpecText.text(this);
    }
  }

  /** Chen, Toueg and Aguilera's detector ({@code chen}). */
  record Chen(Duration interval, int window, Duration margin) implements DetectorSpec {

    /** @throws IllegalArgumentException naming the key and value of a bad setting */
    public Chen {
      SpecText.positive("chen", "interval", interval);
      SpecText.window("chen", "window", window);
      SpecText.nonNegative("chen", "margin", margin);
    }

    @Override
    public String kind() {
      return "chen";
    }

    @Override
    public String tuningKey() {
      return "margin";
    }

    @Override
    public Chen withInterval(Duration interval) {
      return new Chen(interval, window, margin);
    }

    public Chen withWindow(int window) {
      return new Chen(interval, window, margin);
    }

    public Chen withMargin(Duration margin) {
      return new Chen(interval, window, margin);
    }

    @Override
    public Map<String, String> settings() {
      Map<String, String> settings = new LinkedHashMap<>();
      settings.put("interval", DurationText.format(interval));
      settings.put("window", Integer.toString(window));
      settings.put("margin", DurationText.format(margin));
      return settings;
    }

    @Override
    public Chen with(String key, String value) {
      return switch (SpecText.key(kind(), key, settings())) {
        case "interval" -> withInterval(SpecText.duration(kind(), key, value));
        case "window" -> withWindow(SpecText.integer(kind(), key, value));
        default -> withMargin(SpecText.duration(kind(), key, value));
      };
    }

    @Override
    public ChenFailureDetector newDetector(NanoClock clock) {
      return new ChenFailureDetector(this, Objects.requireNonNull(clock, "clock"));
    }

    @Override
    public String toString() {
      return SpecText.text(this);
    }
  }

  /** Bertier, Marin and Sens's detector ({@code bertier}). */
  record Bertier(Duration interval, int window, double delayWeight, double varianceWeight,
      double gain, Duration minMargin) implements DetectorSpec {

    /** @throws IllegalArgumentException naming the key and value of a bad setting */
    public Bertier {
      SpecText.positive("bertier", "interval", interval);
      SpecText.window("bertier", "window", window);
      SpecText.nonNegativeFinite("bertier", "delay-weight", delayWeight);
      SpecText.nonNegativeFinite("bertier", "variance-weight", varianceWeight);
      if (!(gain > 0 && gain <= 1)) {
        throw new IllegalArgumentException(
            "bertier gain must be > 0 and <= 1, got " + SpecText.number(gain));
      }
      SpecText.nonNegative("bertier", "min-margin", minMargin);
    }

    @Override
    public String kind() {
      return "bertier";
    }

    @Override
    public String tuningKey() {
      return "variance-weight";
    }

    @Override
    public Bertier withInterval(Duration interval) {
      return new Bertier(interval, window, delayWeight, varianceWeight, gain, minMargin);
    }

    public Bertier withWindow(int window) {
      return new Bertier(interval, window, delayWeight, varianceWeight, gain, minMargin);
    }

    public Bertier withDelayWeight(double delayWeight) {
      return new Bertier(interval, window, delayWeight, varianceWeight, gain, minMargin);
    }

    public Bertier withVarianceWeight(double varianceWeight) {
      return new Bertier(interval, window, delayWeight, varianceWeight, gain, minMargin);
    }

    public Bertier withGain(double gain) {
      return new Bertier(interval, window, delayWeight, varianceWeight, gain, minMargin);
    }

    public Bertier withMinMargin(Duration minMargin) {
      return new Bertier(interval, window, delayWeight, varianceWeight, gain, minMargin);
    }

    @Override
    public Map<String, String> settings() {
      Map<String, String> settings = new LinkedHashMap<>();
      settings.put("interval", DurationText.format(interval));
      settings.put("window", Integer.toString(window));
      settings.put("delay-weight", SpecText.number(delayWeight));
      settings.put("variance-weight", SpecText.number(varianceWeight));
      settings.put("gain", SpecText.number(gain));
      settings.put("min-margin", DurationText.format(minMargin));
      return settings;
    }

    @Override
    public Bertier with(String key, String value) {
      return switch (SpecText.key(kind(), key, settings())) {
        case "interval" -> withInterval(SpecText.duration(kind(), key, value));
        case "window" -> withWindow(SpecText.integer(kind(), key, value));
        case "delay-weight" -> withDelayWeight(SpecText.decimal(kind(), key, value));
        case "variance-weight" -> withVarianceWeight(SpecText.decimal(kind(), key, value));
        case "gain" -> withGain(SpecText.decimal(kind(), key, value));
        default -> withMinMargin(SpecText.duration(kind(), key, value));
      };
    }

    @Override
    public BertierFailureDetector newDetector(NanoClock clock) {
      return new BertierFailureDetector(this, Objects.requireNonNull(clock, "clock"));
    }

    @Override
    public String toString() {
      return SpecText.text(this);
    }
  }

  /** Tomsic et al.'s 2W-FD ({@code two-window}). */
  record TwoWindow(Duration interval, int shortWindow, int longWindow, Duration margin)
      implements DetectorSpec {

    /** @throws IllegalArgumentException naming the key and value of a bad setting */
    public TwoWindow {
      SpecText.positive("two-window", "interval", interval);
      SpecText.window("two-window", "short-window", shortWindow);
      SpecText.window("two-window", "long-window", longWindow);
      SpecText.nonNegative("two-window", "margin", margin);
      if (shortWindow > longWindow) {
        throw new IllegalArgumentException("two-window short-window must be <= long-window, got "
            + shortWindow + " > " + longWindow);
      }
    }

    @Override
    public String kind() {
      return "two-window";
    }

    @Override
    public String tuningKey() {
      return "margin";
    }

    @Override
    public TwoWindow withInterval(Duration interval) {
      return new TwoWindow(interval, shortWindow, longWindow, margin);
    }

    public TwoWindow withWindows(int shortWindow, int longWindow) {
      return new TwoWindow(interval, shortWindow, longWindow, margin);
    }

    public TwoWindow withMargin(Duration margin) {
      return new TwoWindow(interval, shortWindow, longWindow, margin);
    }

    @Override
    public Map<String, String> settings() {
      Map<String, String> settings = new LinkedHashMap<>();
      settings.put("interval", DurationText.format(interval));
      settings.put("short-window", Integer.toString(shortWindow));
      settings.put("long-window", Integer.toString(longWindow));
      settings.put("margin", DurationText.format(margin));
      return settings;
    }

    @Override
    public TwoWindow with(String key, String value) {
      return switch (SpecText.key(kind(), key, settings())) {
        case "interval" -> withInterval(SpecText.duration(kind(), key, value));
        case "short-window" -> withWindows(SpecText.integer(kind(), key, value), longWindow);
        case "long-window" -> withWindows(shortWindow, SpecText.integer(kind(), key, value));
        default -> withMargin(SpecText.duration(kind(), key, value));
      };
    }

    @Override
    public TwoWindowFailureDetector newDetector(NanoClock clock) {
      return new TwoWindowFailureDetector(this, Objects.requireNonNull(clock, "clock"));
    }

    @Override
    public String toString() {
      return SpecText.text(this);
    }
  }

  /** A fixed timeout ({@code deadline}): suspected {@code interval + pause} after a heartbeat. */
  record Deadline(Duration interval, Duration pause) implements DetectorSpec {

    /** @throws IllegalArgumentException naming the key and value of a bad setting */
    public Deadline {
      SpecText.positive("deadline", "interval", interval);
      SpecText.nonNegative("deadline", "pause", pause);
    }

    @Override
    public String kind() {
      return "deadline";
    }

    @Override
    public String tuningKey() {
      return "pause";
    }

    @Override
    public Deadline withInterval(Duration interval) {
      return new Deadline(interval, pause);
    }

    public Deadline withPause(Duration pause) {
      return new Deadline(interval, pause);
    }

    @Override
    public Map<String, String> settings() {
      Map<String, String> settings = new LinkedHashMap<>();
      settings.put("interval", DurationText.format(interval));
      settings.put("pause", DurationText.format(pause));
      return settings;
    }

    @Override
    public Deadline with(String key, String value) {
      return switch (SpecText.key(kind(), key, settings())) {
        case "interval" -> withInterval(SpecText.duration(kind(), key, value));
        default -> withPause(SpecText.duration(kind(), key, value));
      };
    }

    @Override
    public DeadlineFailureDetector newDetector(NanoClock clock) {
      return new DeadlineFailureDetector(this, Objects.requireNonNull(clock, "clock"));
    }

    @Override
    public String toString() {
      return SpecText.text(this);
    }
  }
}
