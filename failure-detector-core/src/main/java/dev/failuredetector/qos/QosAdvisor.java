package dev.failuredetector.qos;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Picks, from measured curves, the detector and setting that meets a {@link QosTarget} with the
 * best other metric, and says plainly when no setting meets it or when the trace is too short to
 * tell.
 *
 * <p><b>Advice that holds on the next hour.</b> For a mistake budget, a setting's point estimate
 * (mistakes / time) is not enough: the fastest setting within it is, by construction, the one at
 * the edge, and the next hour's count scatters around its mean. A setting qualifies only when
 * <ul>
 *   <li>the upper end of a 95% confidence interval of its rate (mistakes as a Poisson process,
 *       {@link QosReport#mistakesPerDayUpper95()}) is within the budget divided by a headroom
 *       (default {@value #DEFAULT_HEADROOM}), and
 *   <li>its worst window (an hour, or a quarter of a shorter trace) holds no more mistakes than
 *       the worst window would by chance at the budget's rate ({@link
 *       QosReport#worstWindowWithin}): a load that comes and goes shows here, not in the mean,
 * </ul>
 * and the fastest such setting is chosen. A headroom above 1 is for what the trace cannot show: a
 * load heavier than any it recorded. The explanation says what was assumed.
 * {@link #recommendNaive} keeps the point-estimate rule, for comparison only.
 *
 * <p>A mistake rate can only be observed down to about one per trace length: with zero mistakes
 * in T seconds, the rate is below 3/T with 95% confidence (the "rule of three") and nothing
 * smaller can be claimed. When the target is below what the trace can show, the advisor requires
 * zero mistakes and says what the trace does and does not show.
 */
public final class QosAdvisor {

  /**
   * How far below the budget a setting's 95% upper bound must stay, by default: 2. Measured out
   * of sample (tune on a trace's first half, replay on the second; BENCHMARKS.md), 2 held the
   * budget in 15 of 15 and 9 of 10 traces; 1 (the bound alone) in 14 of 15 and 8 of 10, detecting
   * about 1.5-2x faster.
   */
  public static final double DEFAULT_HEADROOM = 2;

  private QosAdvisor() {}

  /**
   * The advice.
   *
   * @param met whether some setting met the target on this trace
   * @param detector the chosen detector (the closest one when {@code met} is false)
   * @param setting the chosen curve's setting name
   * @param point the chosen setting and its quality
   * @param explanation a sentence or two for the operator
   */
  public record Recommendation(boolean met, String detector, String setting, QosPoint point,
      String explanation) {}

  /**
   * Recommends a setting for {@code target}.
   *
   * @throws IllegalArgumentException if {@code curves} has no points
   */
  public static Recommendation recommend(List<QosCurve> curves, QosTarget target) {
    return recommend(curves, target, DEFAULT_HEADROOM);
  }

  /**
   * Recommends a setting for {@code target}, a mistake budget's 95% upper bound kept {@code
   * headroom} times below it (1: the bound itself; 2, the default: room for twice the rate).
   *
   * @throws IllegalArgumentException if {@code curves} has no points, or headroom is not a finite
   *     number &gt;= 1
   */
  public static Recommendation recommend(List<QosCurve> curves, QosTarget target,
      double headroom) {
    if (!(headroom >= 1) || Double.isInfinite(headroom)) {
      throw new IllegalArgumentException("headroom must be a finite number >= 1, got " + headroom);
    }
    Objects.requireNonNull(curves, "curves");
    Objects.requireNonNull(target, "target");
    QosCurve anyCurve = curves.stream().filter(c -> !c.points().isEmpty()).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no measured points to choose from"));
    double observedSeconds = anyCurve.points().get(0).report().observedNanos() / 1e9;
    if (target instanceof QosTarget.MaxMistakesPerDay limit) {
      return forMistakeRate(curves, limit.perDay(), observedSeconds, headroom);
    }
    return forDetectionTime(curves, ((QosTarget.MaxDetectionTime) target).limit().toNanos());
  }

  /**
   * The naive rule, for comparison only: the fastest setting whose observed mistake rate (point
   * estimate) is within the budget, as one would tune by hand from a table. It picks settings at
   * the edge of the budget, which the next hour often exceeds; {@link #recommend} does not.
   */
  public static Recommendation recommendNaive(List<QosCurve> curves, QosTarget target) {
    Objects.requireNonNull(curves, "curves");
    Objects.requireNonNull(target, "target");
    if (!(target instanceof QosTarget.MaxMistakesPerDay limit)) {
      return recommend(curves, target);
    }
    QosCurve anyCurve = curves.stream().filter(c -> !c.points().isEmpty()).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no measured points to choose from"));
    return forMistakeRate(curves, limit.perDay(),
        anyCurve.points().get(0).report().observedNanos() / 1e9, 0);
  }

  /** headroom 0: the naive rule. */
  private static Recommendation forMistakeRate(List<QosCurve> curves, double perDay,
      double observedSeconds, double headroom) {
    boolean naive = headroom == 0;
    double perSecond = perDay / 86_400;
    // Below what zero mistakes can show (3/T with 95% confidence; 1/T for the naive rule).
    double observableRate = (naive ? 1.0 : PoissonBound.upper95(0) * headroom) / observedSeconds;
    boolean tooShort = perSecond < observableRate;
    QosCurve bestCurve = null;
    QosPoint best = null;
    QosCurve fallbackCurve = null;
    QosPoint fallback = null;
    for (QosCurve curve : curves) {
      for (QosPoint point : curve.points()) {
        QosReport report = point.report();
        boolean meets = tooShort ? report.mistakes() == 0
            : naive ? report.mistakeRatePerSecond() <= perSecond
            : MistakeBudget.meets(report.mistakes(), report.observedNanos() / 86_400e9,
                report.worstWindowMistakes(), report.windowNanos() / 86_400e9,
                report.observedNanos() / report.windowNanos(), perDay, headroom);
        if (meets && (best == null || faster(report, best.report()))) {
          best = point;
          bestCurve = curve;
        }
        if (fallback == null || report.mistakes() < fallback.report().mistakes()
            || (report.mistakes() == fallback.report().mistakes() && faster(report, fallback.report()))) {
          fallback = point;
          fallbackCurve = curve;
        }
      }
    }
    String span = span(observedSeconds);
    if (best == null) {
      return new Recommendation(false, fallbackCurve.detector(), fallbackCurve.setting(), fallback,
          String.format("No setting stays under %s mistakes/day on this trace; the fewest was %d"
              + " mistakes in %s (%s = %s).", rate(perDay), fallback.report().mistakes(), span,
              fallbackCurve.setting(), format(fallback.setting())));
    }
    String detail = tooShort
        ? String.format(" The trace covers %s after its warm-up, too short to show %s"
            + " mistakes/day: this setting"
            + " made no mistake in it, which shows a rate below about %s/day (95%% confidence),"
            + " not %s/day. Record a trace of at least %s to show it.",
            span, rate(perDay), rate(PoissonBound.upper95(0) / observedSeconds * 86_400),
            rate(perDay),
            span(observedSeconds * observableRate / perSecond))
        : naive ? String.format(" It made %d mistake%s in %s (%s/day).",
            best.report().mistakes(), best.report().mistakes() == 1 ? "" : "s", span,
            rate(best.report().mistakesPerDay()))
        : String.format(" It made %d mistake%s in %s (%s/day; at most %s/day with 95%%"
            + " confidence, headroom %s; worst %s: %d). Assumes the next hours look like this"
            + " trace's worst: re-tune after a change of load or route, or keep headroom for it.",
            best.report().mistakes(), best.report().mistakes() == 1 ? "" : "s", span,
            rate(best.report().mistakesPerDay()), rate(best.report().mistakesPerDayUpper95()),
            format(headroom), window(best.report().windowNanos()),
            best.report().worstWindowMistakes());
    // Too short a trace shows no rate as low as the budget: the pick is the best it can show,
    // and `met` says it was not shown.
    return new Recommendation(!tooShort, bestCurve.detector(), bestCurve.setting(), best,
        String.format("%s %s mistakes/day: %s with %s = %s, mean detection %.3f s (p99 %.3f s).",
            tooShort ? "Not shown to meet" : "Fastest detection within", rate(perDay),
            bestCurve.detector(), bestCurve.setting(), format(best.setting()),
            best.report().detectionTimeMeanNanos() / 1e9,
            best.report().detectionTimeP99Nanos() / 1e9) + detail);
  }

  private static Recommendation forDetectionTime(List<QosCurve> curves, long limitNanos) {
    QosCurve bestCurve = null;
    QosPoint best = null;
    QosCurve fallbackCurve = null;
    QosPoint fallback = null;
    for (QosCurve curve : curves) {
      for (QosPoint point : curve.points()) {
        QosReport report = point.report();
        if (report.detectionTimeP99Nanos() <= limitNanos && (best == null
            || report.mistakes() < best.report().mistakes()
            || (report.mistakes() == best.report().mistakes() && faster(report, best.report())))) {
          best = point;
          bestCurve = curve;
        }
        if (fallback == null
            || report.detectionTimeP99Nanos() < fallback.report().detectionTimeP99Nanos()) {
          fallback = point;
          fallbackCurve = curve;
        }
      }
    }
    if (best == null) {
      return new Recommendation(false, fallbackCurve.detector(), fallbackCurve.setting(), fallback,
          String.format("No setting detects within %.3f s (99th percentile) on this trace; the"
              + " fastest was %s with %s = %s at %.3f s.", limitNanos / 1e9,
              fallbackCurve.detector(), fallbackCurve.setting(), format(fallback.setting()),
              fallback.report().detectionTimeP99Nanos() / 1e9));
    }
    return new Recommendation(true, bestCurve.detector(), bestCurve.setting(), best,
        String.format("Fewest mistakes while detecting within %.3f s (p99): %s with %s = %s,"
            + " %d mistake%s (%s/day), p99 detection %.3f s.", limitNanos / 1e9,
            bestCurve.detector(), bestCurve.setting(), format(best.setting()),
            best.report().mistakes(), best.report().mistakes() == 1 ? "" : "s",
            rate(best.report().mistakesPerDay()),
            best.report().detectionTimeP99Nanos() / 1e9));
  }

  private static String window(long nanos) {
    return nanos == 3_600_000_000_000L ? "hour"
        : String.format(Locale.ROOT, "%.0f min", nanos / 60e9);
  }

  private static boolean faster(QosReport a, QosReport b) {
    return a.detectionTimeMeanNanos() < b.detectionTimeMeanNanos()
        || (a.detectionTimeMeanNanos() == b.detectionTimeMeanNanos()
            && a.detectionTimeP99Nanos() < b.detectionTimeP99Nanos());
  }

  /**
   * A rate as the advice writes it: up to three significant digits, no trailing zeros (1, 0.5,
   * 36, 12300).
   */
  public static String rate(double value) {
    if (value == 0 || Double.isNaN(value) || Double.isInfinite(value)) {
      return value == 0 ? "0" : Double.toString(value);
    }
    return new BigDecimal(value).round(new MathContext(3)).stripTrailingZeros().toPlainString();
  }

  /**
   * A length of time as the advice writes it, in one unit that reads well: 127.4 s, 35.0 min,
   * 6.2 h, 3.5 days (so one output never says "127.4 s (0.04 h)" and "0.03 h").
   */
  public static String span(double seconds) {
    if (seconds < 120) {
      return String.format(Locale.ROOT, "%.1f s", seconds);
    }
    if (seconds < 120 * 60) {
      return String.format(Locale.ROOT, "%.1f min", seconds / 60);
    }
    if (seconds < 48 * 3600) {
      return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
    }
    return String.format(Locale.ROOT, "%.1f days", seconds / 86_400);
  }

  /** A swept setting's value as the advice writes it, without noise: 48, 0.5, 799.9. */
  public static String format(double setting) {
    return new BigDecimal(Double.toString(setting)).stripTrailingZeros().toPlainString();
  }
}
