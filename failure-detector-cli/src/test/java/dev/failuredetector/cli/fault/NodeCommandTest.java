package dev.failuredetector.cli.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failuredetector.PeerState;
import dev.failuredetector.cli.CliRun;
import dev.failuredetector.qos.HeartbeatTrace;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar failure-detector.jar node} as an operator uses it: health endpoints, tuning from
 * recorded arrivals, export, keys.
 */
class NodeCommandTest {

  @TempDir
  Path dir;

  private NodeProcess a;
  private NodeProcess b;

  @AfterEach
  void close() {
    for (NodeProcess node : new NodeProcess[] {a, b}) {
      if (node != null) {
        node.close();
      }
    }
  }

  @Test
  void healthTuneThresholdExport_asTheReadmeWalksThrough() throws Exception {
    a = NodeProcess.start(List.of(), "a", "--interval", "50", "--record", "10000",
        "--http", "127.0.0.1:0");
    b = NodeProcess.start(List.of(), "b", "--interval", "50", "--peer", "a=127.0.0.1:" + a.port());
    a.command("peer b 127.0.0.1:" + b.port());
    a.awaitTransition("b", PeerState.AVAILABLE);
    await().atMost(NodeProcess.GENEROUS).until(() -> a.statusField("accepted") >= 60);

    int httpPort = a.httpPort();
    HttpResponse<String> health = get(HttpClient.newHttpClient(), httpPort, "/health/b");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("\"peer\":\"b\",\"state\":\"AVAILABLE\"");

    String tune = a.ask("tune b 1000", "TUNE ");
    assertThat(tune).matches("TUNE (true|false) [0-9.]+ .*: phi with threshold = .*");
    assertThat(a.ask("threshold 12", "THRESHOLD ")).isEqualTo("THRESHOLD 12");
    assertThat(a.ask("threshold -1", "ERROR ")).isEqualTo(
        "ERROR phi threshold must be a finite number > 0, got -1");

    Path file = dir.resolve("b.csv.gz");
    String exported = a.ask("export b " + file, "EXPORTED ");
    int written = Integer.parseInt(exported.split(" ")[2]);
    assertThat(written).isGreaterThanOrEqualTo(60);
    assertThat(HeartbeatTrace.read(file).size()).isEqualTo(written);
    assertThat(a.ask("tune nobody 1", "ERROR ")).isEqualTo("ERROR no such peer: nobody");
  }

  @Test
  void shadowCandidates_inPeersJson_andPrometheus_asAnOperatorReadsThem() throws Exception {
    a = NodeProcess.start(List.of(), "a", "--interval", "50ms", "--http", "127.0.0.1:0",
        "--shadow", "deadline:pause=1ms", "--shadow", "deadline:pause=2s");
    b = NodeProcess.start(List.of(), "b", "--interval", "50ms", "--peer", "a=127.0.0.1:" + a.port());
    a.command("peer b 127.0.0.1:" + b.port());
    a.awaitTransition("b", PeerState.AVAILABLE);
    int httpPort = a.httpPort();
    HttpClient client = HttpClient.newHttpClient();
    await().atMost(NodeProcess.GENEROUS).until(() -> get(client, httpPort, "/peers").body()
        .matches("(?s).*\"candidate\":\"deadline:interval=50ms,pause=2s\",\"heartbeats\":"
            + "([4-9]\\d|\\d{3,}).*"));
    String peers = get(client, httpPort, "/peers").body();
    assertThat(peers).contains("\"shadow\":[{\"candidate\":\"deadline:interval=50ms,pause=1ms\","
        + "\"heartbeats\":");
    // 2 s of pause: no live heartbeat gap on loopback is that long.
    assertThat(peers).containsPattern("pause=2s\",\"heartbeats\":\\d+,\"mistakes\":0,"
        + "\"meanDetectionMs\":20[0-9][0-9]\\.");
    HttpResponse<String> metrics = get(client, httpPort, "/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).containsPattern(
        "failure_detector_shadow_mistakes_total\\{candidate=\"deadline:interval=50ms,pause=2s\"[^}]*\\} 0")
        .contains("failure_detector_shadow_detection_time_seconds{candidate=\"deadline:interval=50ms,"
            + "pause=1ms\"");
  }

