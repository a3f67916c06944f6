package dev.failuredetector.cli;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.IntervalEstimator;
import dev.failuredetector.PhiDistribution;
import dev.failuredetector.qos.DelayModel;
import dev.failuredetector.qos.DetectorCandidates;
import dev.failuredetector.qos.HeartbeatTrace;
import dev.failuredetector.qos.QosAdvisor;
import dev.failuredetector.qos.QosCurve;
import dev.failuredetector.qos.QosPoint;
import dev.failuredetector.qos.QosReport;
import dev.failuredetector.qos.QosTarget;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tune}: replays a heartbeat trace through every detector over a range of settings, prints
 * each detector's detection-time versus mistake-rate curve and recommends a setting for a target,
 * with its whole {@link DetectorSpec} and how to apply it. Exit status {@value
 * FailureDetectorCli#OK} when a setting meets the target, {@value FailureDetectorCli#TARGET_NOT_MET}
 * when none does, {@value FailureDetectorCli#USAGE} for bad arguments or an unreadable trace.
 */
@Command(name = "tune", mixinStandardHelpOptions = true,
    versionProvider = FailureDetectorCli.Version.class,
    description = "Replays a heartbeat trace (CSV, optionally gzipped: written by 'node' with"
        + " --record and the export command, or by HeartbeatTrace.write) through every detector"
        + " over a range of settings and recommends the fastest that meets the target.",
    footer = {"", "Durations: 250ms, 1.5s, 2m (units ns us ms s m h); a number alone is"
        + " milliseconds."})
final class TuneCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "TRACE", description = "The trace, .csv or .csv.gz.")
  Path trace;

  @CommandLine.ArgGroup(exclusive = true)
  Target target;

  /** One target, mistakes (default 1/day) or detection time. */
  static final class Target {
    @Option(names = "--max-mistakes-per-day", paramLabel = "N", required = true,
        description = "Target: at most N wrong suspicions a day, then the fastest (default: 1).")
    Double mistakesPerDay;

    @Option(names = "--max-detection-time", paramLabel = "DURATION", required = true,
        converter = DurationConverter.class,
        description = "Target instead: detect within DURATION (99th percentile), fewest mistakes.")
    Duration detectionTime;

    QosTarget toTarget() {
      return mistakesPerDay != null ? QosTarget.maxMistakesPerDay(mistakesPerDay)
          : QosTarget.maxDetectionTime(detectionTime);
    }
  }

  @Option(names = "--interval", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "The sender's heartbeat interval (default: the trace's median interval).")
  Duration interval;

  @Option(names = "--warmup", paramLabel = "N",
      description = "Heartbeats ignored at the start (default: 1000, or a tenth of the trace).")
  Integer warmup;

  @Option(names = "--delay", paramLabel = "BASE,JITTER,LOSS", description = "For a send-only"
      + " trace: the network delay model, e.g. 20ms,5ms,0.001.")
  String delay;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
      description = "Seed of the delay model (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--headroom", paramLabel = "X", defaultValue = "2",
      description = {"Keep a mistake budget's 95%% upper bound X times below it (default:"
          + " ${DEFAULT-VALUE}; 1, the bound alone, detects faster and held the budget out of"
          + " sample less often: see BENCHMARKS.md)."})
  double headroom;

  @Option(names = "--verbose", description = "Print every setting tried, not only each"
      + " detector's best.")
  boolean verbose;

  @Option(names = "--json", paramLabel = "FILE", description = "Write the curves and the"
      + " recommendation as JSON.")
  Path json;

  @Option(names = "--csv", paramLabel = "FILE", description = "Write the curves as CSV, one row"
      + " per setting tried.")
  Path csv;

  @Option(names = "--plot", paramLabel = "FILE.svg", description = "Draw detection time (the"
      + " statistic the pick is made by: mean for a mistake budget, p99 for a detection time"
      + " limit) against mistakes per day, one line per detector, the target and the pick marked"
      + " (SVG).")
  Path plot;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      return run(out);
    } finally {
      out.flush();
    }
  }

  private int run(PrintWriter out) {
    QosTarget qosTarget = target == null ? QosTarget.maxMistakesPerDay(1) : target.toTarget();
    if (!(headroom >= 1) || Double.isInfinite(headroom)) {
      throw new IllegalArgumentException("--headroom must be a finite number >= 1, got "
          + headroom);
    }
    if (warmup != null && warmup < 0) {
      throw new IllegalArgumentException("--warmup must be >= 0, got " + warmup);
    }
    DelayModel delayModel = delay == null ? null : delayModel(delay);
    HeartbeatTrace heartbeats;
    try {
      heartbeats = HeartbeatTrace.read(trace);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("no such file: " + trace);
    } catch (IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    if (!heartbeats.hasArrivals()) {
      if (delayModel == null) {
        throw new IllegalArgumentException(trace + " has send times only; give a delay model with"
            + " --delay BASE,JITTER,LOSS (for example --delay 20ms,5ms,0.001)");
      }
      heartbeats = delayModel.arrivals(heartbeats, seed);
      out.println("Arrivals drawn from the model: " + delayModel + ", seed " + seed);
    }
    Duration gap = interval != null ? interval
        : Duration.ofNanos(Math.max(1, heartbeats.medianIntervalNanos()));
    int skip = warmup != null ? warmup : DetectorCandidates.defaultWarmup(heartbeats);
    if (heartbeats.size() < skip + 2) {
      throw new IllegalArgumentException("the trace has " + heartbeats.size() + " heartbeats, too"
          + " few for a warm-up of " + skip);
    }
    gap = DetectorCandidates.roundedInterval(gap);
    out.printf(Locale.ROOT, "Trace %s: %d heartbeats over %s, interval %s, warm-up %d.%n", trace,
        heartbeats.size(), QosAdvisor.span(heartbeats.durationNanos() / 1e9), format(gap), skip);
    out.println("Target: " + describe(qosTarget) + ".");
    out.println();
    List<QosCurve> curves = DetectorCandidates.sweepAll(heartbeats, gap, skip);
    QosAdvisor.Recommendation advice = QosAdvisor.recommend(curves, qosTarget, headroom);
    if (verbose) {
      for (QosCurve curve : curves) {
        print(curve, out);
      }
    } else {
      printBestOfEach(curves, qosTarget, out);
    }
    boolean atEdge = atEdge(curves, advice);
    out.println((advice.met() ? "Recommendation: " : "Target not met: ") + advice.explanation());
    if (advice.met() && advice.point().spec() != null) {
      DetectorSpec chosen = advice.point().spec();
      out.println();
      // Every setting, so the recommendation is rebuilt exactly (the swept one alone is not enough).
      out.println("Detector spec: " + chosen);
      out.println("Apply it:");
      out.println("  Java:   DetectorSpec.parse(\"" + chosen + "\")   (FailureDetectorRegistry"
          + " or HeartbeatNode builder .detector(...), or registry.reconfigure(...) at run time)");
      out.println("  node:   --interval " + chosen.settings().get("interval") + " --detector '"
          + withoutInterval(chosen) + "'");
      out.println("  Pekko:  in pekko.cluster.failure-detector (with failure-detector-pekko):");
      out.print(pekkoHocon(chosen).replaceAll("(?m)^", "  "));
    }
    if (atEdge) {
      out.println();
      out.println("Note: the pick is at the edge of the sweep (" + advice.setting() + " = "
          + QosAdvisor.format(advice.point().setting()) + ", the "
          + (isFirst(curves, advice) ? "smallest" : "largest") + " tried): a setting beyond it"
          + " was not measured and might be better. See --verbose, or tune that detector by hand.");
    }
    out.println();
    out.println(LEGEND);
    TuneReport report = new TuneReport(trace, heartbeats.size(), gap.toNanos(), skip, qosTarget,
        headroom, curves, advice, atEdge);
    try {
      if (json != null) {
        report.writeJson(json);
        out.println("Wrote " + json);
      }
      if (csv != null) {
        report.writeCsv(csv);
        out.println("Wrote " + csv);
      }
      if (plot != null) {
        QosPlot.write(plot, curves, qosTarget, advice);
        out.println("Wrote " + plot);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot write: " + e.getMessage(), e);
    }
    return advice.met() ? FailureDetectorCli.OK : FailureDetectorCli.TARGET_NOT_MET;
  }

  static final String LEGEND = """
      Legend: T_D, detection time: from a crashed peer's last heartbeat to its suspicion (mean,
        and p99 = 99th percentile, over every heartbeat as a crash point). mistakes: suspicions of
        the live peer in the trace; /day: that rate; at most/day: its 95% upper bound (what the
        trace cannot rule out); worst: mistakes in the worst window (an hour, or a quarter of a
        shorter trace). --verbose adds T_M (mean mistake duration, s) and P_A (probability that
        a query at a random time is right).""";

  private static String describe(QosTarget target) {
    if (target instanceof QosTarget.MaxMistakesPerDay budget) {
      return "at most " + QosAdvisor.rate(budget.perDay()) + " mistakes/day (its 95% upper"
          + " bound, and the worst window), then the fastest detection";
    }
    return "detection within " + ((QosTarget.MaxDetectionTime) target).limit().toMillis()
        + " ms (p99), then the fewest mistakes";
  }

  /** Each detector's own best for the target: the short form of the curves. */
  private void printBestOfEach(List<QosCurve> curves, QosTarget target, PrintWriter out) {
    out.println("Each detector's best setting for the target (--verbose: every setting tried):");
    out.printf(Locale.ROOT, "  %-16s %-22s %10s %10s %9s %9s %12s %6s%n", "detector", "setting",
        "T_D mean", "T_D p99", "mistakes", "/day", "at most/day", "worst");
    for (QosCurve curve : curves) {
      QosAdvisor.Recommendation best = QosAdvisor.recommend(List.of(curve), target, headroom);
      QosReport r = best.point().report();
      out.printf(Locale.ROOT, "  %-16s %-22s %8.3f s %8.3f s %9d %9s %12s %6d%s%n",
          curve.detector(), shortSetting(curve, best.point()), r.detectionTimeMeanNanos() / 1e9,
          r.detectionTimeP99Nanos() / 1e9, r.mistakes(), QosAdvisor.rate(r.mistakesPerDay()),
          QosAdvisor.rate(r.mistakesPerDayUpper95()), r.worstWindowMistakes(),
          best.met() ? "" : "  (misses the target)");
    }
    out.println();
  }

  private static String shortSetting(QosCurve curve, QosPoint point) {
    DetectorSpec spec = point.spec();
    return spec == null ? curve.setting() + "=" + QosAdvisor.format(point.setting())
        : spec.tuningKey() + "=" + spec.settings().get(spec.tuningKey());
  }

  private static boolean atEdge(List<QosCurve> curves, QosAdvisor.Recommendation advice) {
    for (QosCurve curve : curves) {
      List<QosPoint> points = curve.points();
      if (points.contains(advice.point())) {
        return points.get(0) == advice.point() || points.get(points.size() - 1) == advice.point();
      }
    }
    return false;
  }

  private static boolean isFirst(List<QosCurve> curves, QosAdvisor.Recommendation advice) {
    return curves.stream().anyMatch(c -> !c.points().isEmpty() && c.points().get(0) == advice.point());
  }

  /** The spec's text without {@code interval}, for {@code node --detector}. */
  static String withoutInterval(DetectorSpec spec) {
    // From the spec's own text, so that what it leaves out (phi's default estimator) stays out.
    String text = spec.toString();
    int colon = text.indexOf(':');
    StringBuilder out = new StringBuilder(text.substring(0, colon));
    char separator = ':';
    for (String setting : text.substring(colon + 1).split(",")) {
      if (!setting.startsWith("interval=")) {
        out.append(separator).append(setting);
        separator = ',';
      }
    }
    return out.toString();
  }

  /**
   * The HOCON that gives {@code spec} to Pekko through {@code PekkoFailureDetector}: Pekko's own
   * keys for its phi detector (logistic, with Pekko's rule {@code learn-suspicions=false}: what
   * those keys mean there), otherwise {@code detector = "..."}; the interval always as {@code
   * heartbeat-interval}.
   */
  static String pekkoHocon(DetectorSpec spec) {
    StringBuilder hocon = new StringBuilder();
    hocon.append("  implementation-class = \"dev.failuredetector.pekko.PekkoFailureDetector\"\n");
    Map<String, String> settings = spec.settings();
    hocon.append("  heartbeat-interval = ").append(hoconDuration(settings.get("interval")))
        .append('\n');
    if (spec instanceof DetectorSpec.Phi phi && phi.distribution() == PhiDistribution.LOGISTIC
        && !phi.learnSuspicions() && phi.estimator() == IntervalEstimator.WINDOW) {
      hocon.append("  threshold = ").append(settings.get("threshold")).append('\n')
          .append("  max-sample-size = ").append(settings.get("window")).append('\n')
          .append("  min-std-deviation = ").append(hoconDuration(settings.get("min-std")))
          .append('\n')
          .append("  acceptable-heartbeat-pause = ").append(hoconDuration(settings.get("pause")))
          .append('\n');
    } else {
      hocon.append("  detector = \"").append(withoutInterval(spec)).append("\"\n");
    }
    return hocon.toString();
  }

  /** {@code 200ms} as HOCON writes it, {@code 200 ms} (HOCON has no "us": microseconds). */
  private static String hoconDuration(String text) {
    return text.replaceAll("^([0-9.]+)(ns|us|ms|s|m|h)$", "$1 $2").replace(" us", " micros");
  }

  static void print(QosCurve curve, PrintWriter out) {
    out.printf(Locale.ROOT, "%s, by %s%n", curve.detector(), curve.setting());
    out.printf(Locale.ROOT, "  %14s %11s %11s %9s %9s %12s %6s %10s %10s%n", "setting",
        "T_D mean s", "T_D p99 s", "mistakes", "/day", "at most/day", "worst", "T_M s", "P_A");
    for (QosPoint point : curve.points()) {
      QosReport r = point.report();
      out.printf(Locale.ROOT, "  %14s %11.4f %11.4f %9d %9s %12s %6d %10.4f %10.7f%n",
          QosAdvisor.format(point.setting()), r.detectionTimeMeanNanos() / 1e9,
          r.detectionTimeP99Nanos() / 1e9, r.mistakes(), QosAdvisor.rate(r.mistakesPerDay()),
          QosAdvisor.rate(r.mistakesPerDayUpper95()), r.worstWindowMistakes(),
          r.meanMistakeDurationNanos() / 1e9, r.queryAccuracy());
    }
    out.println();
  }

  private static String format(Duration duration) {
    return String.format(Locale.ROOT, "%.3f ms", duration.toNanos() / 1e6);
  }

  private static DelayModel delayModel(String text) {
    String[] parts = text.split(",");
    if (parts.length != 3) {
      throw new IllegalArgumentException("--delay expects BASE,JITTER,LOSS such as"
          + " 20ms,5ms,0.001, got '" + text + "'");
    }
    try {
      return new DelayModel(DurationConverter.parse(parts[0]), DurationConverter.parse(parts[1]),
          Double.parseDouble(parts[2]));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--delay expects BASE,JITTER,LOSS such as"
          + " 20ms,5ms,0.001, got '" + text + "'", e);
    }
  }
}
