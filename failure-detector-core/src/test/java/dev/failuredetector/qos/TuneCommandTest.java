package dev.failuredetector.qos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TuneCommandTest {

  @TempDir
  Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
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
    return TuneCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void printsEveryCurve_andARecommendation() {
    int status = run(trace.toString(), "--max-detection-time", "400ms");
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
    assertThat(out()).contains("Apply with: --detector " + spec.group(1));
    assertThat(out()).contains("In Pekko (pekko.cluster.failure-detector, with"
        + " failure-detector-pekko):", "  heartbeat-interval = ");
  }

  @Test
  void pekkoHocon_pekkosKeysForItsPhi_aDetectorKeyForTheOthers() {
    assertThat(TuneCommand.pekkoHocon(dev.failuredetector.DetectorSpec.parse(
        "phi:interval=100ms,threshold=3,pause=0s,min-std=10ms"))).isEqualTo(
        "  implementation-class = \"dev.failuredetector.pekko.PekkoFailureDetector\"\n"
            + "  heartbeat-interval = 100 ms\n  threshold = 3\n  max-sample-size = 1000\n"
            + "  min-std-deviation = 10 ms\n  acceptable-heartbeat-pause = 0 s\n");
    assertThat(TuneCommand.pekkoHocon(dev.failuredetector.DetectorSpec.parse(
        "chen:interval=100ms,margin=250us"))).isEqualTo(
        "  implementation-class = \"dev.failuredetector.pekko.PekkoFailureDetector\"\n"
            + "  heartbeat-interval = 100 ms\n  detector = \"chen:window=1000,margin=250us\"\n");
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
    assertThat(run(sends.toString(), "--delay", "20ms,5ms,0.001", "--warmup", "100")).isZero();
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
    assertThat(err()).contains("tune: no such file: " + dir.resolve("nope.csv"));

    Path bad = dir.resolve("bad.csv");
    Files.writeString(bad, "seq,arrival_ns\n1,100\n2,x\n");
    assertThat(run(bad.toString())).isEqualTo(2);
    assertThat(err()).contains(bad + ":3: arrival_ns is not a whole number: 'x'");

    assertThat(run(trace.toString(), "--frobnicate")).isEqualTo(2);
    assertThat(err()).contains("tune: unknown option --frobnicate", "usage: tune");
    assertThat(run(trace.toString(), "--max-detection-time", "soon")).isEqualTo(2);
    assertThat(err()).contains("--max-detection-time expects a duration such as 250ms or 1.5s");
    assertThat(run()).isEqualTo(2);
    assertThat(err()).contains("missing the trace file");
  }

  @Test
  void help_printsUsage() {
    assertThat(run("--help")).isZero();
    assertThat(out()).startsWith("usage: tune TRACE.csv[.gz]");
  }

  @Test
  void durations_parse() {
    assertThat(TuneCommand.parseDuration("x", "250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(TuneCommand.parseDuration("x", "1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(TuneCommand.parseDuration("x", "2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(TuneCommand.parseDuration("x", "10us")).isEqualTo(Duration.ofNanos(10_000));
  }
}