  /**
   * Auto-tuning through the jar over real sockets, with settings that make the evidence come in
   * seconds: a budget of 200,000 mistakes a day is shown by 3 x 2 / 200,000 days (2.6 s) of zero
   * mistakes (the horizon is then the minimum, 6 periods of 1 s, and one stray late heartbeat
   * still passes); the 300 ms pause candidate then takes over from the 2 s one.
   */
  @Test
  void autoTune_switchesToTheFasterCandidate_loggedAndCounted() throws Exception {
    a = NodeProcess.start(List.of(), "a", "--interval", "50ms", "--http", "127.0.0.1:0",
        "--detector", "deadline:pause=2s", "--shadow", "deadline:pause=300ms",
        "--auto-tune", "200000", "--auto-tune-period", "1s");
    b = NodeProcess.start(List.of(), "b", "--interval", "50ms", "--peer", "a=127.0.0.1:" + a.port());
    a.command("peer b 127.0.0.1:" + b.port());
    a.awaitTransition("b", PeerState.AVAILABLE);
    await().atMost(NodeProcess.GENEROUS).until(
        () -> a.status().contains("detector=deadline:interval=50ms,pause=300ms"));
    assertThat(a.output()).anyMatch(line -> line.contains("auto-tune: deadline:interval=50ms,"
        + "pause=2s -> deadline:interval=50ms,pause=300ms"));
    String metrics = get(HttpClient.newHttpClient(), a.httpPort(), "/metrics").body();
    assertThat(metrics).containsPattern("(?m)^failure_detector_autotune_changes_total(\\{[^}]*\\})? 1\\.0$");
    HttpResponse<String> health = get(HttpClient.newHttpClient(), a.httpPort(), "/health/b");
    assertThat(health.body()).contains("\"timeoutMs\":350");
  }

