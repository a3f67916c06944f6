package dev.failuredetector.cli;

import dev.failuredetector.DetectorSpec;
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
    out.printf(Locale.ROOT, "Trace %s: %d heartbeats over %.1f s, interval %s, warm-up %d.%n%n",
        trace, heartbeats.size(), heartbeats.durationNanos() / 1e9, format(gap), skip);
    List<QosCurve> curves = DetectorCandidates.sweepAll(heartbeats, gap, skip);
    for (QosCurve curve : curves) {
      print(curve, out);
    }
    QosAdvisor.Recommendation advice = QosAdvisor.recommend(curves, qosTarget);
    out.println((advice.met() ? "Recommendation: " : "Target not met: ") + advice.explanation());
    if (advice.met() && advice.point().spec() != null) {
      // Every setting, so the recommendation is rebuilt exactly (the swept one alone is not enough).
      out.println("Detector spec: " + advice.point().spec());
      out.println("Apply with: --detector " + advice.point().spec()
          + "  or  DetectorSpec.parse(\"" + advice.point().spec() + "\")");
      out.println("In Pekko (pekko.cluster.failure-detector, with failure-detector-pekko):");
      out.print(pekkoHocon(advice.point().spec()));
    }
    return advice.met() ? FailureDetectorCli.OK : FailureDetectorCli.TARGET_NOT_MET;
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
    java.util.Map<String, String> settings = spec.settings();
    hocon.append("  heartbeat-interval = ").append(hoconDuration(settings.get("interval")))
        .append('\n');
    if (spec instanceof DetectorSpec.Phi phi && phi.distribution() == PhiDistribution.LOGISTIC
        && !phi.learnSuspicions()) {
      hocon.append("  threshold = ").append(settings.get("threshold")).append('\n')
          .append("  max-sample-size = ").append(settings.get("window")).append('\n')
          .append("  min-std-deviation = ").append(hoconDuration(settings.get("min-std")))
          .append('\n')
          .append("  acceptable-heartbeat-pause = ").append(hoconDuration(settings.get("pause")))
          .append('\n');
    } else {
      StringBuilder text = new StringBuilder(spec.kind());
      char separator = ':';
      for (java.util.Map.Entry<String, String> setting : settings.entrySet()) {
        if (!setting.getKey().equals("interval")) {
          text.append(separator).append(setting.getKey()).append('=').append(setting.getValue());
          separator = ',';
        }
      }
      hocon.append("  detector = \"").append(text).append("\"\n");
    }
    return hocon.toString();
  }

  /** {@code 200ms} as HOCON writes it, {@code 200 ms} (HOCON has no "us": microseconds). */
  private static String hoconDuration(String text) {
    return text.replaceAll("^([0-9.]+)(ns|us|ms|s|m|h)$", "$1 $2").replace(" us", " micros");
  }

  static void print(QosCurve curve, PrintWriter out) {
    out.printf(Locale.ROOT, "%s, by %s%n", curve.detector(), curve.setting());
    out.printf(Locale.ROOT, "  %14s %11s %11s %9s %12s %10s %10s%n", "setting", "T_D mean s",
        "T_D p99 s", "mistakes", "mistakes/day", "T_M s", "P_A");
    for (QosPoint point : curve.points()) {
      QosReport r = point.report();
      out.printf(Locale.ROOT, "  %14s %11.4f %11.4f %9d %12.4g %10.4f %10.7f%n",
          setting(point.setting()), r.detectionTimeMeanNanos() / 1e9,
          r.detectionTimeP99Nanos() / 1e9, r.mistakes(), r.mistakesPerDay(),
          r.meanMistakeDurationNanos() / 1e9, r.queryAccuracy());
    }
    out.println();
  }

  private static String setting(double setting) {
    return setting == Math.rint(setting) && Math.abs(setting) < 1e15
        ? Long.toString((long) setting) : Double.toString(setting);
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
