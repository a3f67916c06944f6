package dev.failuredetector.qos;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.FailureDetectorRegistry;
import dev.failuredetector.RegistryPlugin;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Auto-tuning, a {@link RegistryPlugin} and a client of the registry's public API: every {@code
 * period}, on the registry's timer thread, it reads the {@link ShadowCandidates}' counts over the
 * last few periods and makes the fastest candidate that meets the mistake budget the active spec
 * ({@link FailureDetectorRegistry#reconfigure}), by the rule {@code tune} uses (the 95% upper
 * bound of the rate, kept a headroom below the budget, and a worst period no worse than chance at
 * the budget).
 * <pre>{@code
 * ShadowCandidates shadows = ShadowCandidates.withActive(List.of(
 *     DetectorSpec.parse("phi:threshold=4"), DetectorSpec.parse("phi:threshold=12")));
 * FailureDetectorRegistry<String> registry = FailureDetectorRegistry.builder()
 *     .plugin(shadows)
 *     .plugin(AutoTuner.of(shadows, QosTarget.maxMistakesPerDay(100), 2, Duration.ofMinutes(10)))
 *     .build();
 * }</pre>
 * It looks back over the shortest horizon that can show the budget, and half again (2.2 h for
 * 100/day at headroom 2 and 10-minute periods, at most 288 periods). Hysteresis: a faster
 * candidate takes over only if it detects at least 10% sooner and was the pick at two evaluations
 * in a row; the active one gives way at once when it breaks the budget by more than chance (to the
 * fastest that meets it, or else the one with the fewest mistakes). Until the counts can show a
 * candidate within the budget (zero mistakes in T show a rate below 3/T: 1.4 h for 100 a day at
 * headroom 2), nothing changes. Each change is logged at INFO and counted ({@link #changes()}, the
 * metric {@code failure.detector.autotune.changes}). The candidates must differ from the active
 * spec in its tuning setting only ({@link DetectorSpec#tuningKey()}), so a change keeps every
 * peer's history, and must include the active spec ({@link ShadowCandidates#withActive}).
 */
public final class AutoTuner implements RegistryPlugin {

  private static final Logger LOG = LoggerFactory.getLogger(AutoTuner.class);
  /** The most periods looked back over (two days at 10 minutes). */
  static final int MAX_WINDOWS = 288;
  /** A faster candidate must detect this much sooner to take over. */
  static final double FASTER = 0.9;
  /** Evaluations in a row a faster candidate must be the pick for. */
  static final int STREAK = 2;

  private final ShadowCandidates shadows;
  private volatile FailureDetectorRegistry<?> registry;
  private final double budgetPerDay;
  private final double headroom;
  private final long periodNanos;
  /**
   * Periods looked back over: the shortest horizon that can show a rate within the budget,
   * with half again as much (zero mistakes in T show a rate below 3/T, so T = 3 x headroom /
   * budget: 1.4 h for 100 a day at headroom 2, then 2.2 h; 6 days for 1 a day), at least 6. A
   * bad period stays in the worst-period check as long: what keeps a candidate that broke the
   * budget from coming straight back, and lets one in again once the load that broke it is gone.
   */
  private final int windows;
  private final AtomicLong changes = new AtomicLong();
  /** Cumulative counts at each of the last evaluations, oldest first. */
  private final ArrayDeque<Snapshot> history = new ArrayDeque<>();
  private int streakCandidate = -1;
  private int streak;
  private long lastNanos;
  private boolean started;

  private record Snapshot(long atNanos, long[] heartbeats, long[] mistakes, double[] detection) {}

  private AutoTuner(ShadowCandidates shadows, double budgetPerDay, double headroom,
      long periodNanos) {
    this.shadows = shadows;
    this.budgetPerDay = budgetPerDay;
    this.headroom = headroom;
    this.periodNanos = periodNanos;
    double neededPeriods = 1.5 * PoissonBound.upper95(0) * headroom / budgetPerDay
        / (periodNanos / 86_400e9);
    this.windows = (int) Math.max(6, Math.min(MAX_WINDOWS, Math.ceil(neededPeriods)));
  }

  /**
   * Tunes among {@code shadows} (added to the same registry before this) for {@code target}.
   *
   * @param target a mistake budget, {@link QosTarget#maxMistakesPerDay}
   * @param headroom at least 1; {@code tune}'s default is 2
   * @param period at least 1 s; 10 minutes makes the six periods an hour
   * @throws IllegalArgumentException if target is not a mistake budget, or headroom or period
   *     is out of range
   */
  public static AutoTuner of(ShadowCandidates shadows, QosTarget target, double headroom,
      Duration period) {
    Objects.requireNonNull(shadows, "shadows must not be null");
    Objects.requireNonNull(target, "target must not be null");
    Objects.requireNonNull(period, "period must not be null");
    if (!(target instanceof QosTarget.MaxMistakesPerDay budget)) {
      throw new IllegalArgumentException("autoTune takes a mistake budget"
          + " (QosTarget.maxMistakesPerDay), got " + target);
    }
    if (!(headroom >= 1) || Double.isInfinite(headroom)) {
      throw new IllegalArgumentException("headroom must be a finite number >= 1, got "
          + headroom);
    }
    if (period.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("autoTune period must be at least 1s, got " + period);
    }
    return new AutoTuner(shadows, budget.perDay(), headroom, period.toNanos());
  }

  /**
   * @throws IllegalArgumentException if the shadow candidates are not attached to {@code
   *     registry} before this, do not include its spec, or differ from it in more than its tuning
   *     setting
   */
  @Override
  public void attach(FailureDetectorRegistry<?> registry) {
    if (this.registry != null) {
      throw new IllegalArgumentException("an AutoTuner serves one registry");
    }
    if (shadows.registry() != registry) {
      throw new IllegalArgumentException("autoTune needs its ShadowCandidates added to the"
          + " registry before it");
    }
    DetectorSpec active = registry.spec();
    if (shadows.candidates().size() < 2) {
      throw new IllegalArgumentException("autoTune needs shadowCandidates to choose from");
    }
    if (!shadows.candidates().contains(active)) {
      throw new IllegalArgumentException("autoTune evaluates the active detector " + active
          + " too: use ShadowCandidates.withActive(...)");
    }
    for (DetectorSpec candidate : shadows.candidates()) {
      try {
        active.checkTuningOnly(candidate);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("autoTune: shadow candidate " + candidate
            + " differs from the detector " + active + " in more than " + active.tuningKey()
            + ": " + e.getMessage(), e);
      }
    }
    this.registry = registry;
  }

  @Override
  public void tick(long nowNanos) {
    maybeEvaluate(nowNanos);
  }

  /** Changes of the active spec made so far. */
  public long changes() {
    return changes.get();
  }

  /** Timer thread: evaluates once a period has passed since the last evaluation. */
  void maybeEvaluate(long nowNanos) {
    if (registry == null) {
      return;
    }
    if (!started) {
      started = true;
      lastNanos = nowNanos;
      history.add(snapshot(nowNanos));
      return;
    }
    if (nowNanos - lastNanos < periodNanos) {
      return;
    }
    lastNanos = nowNanos;
    history.add(snapshot(nowNanos));
    while (history.size() > windows + 1) {
      history.removeFirst();
    }
    evaluate();
  }

  private Snapshot snapshot(long nowNanos) {
    List<ShadowResult> totals = shadows.totals();
    int n = totals.size();
    long[] heartbeats = new long[n];
    long[] mistakes = new long[n];
    double[] detection = new double[n];
    for (int i = 0; i < n; i++) {
      ShadowResult r = totals.get(i);
      heartbeats[i] = r.heartbeats();
      mistakes[i] = r.mistakes();
      detection[i] = r.heartbeats() == 0 ? 0 : r.meanDetectionNanos() * r.heartbeats();
    }
    return new Snapshot(nowNanos, heartbeats, mistakes, detection);
  }

  private void evaluate() {
    Snapshot first = history.getFirst();
    Snapshot last = history.getLast();
    double days = (last.atNanos - first.atNanos) / 86_400e9;
    List<DetectorSpec> candidates = shadows.candidates();
    int n = candidates.size();
    int active = candidates.indexOf(registry.spec());
    double[] detection = new double[n];
    long[] mistakes = new long[n];
    boolean[] meets = new boolean[n];
    int fastest = -1;
    int safest = -1;
    for (int i = 0; i < n; i++) {
      long heartbeats = last.heartbeats[i] - first.heartbeats[i];
      if (heartbeats == 0) {
        return; // no peer heard from: nothing to judge by
      }
      mistakes[i] = last.mistakes[i] - first.mistakes[i];
      detection[i] = (last.detection[i] - first.detection[i]) / heartbeats;
      meets[i] = MistakeBudget.meets(mistakes[i], days, worstWindow(i), periodNanos / 86_400e9,
          history.size() - 1, budgetPerDay, headroom);
      if (meets[i] && (fastest < 0 || detection[i] < detection[fastest])) {
        fastest = i;
      }
      if (safest < 0 || mistakes[i] < mistakes[safest]
          || (mistakes[i] == mistakes[safest] && detection[i] > detection[safest])) {
        safest = i;
      }
    }
    if (active < 0 || breaks(active, mistakes[active], days)) {
      // The active spec breaks the budget by more than chance: give way at once.
      int next = fastest >= 0 ? fastest : safest;
      if (next != active) {
        change(active, next, detection, mistakes, days, meets[next]);
      }
      streak = 0;
      return;
    }
    // Otherwise change only for a candidate shown to meet the budget (too little evidence yet,
    // or none that meets it: keep what runs).
    if (fastest >= 0 && fastest != active && detection[fastest] < FASTER * detection[active]) {
      streak = fastest == streakCandidate ? streak + 1 : 1;
      streakCandidate = fastest;
      if (streak >= STREAK) {
        change(active, fastest, detection, mistakes, days, true);
        streak = 0;
      }
    } else {
      streak = 0;
    }
  }

  /**
   * Whether the active spec's count over the horizon, in the last period, or in its worst
   * period is more than the budget would give by chance (95%).
   */
  private boolean breaks(int candidate, long mistakes, double days) {
    double perPeriod = budgetPerDay * periodNanos / 86_400e9;
    return mistakes > PoissonBound.worstWindowAllowed(budgetPerDay * days, 1)
        || lastWindow(candidate) > PoissonBound.worstWindowAllowed(perPeriod, 1)
        || worstWindow(candidate) > PoissonBound.worstWindowAllowed(perPeriod,
            history.size() - 1);
  }

  /** Mistakes in the last period alone: a load that just rose shows here first. */
  private long lastWindow(int candidate) {
    java.util.Iterator<Snapshot> newest = history.descendingIterator();
    Snapshot last = newest.next();
    Snapshot before = newest.next();
    return last.mistakes[candidate] - before.mistakes[candidate];
  }

  private long worstWindow(int candidate) {
    long worst = 0;
    Snapshot previous = null;
    for (Snapshot snapshot : history) {
      if (previous != null) {
        worst = Math.max(worst, snapshot.mistakes[candidate] - previous.mistakes[candidate]);
      }
      previous = snapshot;
    }
    return worst;
  }

  private void change(int from, int to, double[] detection, long[] mistakes, double days,
      boolean meets) {
    DetectorSpec next = shadows.candidates().get(to);
    DetectorSpec before = registry.spec();
    registry.reconfigure(next);
    changes.incrementAndGet();
    LOG.info("auto-tune: {} -> {}: mean detection {} s -> {} s; over the last {} h it would have"
        + " made {} mistakes ({} the budget of {}/day with headroom {}), the active one {}",
        before, next, seconds(from < 0 ? Double.NaN : detection[from]), seconds(detection[to]),
        String.format(Locale.ROOT, "%.2f", days * 24), mistakes[to],
        meets ? "within" : "over, the fewest: none meets", budgetPerDay, headroom,
        from < 0 ? "-" : mistakes[from]);
  }

  private static String seconds(double nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1e9);
  }
}