  /**
   * What docs/kubernetes.yaml deploys is the jar: its {@code /metrics} must carry every metric the
   * shipped Grafana dashboard and alert rules name, with the {@code node} label their queries
   * group and filter by (before, the jar's scrape had no node label, no transport meters and no
   * per-peer timeout, so the dashboard's $node variable and the dropped-messages panel were
   * empty).
   */
  @Test
  void metrics_carryEveryMetricAndTheNodeLabelTheDashboardAndAlertsUse() throws Exception {
    a = NodeProcess.start(List.of(), "a", "--http", "127.0.0.1:0");
    b = NodeProcess.start(List.of(), "b", "--peer", "a=127.0.0.1:" + a.port());
    a.command("peer b 127.0.0.1:" + b.port());
    a.awaitTransition("b", PeerState.AVAILABLE);
    String scrape = get(HttpClient.newHttpClient(), a.httpPort(), "/metrics").body();
    Set<String> named = new java.util.TreeSet<>();
    for (String file : new String[] {"prometheus-alerts.yml", "grafana-dashboard.json"}) {
      java.util.regex.Matcher name = java.util.regex.Pattern.compile("failure_detector_\\w+")
          .matcher(java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", file)));
      while (name.find()) {
        named.add(name.group());
      }
    }
    assertThat(named).hasSizeGreaterThan(5);
    for (String metric : named) {
      assertThat(scrape).as("a scrape of the jar, for %s", metric)
          .containsPattern("(?m)^" + metric + "\\{[^}]*node=\"a\"");
    }
    // And the other labels their queries group, filter and legend by.
    assertThat(scrape).containsPattern(
        "(?m)^failure_detector_peer_timeout_seconds\\{[^}]*peer=\"b\"")
        .containsPattern("(?m)^failure_detector_peers\\{[^}]*state=\"suspected\"")
        .containsPattern("(?m)^failure_detector_transitions_total\\{[^}]*reason=\"timeout\"")
        .containsPattern(
            "(?m)^failure_detector_transport_messages_dropped_total\\{[^}]*reason=\"unechoed\"")
        .containsPattern("(?m)^failure_detector_heartbeat_intervals_total\\{[^}]*le=\"");
  }

  /**
   * What a new user hit, each seen through the jar: TRANSITION lines before READY (the peers given
   * on the command line are registered during start), a status page that did not name its node,
   * `export` to a bad path answering only the path, no way to apply tune's spec from stdin,
   * TRANSITION stamps without a wall-clock time, `--interval 0` reported as PT0S, a bind failure
   * without its cause.
   */
  @Test
  void whatAnOperatorReads_isPlain() throws Exception {
    b = NodeProcess.start(List.of(), "b", "--interval", "100");
    a = NodeProcess.start(List.of(), "a", "--interval", "100", "--record", "1000",
        "--peer", "b=127.0.0.1:" + b.port(), "--http", "127.0.0.1:0");
    assertThat(a.output().get(0)).as(String.join("\n", a.output())).startsWith("READY a ");
    b.command("peer a 127.0.0.1:" + a.port());
    a.awaitTransition("b", PeerState.AVAILABLE);
    a.command("peer c 127.0.0.1:9");
    NodeProcess.Transition registered = a.awaitTransition("c", PeerState.UNKNOWN);
    assertThat(a.output()).anyMatch(line -> line.startsWith("TRANSITION " + registered.atNanos())
        && line.matches(".* \\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:[\\d.]+Z$"));
    assertThat(get(HttpClient.newHttpClient(), a.httpPort(), "/").body())
        .contains("<h1>a: failure-detector: 2 peers</h1>");
    assertThat(b.ask("export a " + "/tmp/a.csv", "ERROR"))
        .isEqualTo("ERROR export needs the node started with --record N (arrival recording is"
            + " off)");
    assertThat(a.ask("export b /nonexistent/dir/b.csv", "ERROR"))
        .isEqualTo("ERROR cannot write /nonexistent/dir/b.csv: NoSuchFileException");
    assertThat(a.ask("detector phi:threshold=10", "DETECTOR"))
        .startsWith("DETECTOR phi:interval=100ms,threshold=10,");
    assertThat(a.status()).contains("detector=phi:interval=100ms,threshold=10,");
    assertThat(a.ask("detector phi:interval=5ms", "ERROR")).contains("names the interval: the"
        + " heartbeat interval (100ms) is set by the node's --interval only; leave it out");
    assertThat(a.ask("detector chen:margin=300ms", "ERROR"))
        .contains("cannot change the detector kind of live peers (phi to chen)");

    CliRun zero = CliRun.of("node", "--id", "x", "--insecure", "--interval", "0");
    assertThat(zero.status()).isEqualTo(2);
    assertThat(zero.err()).contains("got 0ms").doesNotContain("PT0S");
    try (java.net.DatagramSocket taken = new java.net.DatagramSocket(0,
        java.net.InetAddress.getLoopbackAddress())) {
      CliRun busy = CliRun.of("node", "--id", "x", "--insecure", "--bind",
          "127.0.0.1:" + taken.getLocalPort());
      assertThat(busy.status()).isNotZero();
      assertThat(busy.err()).contains("cannot bind UDP to /127.0.0.1:" + taken.getLocalPort()
          + ": Address already in use");
    }
  }

  /**
   * Two nodes with different keys: before, each saw the other as silent (a dead peer, as far as
   * anyone could tell) and nothing said why. Now the drops show in STATUS and one warning names
   * the likely cause, repeated at most every ten minutes, however many messages keep failing.
   */
  @Test
  void aWrongKey_isCountedInStatus_andWarnedOnce() throws Exception {
    a = NodeProcess.start(List.of(), Map.of("FD_KEY", "1:" + "11".repeat(32)), "a",
        "--interval", "50");
    b = NodeProcess.start(List.of(), Map.of("FD_KEY", "1:" + "22".repeat(32)), "b",
        "--interval", "50", "--peer", "a=127.0.0.1:" + a.port());
    a.command("peer b 127.0.0.1:" + b.port());
    await().atMost(NodeProcess.GENEROUS).until(() -> warnings(a) == 1);
    long badTags = a.statusCount("dropped.BAD_TAG");
    assertThat(badTags).isPositive();
    assertThat(a.output()).anyMatch(line -> line.contains("failed authentication")
        && line.contains("check --key-file or FD_KEY on every node"));
    // Two more check periods of failing messages (20 a second): still one warning.
    await().atMost(NodeProcess.GENEROUS)
        .until(() -> a.statusCount("dropped.BAD_TAG") >= badTags + 250);
    assertThat(warnings(a)).isEqualTo(1);
    assertThat(a.statusField("accepted")).isZero();
  }

  private static long warnings(NodeProcess node) {
    return node.output().stream().filter(line -> line.contains("failed authentication")).count();
  }

  @Test
  void withoutMicrometer_healthServed_metricsSays404() throws Exception {
    String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.contains("micrometer") && !entry.contains("prometheus"))
        .collect(Collectors.joining(File.pathSeparator));
    a = NodeProcess.startWithClasspath(List.of(), classpath, "a", "--http", "127.0.0.1:0");
    int httpPort = a.httpPort();
    HttpClient client = HttpClient.newHttpClient();
    assertThat(get(client, httpPort, "/health").statusCode()).isEqualTo(200);
    HttpResponse<String> metrics = get(client, httpPort, "/metrics");
    assertThat(metrics.statusCode()).isEqualTo(404);
    assertThat(metrics.body()).contains("micrometer-registry-prometheus");
  }

