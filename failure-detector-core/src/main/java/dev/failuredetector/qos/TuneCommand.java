package dev.failuredetector.qos;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.PhiDistribution;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code tune}: replays a heartbeat trace through every detector over a range of settings, prints
 * each detector's detection-time versus mistake-rate curve and recommends a setting for a target.
 *
 * <pre>
 * java -cp failure-detector-core.jar dev.failuredetector.qos.TuneCommand TRACE.csv[.gz]
 *     [--max-mistakes-per-day N | --max-detection-time DURATION]
 *     [--interval DURATION] [--warmup N] [--delay BASE,JITTER,LOSS] [--seed N]
 * </pre>
 * Durations are written like {@code 250ms}, {@code 1.5s}, {@code 2m}. Exit status 0 when a
 * setting meets the target, 1 when none does, 2 for bad arguments or an unreadable trace.
 */
public final class TuneCommand {

  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|ms|s|m|h)");
  private static final String USAGE = """
      usage: tune TRACE.csv[.gz] [options]
        --max-mistakes-per-day N     target: at most N wrong suspicions a day (default 1)
        --max-detection-time D       target instead: detect within D (99th percentile), e.g. 2s
        --interval D                 the sender's heartbeat interval (default: median interval)
        --warmup N                   heartbeats ignored at the start (default: 1000, or a tenth)
        --delay BASE,JITTER,LOSS     for send-only traces: network delay model, e.g. 20ms,5ms,0.01
        --seed N                     seed of the delay model (default 1)
      """;

  private TuneCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command; returns the exit status. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("tune: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    if (options == null) {
      out.print(USAGE);
      return 0;
    }
    HeartbeatTrace trace;
    try {
      trace = HeartbeatTrace.read(options.trace);
    } catch (NoSuchFileException e) {
      err.println("tune: no such file: " + options.trace);
      return 2;
    } catch (IOException e) {
      err.println("tune: " + e.getMessage());
      return 2;
    }
    if (!trace.hasArrivals()) {
      if (options.delay == null) {
        err.println("tune: " + options.trace + " has send times only; give a delay model with"
            + " --delay BASE,JITTER,LOSS (for example --delay 20ms,5ms,0.001)");
        return 2;
      }
      trace = options.delay.arrivals(trace, options.seed);
      out.println("Arrivals drawn from the model: " + options.delay + ", seed " + options.seed);
    }
    Duration interval = options.interval != null ? options.interval
        : Duration.ofNanos(Math.max(1, trace.medianIntervalNanos()));
    int warmup = options.warmup >= 0 ? options.warmup : DetectorCandidates.defaultWarmup(trace);
    if (trace.size() < warmup + 2) {
      err.println("tune: the trace has " + trace.size() + " heartbeats, too few for a warm-up of "
          + warmup);
      return 2;
    }
    out.printf(Locale.ROOT, "Trace %s: %d heartbeats over %.1f s, interval %s, warm-up %d.%n%n",
        options.trace, trace.size(), trace.durationNanos() / 1e9, format(interval), warmup);
    List<QosCurve> curves = DetectorCandidates.sweepAll(trace, interval, warmup);
    for (QosCurve curve : curves) {
      print(curve, out);
    }
    QosAdvisor.Recommendation advice = QosAdvisor.recommend(curves, options.target);
    out.println((advice.met() ? "Recommendation: " : "Target not met: ") + advice.explanation());
    if (advice.met() && advice.point().spec() != null) {
      // Every setting, so the recommendation is rebuilt exactly (the swept one alone is not enough).
      out.println("Detector spec: " + advice.point().spec());
      out.println("Apply with: --detector " + advice.point().spec()
          + "  or  DetectorSpec.parse(\"" + advice.point().spec() + "\")");
      out.println("In Pekko (pekko.cluster.failure-detector, with failure-detector-pekko):");
      out.print(pekkoHocon(advice.point().spec()));
    }
    return advice.met() ? 0 : 1;
  }

  /**
   * The HOCON that gives {@code spec} to Pekko through {@code PekkoFailureDetector}: Pekko's own
   * keys for its phi detector (the logistic one), otherwise {@code detector = "..."}; the interval
   * always as {@code heartbeat-interval}.
   */
  static String pekkoHocon(DetectorSpec spec) {
    StringBuilder hocon = new StringBuilder();
    hocon.append("  implementation-class = \"dev.failuredetector.pekko.PekkoFailureDetector\"\n");
    java.util.Map<String, String> settings = spec.settings();
    hocon.append("  heartbeat-interval = ").append(hoconDuration(settings.get("interval")))
        .append('\n');
    if (spec instanceof DetectorSpec.Phi phi && phi.distribution() == PhiDistribution.LOGISTIC) {
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

  static void print(QosCurve curve, PrintStream out) {
    out.printf(Locale.ROOT, "%s, by %s%n", curve.detector(), curve.setting());
    out.printf(Locale.ROOT, "  %14s %11s %11s %9s %12s %10s %10s%n", "setting", "T_D mean s",
        "T_D p99 s", "mistakes", "mistakes/day", "T_M s", "P_A");
    for (QosPoint point : curve.points()) {
      QosReport r = point.report();
      out.printf(Locale.ROOT, "  %14s %11.4f %11.4f %9d %12.4g %10.4f %10.7f%n",
          QosAdvisor.format(point.setting()), r.detectionTimeMeanNanos() / 1e9,
          r.detectionTimeP99Nanos() / 1e9, r.mistakes(), r.mistakesPerDay(),
          r.meanMistakeDurationNanos() / 1e9, r.queryAccuracy());
    }
    out.println();
  }

  private static String format(Duration duration) {
    return String.format(Locale.ROOT, "%.3f ms", duration.toNanos() / 1e6);
  }

  /** Parses {@code 250ms}, {@code 1.5s}, ... */
  static Duration parseDuration(String option, String text) {
    Matcher matcher = DURATION.matcher(text.trim());
    if (!matcher.matches()) {
      throw new IllegalArgumentException(option + " expects a duration such as 250ms or 1.5s, got '"
          + text + "'");
    }
    double amount = Double.parseDouble(matcher.group(1));
    double nanosPerUnit = switch (matcher.group(2)) {
      case "ns" -> 1;
      case "us" -> 1e3;
      case "ms" -> 1e6;
      case "s" -> 1e9;
      case "m" -> 60e9;
      default -> 3600e9;
    };
    return Duration.ofNanos(Math.round(amount * nanosPerUnit));
  }

  private static final class Options {
    Path trace;
    QosTarget target = QosTarget.maxMistakesPerDay(1);
    Duration interval;
    int warmup = -1;
    DelayModel delay;
    long seed = 1;

    /** Returns null for --help. */
    static Options parse(String[] args) {
      Options options = new Options();
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        switch (arg) {
          case "-h", "--help" -> {
            return null;
          }
          case "--max-mistakes-per-day" -> options.target =
              QosTarget.maxMistakesPerDay(number(arg, value(args, ++i, arg)));
          case "--max-detection-time" -> options.target =
              QosTarget.maxDetectionTime(parseDuration(arg, value(args, ++i, arg)));
          case "--interval" -> options.interval = parseDuration(arg, value(args, ++i, arg));
          case "--warmup" -> options.warmup = (int) wholeNumber(arg, value(args, ++i, arg));
          case "--seed" -> options.seed = wholeNumber(arg, value(args, ++i, arg));
          case "--delay" -> options.delay = delay(value(args, ++i, arg));
          default -> {
            if (arg.startsWith("-")) {
              throw new IllegalArgumentException("unknown option " + arg);
            }
            if (options.trace != null) {
              throw new IllegalArgumentException("one trace file only, got " + options.trace
                  + " and " + arg);
            }
            options.trace = Path.of(arg);
          }
        }
      }
      if (options.trace == null) {
        throw new IllegalArgumentException("missing the trace file");
      }
      if (options.warmup < -1) {
        throw new IllegalArgumentException("--warmup must be >= 0, got " + options.warmup);
      }
      return options;
    }

    private static String value(String[] args, int index, String option) {
      if (index >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[index];
    }

    private static double number(String option, String text) {
      try {
        return Double.parseDouble(text);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(option + " expects a number, got '" + text + "'");
      }
    }

    private static long wholeNumber(String option, String text) {
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(option + " expects a whole number, got '" + text + "'");
      }
    }

    private static DelayModel delay(String text) {
      String[] parts = text.split(",");
      if (parts.length != 3) {
        throw new IllegalArgumentException("--delay expects BASE,JITTER,LOSS such as"
            + " 20ms,5ms,0.001, got '" + text + "'");
      }
      return new DelayModel(parseDuration("--delay", parts[0]), parseDuration("--delay", parts[1]),
          number("--delay", parts[2]));
    }
  }
}
