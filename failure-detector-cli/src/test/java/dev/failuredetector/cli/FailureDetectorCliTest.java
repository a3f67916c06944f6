package dev.failuredetector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** {@code java -jar failure-detector.jar} as a user first meets it: usage, version, exit codes. */
class FailureDetectorCliTest {

  @Test
  void help_listsTheCommandsAndTheExitCodes() throws Exception {
    CliRun run = CliRun.of("--help");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.err()).isEmpty();
    assertThat(run.out()).startsWith("Usage: failure-detector [-hV] COMMAND")
        .contains("  node  ", "  tune  ", "  demo  ", "Exit status:", "  0   success",
            "  1   tune: no setting meets the target", "  2   bad command line or input",
            "  3   failed while running");
  }

  @Test
  void version_namesThisBuildNettyAndJava() throws Exception {
    CliRun run = CliRun.of("--version");
    assertThat(run.status()).isZero();
    assertThat(run.out()).matches("(?s)failure-detector \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\n"
        + "Netty 4\\.\\d+\\.\\d+\\.Final, Java \\S+ .*\\n");
  }

  @Test
  void noCommand_orAnUnknownOne_isAUsageError_inTwoLines() throws Exception {
    CliRun none = CliRun.of();
    assertThat(none.status()).isEqualTo(2);
    assertThat(none.out()).isEmpty();
    assertThat(none.err()).isEqualTo("failure-detector: missing a command: node, tune or demo\n"
        + "Try 'failure-detector --help' for more information.\n");
    CliRun unknown = CliRun.of("nodes");
    assertThat(unknown.status()).isEqualTo(2);
    assertThat(unknown.err()).startsWith("failure-detector: Unmatched argument at index 0:"
        + " 'nodes'");
  }

  @Test
  void everyCommandHasHelp_nodeListsItsStdinProtocol() throws Exception {
    CliRun node = CliRun.of("node", "--help");
    assertThat(node.status()).as(node.err()).isZero();
    assertThat(node.out()).startsWith("Usage: failure-detector node [-hV]")
        .contains("--id=ID", "--peer=ID=HOST:PORT", "--detector=SPEC", "--key-file=PATH",
            "--insecure", "--http=HOST:PORT", "stdin commands:", "tune <peer> <max/day>",
            "FD_KEY=keyId:hex")
        .doesNotContain("--key=");
    assertThat(node.err()).as("picocli formats help text: a bare %% warns here").isEmpty();
    CliRun help = CliRun.of("help", "tune");
    assertThat(help.status()).isZero();
    assertThat(help.err()).isEmpty();
    assertThat(help.out()).contains("95% upper bound");
    assertThat(help.out()).startsWith("Usage: failure-detector tune [-hV]");
    CliRun demo = CliRun.of("demo", "--help");
    assertThat(demo.status()).isZero();
    assertThat(demo.out()).startsWith("Usage: failure-detector demo [-hV] [udp|tcp]");
    assertThat(demo.err()).isEmpty();
  }

  @Test
  void node_badSettings_exitTwo_withTheSettingAndValue() throws Exception {
    CliRun port = CliRun.of("node", "--id", "a", "--insecure", "--bind", "127.0.0.1:70000");
    assertThat(port.status()).isEqualTo(2);
    assertThat(port.err()).startsWith("failure-detector node: --bind must be host:port (port"
        + " 0-65535), got 127.0.0.1:70000\n");
    CliRun interval = CliRun.of("node", "--id", "a", "--insecure", "--interval", "soon");
    assertThat(interval.status()).isEqualTo(2);
    assertThat(interval.err()).contains("'--interval'", "got 'soon'");
    CliRun spec = CliRun.of("node", "--id", "a", "--insecure", "--detector", "chen",
        "--pause", "200");
    assertThat(spec.status()).isEqualTo(2);
    assertThat(spec.err()).startsWith("failure-detector node: ").contains("pause");
    CliRun autoTune = CliRun.of("node", "--id", "a", "--insecure", "--auto-tune", "100");
    assertThat(autoTune.status()).isEqualTo(2);
    assertThat(autoTune.err()).startsWith("failure-detector node: autoTune needs"
        + " shadowCandidates to choose from");
    CliRun otherKind = CliRun.of("node", "--id", "a", "--insecure", "--detector", "chen",
        "--shadow", "phi", "--auto-tune", "100");
    assertThat(otherKind.status()).isEqualTo(2);
    assertThat(otherKind.err()).contains("differs from the detector chen:");
    CliRun record = CliRun.of("node", "--id", "a", "--insecure", "--record", "-1");
    assertThat(record.status()).isEqualTo(2);
    assertThat(record.err()).startsWith("failure-detector node: --record must be between 0 and"
        + " 10000000 heartbeats, got -1");
    CliRun refused = CliRun.of("node", "--id", "a", "--insecure", "--refused-is-failure",
        "maybe");
    assertThat(refused.status()).isEqualTo(2);
    assertThat(refused.err()).contains("--refused-is-failure", "maybe");
    CliRun io = CliRun.of("node", "--id", "a", "--insecure", "--io", "uring");
    assertThat(io.status()).isEqualTo(2);
    assertThat(io.err()).contains("--io", "expected auto or nio or epoll, got 'uring'");
    CliRun noId = CliRun.of("node", "--insecure");
    assertThat(noId.status()).isEqualTo(2);
    assertThat(noId.err()).startsWith("failure-detector node: Missing required option: '--id=ID'");
  }

  @Test
  void node_addressInUse_exitThree() throws Exception {
    try (java.net.DatagramSocket taken = new java.net.DatagramSocket(0,
        java.net.InetAddress.getLoopbackAddress())) {
      CliRun run = CliRun.of("node", "--id", "a", "--insecure", "--bind",
          "127.0.0.1:" + taken.getLocalPort());
      assertThat(run.status()).as(run.out() + run.err()).isEqualTo(3);
      assertThat(run.err()).startsWith("failure-detector node: ");
      assertThat(run.out()).doesNotContain("READY");
    }
  }

  @Test
  void node_endOfStdin_closesAndExitsZero() throws Exception {
    CliRun run = CliRun.of("node", "--id", "a", "--insecure");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).matches("READY a \\d+ -?\\d+\\n");
    for (String io : new String[] {"nio", "epoll", "auto"}) {
      CliRun on = CliRun.of("node", "--id", "a", "--insecure", "--io", io);
      assertThat(on.status()).as(io + ": " + on.err()).isZero();
      assertThat(on.out()).matches("READY a \\d+ -?\\d+\\n");
    }
  }

  @Test
  void tune_throughTheJar_exitOneWhenNotMet() throws Exception {
    Path dir = Files.createTempDirectory("tune");
    Path trace = dir.resolve("trace.csv");
    StringBuilder csv = new StringBuilder("seq,arrival_ns\n");
    for (int i = 0; i < 3000; i++) {
      csv.append(i).append(',').append(i * 100_000_000L + (i % 7) * 1_000_000L).append('\n');
    }
    Files.writeString(trace, csv);
    CliRun met = CliRun.of("tune", trace.toString(), "--max-mistakes-per-day", "5000");
    assertThat(met.status()).as(met.err()).isZero();
    assertThat(met.out()).contains("Recommendation: ", "Detector spec: ");
    // 5 minutes cannot show 10 mistakes a day (zero mistakes in 5 min show < 864/day): before,
    // this printed "met" and exited 0 beside "... not 10/day".
    CliRun tooShort = CliRun.of("tune", trace.toString(), "--max-mistakes-per-day", "10");
    assertThat(tooShort.status()).isEqualTo(1);
    assertThat(tooShort.out()).contains("Target not met: Not shown to meet 10 mistakes/day",
        "Record a trace of at least");
    CliRun notMet = CliRun.of("tune", trace.toString(), "--max-detection-time", "1ms");
    assertThat(notMet.status()).isEqualTo(1);
    assertThat(notMet.out()).contains("Target not met: ");
  }

  @Test
  void theLibraryJarsCarryNoMain() throws IOException {
    Path repository = Path.of(CliRun.jar()).getParent().getParent().getParent();
    for (String module : new String[] {"failure-detector-core", "failure-detector-netty",
        "failure-detector-pekko"}) {
      Path classes = repository.resolve(module).resolve("target").resolve("classes");
      if (!Files.isDirectory(classes)) {
        continue; // a build of this module alone
      }
      try (var files = Files.walk(classes)) {
        assertThat(files.filter(f -> f.toString().endsWith(".class"))
            .filter(FailureDetectorCliTest::hasMain).toList()).as(module).isEmpty();
      }
    }
    try (JarFile jar = new JarFile(CliRun.jar())) {
      assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo(FailureDetectorCli.class.getName());
    }
  }

  /** Whether a class file declares {@code public static void main(String[])}. */
  private static boolean hasMain(Path classFile) {
    try {
      byte[] bytes = Files.readAllBytes(classFile);
      String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
      return text.contains("main") && text.contains("([Ljava/lang/String;)V");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