  @Test
  void keys_fromAFileOrTheEnvironment_neverTheCommandLine_noneRefusedUnlessInsecure()
      throws Exception {
    assertThat(runToExit(Map.of(), "--id", "x")).startsWith("failure-detector node: no key: give --key-file PATH");
    assertThat(runToExit(Map.of(), "--id", "x", "--key", "ab".repeat(32)))
        .startsWith("failure-detector node: --key is gone: a key on the command line can be read by any local"
            + " user from /proc/PID/cmdline");
    assertThat(runToExit(Map.of(), "--id", "x", "--key-file", dir.resolve("none").toString()))
        .isEqualTo("failure-detector node: key file " + dir.resolve("none") + " does not exist");
    assertThat(runToExit(Map.of("FD_KEY", "1:abcd"), "--id", "x"))
        .isEqualTo("failure-detector node: FD_KEY: key 1 must be at least 32 bytes, got 2 (64 hex digits)");
    Path key = Files.writeString(dir.resolve("cluster.key"), "1:" + "ab".repeat(32) + "\n");
    Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions
        .fromString("rw-r--r--"));
    a = NodeProcess.start(List.of(), "a", "--key-file", key.toString());
    await().atMost(NodeProcess.GENEROUS).until(() -> a.output().stream().anyMatch(
        l -> l.equals("failure-detector node: warning: key file " + key + " is readable by other users: chmod"
            + " 600 " + key)));
    b = NodeProcess.start(List.of(), Map.of("FD_KEY", "1:" + "ab".repeat(32)), "b", "--peer", "a=127.0.0.1:" + a.port());
    a.command("peer b 127.0.0.1:" + b.port());
    a.awaitTransition("b", PeerState.AVAILABLE); // the same key, by file and by environment
  }

  /** Runs {@code node ARGS} to its exit (status 2) and returns its first stderr line. */
  private static String runToExit(Map<String, String> env, String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = "node";
    System.arraycopy(args, 0, command, 1, args.length);
    CliRun run = CliRun.of(env, command);
    assertThat(run.status()).as(run.err()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    String[] lines = run.err().strip().split("\n");
    assertThat(lines).hasSize(2);
    assertThat(lines[1]).isEqualTo("Try 'failure-detector node --help' for more information.");
    return lines[0];
  }

  /** The port of the HEALTH line node prints after READY (waiting for it). */
  private static HttpResponse<String> get(HttpClient client, int port, String path)
      throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
