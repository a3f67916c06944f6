package dev.failuredetector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failuredetector.qos.DelayModel;
import dev.failuredetector.qos.SyntheticTrace;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tune} in this JVM, through the tool's own command line (exit codes, messages). */
class TuneCommandTest {

  @TempDir
  Path dir;

  private StringWriter out = new StringWriter();
  private StringWriter err = new StringWriter();
  private Path trace;

  @BeforeEach
  void writeTrace() throws IOException {
    trace = dir.resolve("trace.csv.gz");
    SyntheticTrace.builder().duration(Duration.ofMinutes(5))
        .delay(new DelayModel(Duration.ofMillis(2), Duration.ofMillis(1), 0.001))
        .senderPause(Duration.ofMinutes(2), Duration.ofMillis(800))
        .seed(5).build().write(trace);
  }

  private int run(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    String[] command = new String[args.length + 1];
    command[0] = "tune";
    System.arraycopy(args, 0, command, 1, args.length);
    return FailureDetectorCli.commandLine().setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true)).execute(command);
  }

  private String out() {
    return out.toString();
  }

  private String err() {
    return err.toString();
  }

  @Test
  void shortByDefault_eachDetectorsBest_aLegend_howToApply() {
    int status = run(trace.toString(), "--max-mistakes-per-day", "5000");
    assertThat(status).as(err()).isZero();
    assertThat(out()).contains("Each detector's best setting for the target", "Legend: T_D",
        "Apply it:", "  Java:   DetectorSpec.parse(")
        .containsPattern("  node:   --interval \\d+(us|ms) --detector '")
        .doesNotContain("phi, by threshold");
    assertThat(out().lines().count()).as(out()).isLessThan(40);
    for (String kind : dev.failuredetector.DetectorSpec.KINDS) {
      assertThat(out()).containsPattern("(?m)^  " + kind + " +\\S+=");
    }
  }

  @Test
  void verbose_printsEveryCurve_andARecommendation() {
    int status = run(trace.toString(), "--max-detection-time", "400ms", "--verbose");
    assertThat(status).as(err()).isZero();
    assertThat(out()).contains("2997 heartbeats", "warm-up 299") // 3 of 3000 lost (0.1%)
        .contains("phi, by threshold", "phi-normal, by threshold",
            "phi-exponential, by threshold", "chen, by margin (ms)",
            "bertier, by variance-weight", "two-window, by margin (ms)",
            "deadline, by pause (ms)")
        .contains("Recommendation: Fewest mistakes while detecting within 0.400 s (p99)");
    // The whole spec is printed, and it parses back to a detector that reproduces the point.
    java.util.regex.Matcher spec =
        java.util.regex.Pattern.compile("Detector spec: (\\S+)").matcher(out());
    assertThat(spec.find()).as(out()).isTrue();
    assertThat(dev.failuredetector.DetectorSpec.parse(spec.group(1)).toString())
        .isEqualTo(spec.group(1));
    assertThat(out()).contains("  Java:   DetectorSpec.parse(\"" + spec.group(1) + "\")");
    dev.failuredetector.DetectorSpec chosen = dev.failuredetector.DetectorSpec.parse(spec.group(1));
    assertThat(out()).contains("  node:   --interval " + chosen.settings().get("interval")
        + " --detector '" + TuneCommand.withoutInterval(chosen) + "'");
    assertThat(out()).contains("  Pekko:  in pekko.cluster.failure-detector (with"
        + " failure-detector-pekko):", "    heartbeat-interval = ");
  }

  @Test
  void jsonAndCsv_holdEveryCurve_andTheRecommendation() throws IOException {
    Path json = dir.resolve("tune.json");
    Path csv = dir.resolve("tune.csv");
    assertThat(run(trace.toString(), "--max-mistakes-per-day", "5000", "--json", json.toString(),
        "--csv", csv.toString())).as(err()).isZero();
    String text = Files.readString(json);
    assertThat(text).startsWith("{\n  \"trace\": {\"file\": ").contains(
        "\"target\": {\"maxMistakesPerDay\": 5000, \"headroom\": 2}",
        "\"recommendation\": {\"met\": true", "\"curves\": [", "\"mistakesPerDayUpper95\": ");
    java.util.regex.Matcher spec = java.util.regex.Pattern.compile(
        "\"recommendation\": \\{[^}]*\"spec\": \"([^\"]+)\"").matcher(text);
    assertThat(spec.find()).as(text).isTrue();
    assertThat(out()).contains("Detector spec: " + spec.group(1));
    // Balanced braces and brackets: a JSON reader would take it (no string holds one).
    assertThat(text.chars().filter(c -> c == '{').count())
        .isEqualTo(text.chars().filter(c -> c == '}').count());
    List<String> rows = Files.readAllLines(csv);
    assertThat(rows.get(0)).startsWith("detector,setting,value,spec,detection_mean_s,");
    // one row per setting tried: 17 thresholds x 3 phi kinds + bertier's 12 + the margins
    assertThat(rows).hasSizeGreaterThan(1 + 3 * 17 + 12);
    assertThat(rows).anyMatch(row -> row.contains(spec.group(1)));
  }

  @Test
  void plot_rendersToAnImageThatIsNotBlank() throws Exception {
    Path svg = dir.resolve("tune.svg");
    assertThat(run(trace.toString(), "--max-mistakes-per-day", "5000", "--plot", svg.toString()))
        .as(err()).isZero();
    String text = Files.readString(svg);
    assertThat(text).contains("<svg", "<polyline", "<circle", "target 5000/day", "chosen: ",
        "Detection time (mean) against mistakes per day");
    // The circle sits on the chosen detector's line, at the statistic the pick was made by.
    java.util.regex.Matcher circle = java.util.regex.Pattern
        .compile("<circle cx=\"([\\d.]+)\" cy=\"([\\d.]+)\"").matcher(text);
    assertThat(circle.find()).isTrue();
    String at = circle.group(1) + "," + circle.group(2);
    assertThat(text).as("a polyline vertex at the circle").containsPattern(
        "points=\"([^\"]* )?" + java.util.regex.Pattern.quote(at) + "[ \"]");
    java.io.File rsvg = new java.io.File("/usr/bin/rsvg-convert");
    org.junit.jupiter.api.Assumptions.assumeTrue(rsvg.canExecute(),
        "rsvg-convert (Debian librsvg2-bin) is not installed: the SVG is not rasterised");
    Path png = dir.resolve("tune.png");
    Process process = new ProcessBuilder(rsvg.getPath(), "-o", png.toString(), svg.toString())
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor()).as(output).isZero();
    java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(860);
    long inked = 0;
    Set<Integer> colors = new HashSet<>();
    for (int x = 0; x < image.getWidth(); x++) {
      for (int y = 0; y < image.getHeight(); y++) {
        int rgb = image.getRGB(x, y) & 0xffffff;
        if (rgb != 0xffffff) {
          inked++;
          colors.add(rgb);
        }
      }
    }
    assertThat(inked).as("pixels drawn").isGreaterThan(5_000);
    assertThat(colors.size()).as("colours: axes, text and seven lines").isGreaterThan(10);
  }

  @Test
  void headroom_belowOne_isRefused() {
    assertThat(run(trace.toString(), "--headroom", "0.5")).isEqualTo(2);
    assertThat(err()).startsWith("failure-detector tune: --headroom must be a finite number >= 1,"
        + " got 0.5");
  }

  @Test
  void pekkoHocon_pekkosKeysForItsPhi_aDetectorKeyForTheOthers() {
    assertThat(TuneCommand.pekkoHocon(dev.failuredetector.DetectorSpec.parse(
        "phi:interval=100ms,threshold=3,pause=0s,min-std=10ms,learn-suspicions=false")))
        .isEqualTo(
        "  implementation-class = \"dev.failuredetector.pekko.PekkoFailureDetector\"\n"
            + "  heartbeat-interval = 100 ms\n  threshold = 3\n  max-sample-size = 1000\n"
            + "  min-std-deviation = 10 ms\n  acceptable-heartbeat-pause = 0 s\n");
    assertThat(TuneCommand.pekkoHocon(dev.failuredetector.DetectorSpec.parse(
        "phi:interval=100ms,threshold=3"))).isEqualTo(
        "  implementation-class = \"dev.failuredetector.pekko.PekkoFailureDetector\"\n"
            + "  heartbeat-interval = 100 ms\n  detector = \"phi:threshold=3,window=1000,"
            + "min-std=100ms,pause=3s,learn-suspicions=true\"\n");
    // the windowless estimator is not Pekko's: it travels in the detector key, named
    assertThat(TuneCommand.pekkoHocon(dev.failuredetector.DetectorSpec.parse(
        "phi:interval=100ms,threshold=3,learn-suspicions=false,estimator=ewma"))).isEqualTo(
        "  implementation-class = \"dev.failuredetector.pekko.PekkoFailureDetector\"\n"
            + "  heartbeat-interval = 100 ms\n  detector = \"phi:threshold=3,window=1000,"
            + "min-std=100ms,pause=3s,learn-suspicions=false,estimator=ewma\"\n");
    assertThat(TuneCommand.pekkoHocon(dev.failuredetector.DetectorSpec.parse(
        "chen:interval=100ms,margin=250us"))).isEqualTo(
        "  implementation-class = \"dev.failuredetector.pekko.PekkoFailureDetector\"\n"
            + "  heartbeat-interval = 100 ms\n  detector = \"chen:window=1000,margin=250us\"\n");
  }

  @Test
  void aTargetTheTraceIsTooShortToShow_isNotMet_andExitsWithOne() throws IOException {
    Path json = dir.resolve("short.json");
    assertThat(run(trace.toString(), "--json", json.toString())).isEqualTo(1); // 1/day, 5 min
    assertThat(out()).contains("Target not met: Not shown to meet 1 mistakes/day",
        "The trace covers 4.5 min after its warm-up, too short to show 1 mistakes/day",
        "Trace " + trace + ": 2997 heartbeats over 5.0 min");
    assertThat(Files.readString(json)).contains("\"recommendation\": {\"met\": false");
  }

  @Test
  void unreachableTarget_exitsWithOne() {
    assertThat(run(trace.toString(), "--max-detection-time", "1ms")).isEqualTo(1);
    assertThat(out()).contains("Target not met: No setting detects within 0.001 s");
  }

  @Test
  void sendOnlyTrace_needsADelayModel() throws IOException {
    Path sends = dir.resolve("sends.csv");
    Files.writeString(sends, "seq,send_ns\n" + lines(2000));
    assertThat(run(sends.toString())).isEqualTo(2);
    assertThat(err()).contains("has send times only; give a delay model with --delay");
    assertThat(run(sends.toString(), "--delay", "20ms,5ms,0.001", "--warmup", "100",
        "--max-mistakes-per-day", "50000")).as(out()).isZero();
    assertThat(out()).contains("Arrivals drawn from the model: delay 20.0 ms + Exp(mean 5.0 ms)");
  }

  private static String lines(int count) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < count; i++) {
      text.append(i).append(',').append(i * 100_000_000L).append('\n');
    }
    return text.toString();
  }

  @Test
  void badInput_exitsWithTwoAndAClearMessage() throws IOException {
    assertThat(run(dir.resolve("nope.csv").toString())).isEqualTo(2);
    assertThat(err()).isEqualTo("failure-detector tune: no such file: " + dir.resolve("nope.csv")
        + "\nTry 'failure-detector tune --help' for more information.\n");

    Path bad = dir.resolve("bad.csv");
    Files.writeString(bad, "seq,arrival_ns\n1,100\n2,x\n");
    assertThat(run(bad.toString())).isEqualTo(2);
    assertThat(err()).contains(bad + ":3: arrival_ns is not a whole number: 'x'");

    assertThat(run(trace.toString(), "--frobnicate")).isEqualTo(2);
    assertThat(err()).startsWith("failure-detector tune: Unknown option: '--frobnicate'");
    assertThat(run(trace.toString(), "--max-detection-time", "soon")).isEqualTo(2);
    assertThat(err()).contains("'--max-detection-time'", "expected a duration such as 250ms or"
        + " 1.5s (a number alone is milliseconds), got 'soon'");
    assertThat(run(trace.toString(), "--max-detection-time", "1s", "--max-mistakes-per-day", "1"))
        .isEqualTo(2);
    assertThat(err()).contains("mutually exclusive");
    assertThat(run(trace.toString(), "--warmup", "-3")).isEqualTo(2);
    assertThat(err()).contains("--warmup must be >= 0, got -3");
    assertThat(run(trace.toString(), "--delay", "20ms,5ms")).isEqualTo(2);
    assertThat(err()).contains("--delay expects BASE,JITTER,LOSS such as 20ms,5ms,0.001, got"
        + " '20ms,5ms'");
    assertThat(run()).isEqualTo(2);
    assertThat(err()).contains("Missing required parameter: 'TRACE'");
  }

  @Test
  void help_printsUsage() {
    assertThat(run("--help")).isZero();
    assertThat(out()).startsWith("Usage: failure-detector tune [-hV]")
        .contains("--max-mistakes-per-day=N", "--max-detection-time=DURATION", "TRACE");
  }

  @Test
  void durations_parse() {
    assertThat(DurationConverter.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(DurationConverter.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(DurationConverter.parse("10us")).isEqualTo(Duration.ofNanos(10_000));
    assertThat(DurationConverter.parse("100")).isEqualTo(Duration.ofMillis(100));
  }
}
