package dev.failuredetector;

import dev.failuredetector.qos.PoissonBound;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The auto-tuning policy ({@link FailureDetectorRegistry.Builder#autoTune}): every period, on the
 * timer thread, it reads the shadow candidates' counts over the last few periods and makes the
 * fastest candidate that meets the mistake budget the active spec, by the rule {@code tune}
 * uses (the 95% upper bound of the rate, kept a headroom below the budget, and a worst period no
 * worse than chance at the budget). Hysteresis: a faster candidate takes over only if it detects
 * at least 10% sooner and was the pick at two evaluations in a row; the active one gives way at
 * once when it breaks the budget by more than chance (to the fastest that meets it, or else the
 * one with the fewest mistakes). Until the counts can show a candidate within the budget (zero
 * mistakes in T show a rate below 3/T), nothing changes. Each change is logged once and counted. The candidates differ from the active spec
 * in the tuning setting only, so a change keeps every peer's history ({@link
 * FailureDetectorRegistry#reconfigure}).
 */
final class AutoTuner {

  private static final Logger LOG = LoggerFactory.getLogger(FailureDetectorRegistry.class);
  /** The most periods looked back over (two days at 10 minutes). */
  static final int MAX_WINDOWS = 288;
  /** A faster candidate must detect this much sooner to take over. */
  static final double FASTER = 0.9;
  /** Evaluations in a row a faster candidate must be the pick for. */
  static final int STREAK = 2;

  private final FailureDetectorRegistry<?> registry;
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

  AutoTuner(FailureDetectorRegistry<?> registry, double budgetPerDay, double headroom,
      long periodNanos) {
    this.registry = registry;
    this.budgetPerDay = budgetPerDay;
    this.headroom = headroom;
    this.periodNanos = periodNanos;
    double neededPeriods = 1.5 * PoissonBound.upper95(0) * headroom / budgetPerDay
        / (periodNanos / 86_400e9);
    this.windows = (int) Math.max(6, Math.min(MAX_WINDOWS, Math.ceil(neededPeriods)));
  }

  long changes() {
    return changes.get();
  }

  /** Timer thread: evaluates once a period has passed since the last evaluation. */
  void maybeEvaluate(long nowNanos) {
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
    List<ShadowResult> totals = registry.shadowTotals();
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
    List<DetectorSpec> candidates = registry.shadowCandidates();
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
      meets[i] = PoissonBound.upper95(mistakes[i]) / days * headroom <= budgetPerDay
          && worstWindow(i) <= PoissonBound.worstWindowAllowed(
              budgetPerDay * periodNanos / 86_400e9, history.size() - 1);
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
    DetectorSpec next = registry.shadowCandidates().get(to);
    DetectorSpec before = registry.spec();
    registry.reconfigure(next);
    changes.incrementAndGet();
    LOG.info("auto-tune: {} -> {}: mean detection {} s -> {} s; over the last {} h it would have"
        + " made {} mistakes ({} the budget of {}/day with headroom {}), the active one {}",
        before, next, seconds(from < 0 ? Double.NaN : detection[from]), seconds(detection[to]),
        String.format(java.util.Locale.ROOT, "%.2f", days * 24), mistakes[to],
        meets ? "within" : "over, the fewest: none meets", budgetPerDay, headroom,
        from < 0 ? "-" : mistakes[from]);
  }

  private static String seconds(double nanos) {
    return String.format(java.util.Locale.ROOT, "%.3f", nanos / 1e9);
  }
}
