package dev.failuredetector.cli.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.failuredetector.PeerState;
import dev.failuredetector.TransitionReason;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code node --probe} as a user runs it (the CLI jar, a real nginx on loopback), with the faults
 * of a backend: a 503 (down at once, reason UNHEALTHY), SIGSTOP (silence: suspected within the
 * learned timeout, back after SIGCONT), SIGKILL (refused: FAILED within milliseconds). The health
 * endpoints serve the probed targets under their ids. Times are printed. Skipped (saying so) where
 * nginx is not installed; {@code .ci/run} installs it and fails if it cannot.
 */
class ProbeFaultTest {

  private static final long MS = 1_000_000L;

  @TempDir
  Path dir;

  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private Nginx nginx() throws IOException {
    Optional<Path> binary = Nginx.binary();
    assumeTrue(binary.isPresent(), "nginx is not installed (.ci/run installs it with apt-get)");
    Nginx nginx = Nginx.start(binary.get(), dir.resolve("nginx"));
    resources.add(nginx);
    return nginx;
  }

  private NodeProcess prober(Nginx nginx, String... extra) throws IOException {
    List<String> args = new ArrayList<>(List.of("--interval", "100ms",
        "--detector", "phi:pause=0s,min-std=20ms",
        "--probe", "web=http://127.0.0.1:" + nginx.port() + "/healthz",
        "--probe", "port=tcp://127.0.0.1:" + nginx.port(),
        "--http", "127.0.0.1:0"));
    args.addAll(List.of(extra));
    NodeProcess node = NodeProcess.start(List.of(), "lb", args.toArray(String[]::new));
    resources.add(node);
    return node;
  }

  private static HttpResponse<String> get(int port, String path)
      throws IOException, InterruptedException {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static long nanoTime() {
    return System.nanoTime(); // CLOCK_MONOTONIC: comparable with the node's TRANSITION times
  }

  @Test
  void nginxAnswering503IsDownAtOnceWithItsReasonAndBackWhenItAnswers200() throws Exception {
    Nginx nginx = nginx();
    NodeProcess lb = prober(nginx);
    lb.awaitTransition("web", PeerState.AVAILABLE);
    lb.awaitTransition("port", PeerState.AVAILABLE);
    int http = lb.httpPort();
    assertThat(get(http, "/health/web").statusCode()).isEqualTo(200);
    assertThat(get(http, "/peers").body()).contains("\"web\"").contains("\"port\"");
    // /metrics: the target as a peer, and its probe meters.
    await().atMost(NodeProcess.GENEROUS).until(() -> get(http, "/metrics").body().lines()
        .anyMatch(l -> l.startsWith("failure_detector_probe_answered_total{")
            && l.contains("peer=\"web\"") && l.contains("kind=\"http\"")));
    assertThat(get(http, "/metrics").body().lines()).anyMatch(
        l -> l.startsWith("failure_detector_probe_answer_time_seconds_count{")
            && l.contains("peer=\"port\""));

    long before = nanoTime();
    nginx.unhealthy(true);
    NodeProcess.Transition down = lb.awaitTransition("web", PeerState.FAILED);
    assertThat(down.reason()).isEqualTo(TransitionReason.UNHEALTHY);
    assertThat(lb.find("web", PeerState.SUSPECTED)).as("down by its answer, not a timeout")
        .isEmpty();
    await().atMost(NodeProcess.GENEROUS)
        .until(() -> get(http, "/health/web").statusCode() == 503);
    assertThat(lb.find("port", PeerState.FAILED)).as("the port still answers").isEmpty();
    String probes = lb.ask("probes", "PROBES ");
    assertThat(probes).isEqualTo("PROBES 2");
    assertThat(lb.output()).anyMatch(l -> l.startsWith("PROBE web ") && l.contains("status=503"));

    nginx.unhealthy(false);
    await().atMost(NodeProcess.GENEROUS).until(() -> lb.transitions().stream().anyMatch(
        t -> t.peer().equals("web") && t.to() == PeerState.AVAILABLE
            && t.reason() == TransitionReason.RECOVERED));
    System.out.printf("503: web FAILED UNHEALTHY %d ms after the flag (probe interval 100 ms),"
        + " RECOVERED on the next 200%n", (down.atNanos() - before) / MS);
  }

  @Test
  void nginxStoppedIsSuspectedByTheLearnedTimeoutAndKilledIsFailedAtOnce() throws Exception {
    Nginx nginx = nginx();
    NodeProcess lb = prober(nginx);
    lb.awaitTransition("web", PeerState.AVAILABLE);
    // Ten seconds of answers: the detector has learned the target's answer times.
    await().atMost(NodeProcess.GENEROUS).until(() -> lb.ask("probes", "PROBES ") != null
        && lb.output().stream().anyMatch(l -> l.startsWith("PROBE web ")
            && Long.parseLong(l.replaceFirst(".* answered=(\\d+).*", "$1")) >= 100));

    long stopped = nanoTime();
    nginx.stop();
    NodeProcess.Transition suspected = lb.awaitTransition("web", PeerState.SUSPECTED);
    assertThat(suspected.reason()).isEqualTo(TransitionReason.TIMEOUT);
    long suspectedAfter = suspected.atNanos() - stopped;
    // Silence is only a timeout: never before the answers stopped coming (one interval at the
    // least), and no fast clue (the kernel still completes a stopped process's handshakes).
    assertThat(suspectedAfter).isGreaterThanOrEqualTo(100 * MS);
    assertThat(lb.find("web", PeerState.FAILED)).as("no clue for a stopped process").isEmpty();
    long resumed = nanoTime();
    nginx.resume();
    await().atMost(NodeProcess.GENEROUS).until(() -> lb.transitions().stream().anyMatch(
        t -> t.peer().equals("web") && t.to() == PeerState.AVAILABLE && t.atNanos() > resumed));
    NodeProcess.Transition back = lb.transitions().stream().filter(
        t -> t.peer().equals("web") && t.to() == PeerState.AVAILABLE && t.atNanos() > resumed)
        .findFirst().orElseThrow();

    long killed = nanoTime();
    nginx.kill();
    await().atMost(NodeProcess.GENEROUS).until(() -> lb.transitions().stream().filter(
        t -> t.to() == PeerState.FAILED && t.atNanos() > killed).count() == 2);
    List<NodeProcess.Transition> failed = lb.transitions().stream()
        .filter(t -> t.to() == PeerState.FAILED && t.atNanos() > killed).toList();
    for (NodeProcess.Transition t : failed) {
      assertThat(t.reason()).as(t.peer()).isEqualTo(TransitionReason.CONNECTION_REFUSED);
      // The refusal, not the timeout: FAILED straight from AVAILABLE, never SUSPECTED on the
      // way (what the test can observe, however busy the machine).
      assertThat(t.from()).as(t.peer()).isEqualTo(PeerState.AVAILABLE);
      assertThat(lb.transitions().stream().filter(x -> x.peer().equals(t.peer())
          && x.to() == PeerState.SUSPECTED && x.atNanos() > killed)).as(t.peer()).isEmpty();
    }
    System.out.printf("nginx SIGSTOP: web suspected %d ms after the stop, back %d ms after"
        + " SIGCONT; SIGKILL: %s%n", suspectedAfter / MS, (back.atNanos() - resumed) / MS,
        failed.stream().map(t -> t.peer() + " FAILED CONNECTION_REFUSED "
            + (t.atNanos() - killed) / MS + " ms").toList());
  }

  /**
   * The link to nginx delays every chunk by 1 ms plus Pareto jitter (scale 5 ms, shape 1.5, at
   * most 250 ms), for 30 s. Each probe has its own connection while it waits, so two answers are
   * at most one interval plus the cap apart (about 350 ms); a detector whose least timeout is
   * above that (a 400 ms pause over the 100 ms mean) never suspects the target. Without the
   * pause, the timeout learned from mostly-fast answers is about 250 ms, and one tail delay in 30 s
   * was a suspicion (seen in a CI run).
   */
  @Test
  void jitterTheLearnedTimeoutCoversMakesNoMistake() throws Exception {
    Nginx nginx = nginx();
    DelayRelay link = new DelayRelay(new java.net.InetSocketAddress("127.0.0.1", nginx.port()),
        MS, 5 * MS, 1.5, 250 * MS, 7);
    resources.add(link);
    NodeProcess lb = NodeProcess.start(List.of(), "lb", "--interval", "100ms",
        "--detector", "phi:pause=400ms,min-std=20ms",
        "--probe", "web=http://127.0.0.1:" + link.port() + "/healthz");
    resources.add(lb);
    lb.awaitTransition("web", PeerState.AVAILABLE);
    long end = nanoTime() + 30_000 * MS;
    while (nanoTime() - end < 0) { // an observation window, not a wait for a state
      java.util.concurrent.locks.LockSupport.parkNanos(100 * MS);
    }
    String probes = lb.ask("probes", "PROBES ");
    String web = lb.output().stream().filter(l -> l.startsWith("PROBE web ")).reduce(
        (first, second) -> second).orElseThrow();
    long answered = Long.parseLong(web.replaceFirst(".* answered=(\\d+).*", "$1"));
    assertThat(answered).as(web).isGreaterThan(200);
    assertThat(lb.find("web", PeerState.SUSPECTED)).as("a mistake under jitter: " + web)
        .isEmpty();
    System.out.printf("jitter (Pareto 5 ms, shape 1.5, cap 250 ms) for 30 s: %d chunks, %d held"
        + " over 200 ms, %s; no suspicion (%s)%n", link.chunks(), link.delayedOver200ms(), web,
        probes);
  }

  @Test
  void probesAddedAndRemovedAtRuntime() throws Exception {
    Nginx nginx = nginx();
    NodeProcess lb = NodeProcess.start(List.of(), "lb", "--probe-interval", "100ms",
        "--record", "1000");
    resources.add(lb);
    lb.command("probe api http://127.0.0.1:" + nginx.port() + "/healthz");
    lb.awaitTransition("api", PeerState.AVAILABLE);
    // tune reads a probed target's answers as it reads a peer's heartbeats.
    await().atMost(NodeProcess.GENEROUS).until(() -> lb.ask("probes", "PROBES ") != null
        && lb.output().stream().anyMatch(l -> l.startsWith("PROBE api ")
            && Long.parseLong(l.replaceFirst(".* answered=(\\d+).*", "$1")) >= 50));
    // (Seconds of answers cannot show a budget met; tune says so, from the recorded trace.)
    assertThat(lb.ask("tune api 100", "TUNE ")).contains("The trace covers");
    assertThat(lb.ask("probe api tcp://127.0.0.1:1", "ERROR "))
        .isEqualTo("ERROR probe api: already probes http://127.0.0.1:" + nginx.port()
            + "/healthz (remove it first)");
    assertThat(lb.ask("probe x ftp://h:1", "ERROR "))
        .isEqualTo("ERROR probe URL 'ftp://h:1': the scheme must be udp, tcp or http");
    lb.command("remove api");
    lb.awaitTransition("api", PeerState.REMOVED);
    assertThat(lb.ask("probes", "PROBES ")).isEqualTo("PROBES 0");
  }
}
