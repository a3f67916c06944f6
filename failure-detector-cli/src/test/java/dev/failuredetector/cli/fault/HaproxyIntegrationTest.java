package dev.failuredetector.cli.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.PeerState;
import dev.failuredetector.PeerTransition;
import dev.failuredetector.netty.HeartbeatNode;
import dev.failuredetector.netty.health.HealthServer;
import dev.failuredetector.netty.health.HealthView;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real HAProxy (Debian's package; {@code .ci/run} installs it) checks a peer through this
 * library's health endpoints: one backend with {@code option httpchk} on {@code GET
 * /health/n5}, one with {@code agent-check}. The peer n5 is a separate JVM; it is killed with
 * SIGKILL, and HAProxy's stats socket must show both servers DOWN, then UP again after n5 is
 * restarted. The times from the kill to each DOWN are printed. Skipped (saying so) where haproxy
 * is not installed.
 */
class HaproxyIntegrationTest {

  private static final long MS = 1_000_000L;

  @TempDir
  Path dir;

  private HeartbeatNode observer;
  private HealthServer health;
  private Process haproxy;
  private final List<NodeProcess> processes = new ArrayList<>();
  private final List<PeerTransition<String>> seen = new CopyOnWriteArrayList<>();

  @AfterEach
  void cleanUp() throws InterruptedException {
    if (haproxy != null) {
      haproxy.destroyForcibly().waitFor();
    }
    processes.forEach(NodeProcess::close);
    if (health != null) {
      health.close();
    }
    if (observer != null) {
      observer.close();
    }
  }

  @Test
  void haproxy_peerKilledAndRestarted_serversDownThenUp() throws Exception {
    Optional<Path> binary = Haproxy.binary();
    assumeTrue(binary.isPresent(), "haproxy is not installed (.ci/run installs it with apt-get)");

    observer = HeartbeatNode.builder().insecure().localId("lb-side")
        .bind(new InetSocketAddress("127.0.0.1", 0)).interval(Duration.ofMillis(100))
        .registry(r -> r.detector(DetectorSpec.phi().withInterval(Duration.ofMillis(100))
            .withPause(Duration.ofMillis(200))
            .withMinStd(Duration.ofMillis(20))))
        .registry(r -> r.confirmationTime(Duration.ofMinutes(1)))
        .build().start();
    observer.registry().addListener(seen::add);
    health = HealthServer.builder(HealthView.of(observer.registry()))
        .http(new InetSocketAddress("127.0.0.1", 0))
        .agent(new InetSocketAddress("127.0.0.1", 0))
        .build().start();
    NodeProcess n5 = startN5(1, 0);
    int n5Port = n5.port();

    Path socket = startHaproxy(binary.get(), n5Port);

    long killedAt = System.nanoTime();
    n5.kill();
    Map<String, Long> downAt = awaitBoth("DOWN", socket);
    long suspectedAt = seen.stream()
        .filter(t -> t.key().equals("n5") && t.to() == PeerState.SUSPECTED)
        .mapToLong(PeerTransition::atNanos).findFirst().orElseThrow();

    long restartedAt = System.nanoTime();
    startN5(2, n5Port);
    Map<String, Long> upAt = awaitBoth("UP", socket);

    System.out.printf("HAProxy %s, checks every 100 ms (httpchk fall 2 rise 2):%n"
            + "  kill -9 -> observer SUSPECTED %d ms, httpchk DOWN %d ms, agent DOWN %d ms%n"
            + "  restart -> httpchk UP %d ms, agent UP %d ms (n5's JVM start included)%n",
        Haproxy.version(binary.get()), (suspectedAt - killedAt) / MS,
        (downAt.get("via_httpchk") - killedAt) / MS, (downAt.get("via_agent") - killedAt) / MS,
        (upAt.get("via_httpchk") - restartedAt) / MS, (upAt.get("via_agent") - restartedAt) / MS);
    // HAProxy learns of the crash only from the detector: never before the suspicion.
    assertThat(downAt.values()).allSatisfy(at -> assertThat(at).isGreaterThan(suspectedAt));
    assertThat(health.stats().clientErrors()).isZero();
    assertThat(health.stats().agentAnswers()).isPositive();
  }

  /**
   * 1,000 connections held open to the health server from 100 loopback source addresses (half
   * silent, half trickling a byte at a time, each reopened as soon as the server closes it): a
   * real HAProxy's httpchk and agent-check backends must stay UP throughout. Before the
   * connection guard, 300 idle connections filled the shared 256-connection cap and HAProxy
   * marked the live server DOWN 0.1 s into the hold.
   */
  @Test
  void haproxy_staysUp_while1000ConnectionsAreHeldAgainstTheHealthServer() throws Exception {
    Optional<Path> binary = Haproxy.binary();
    assumeTrue(binary.isPresent(), "haproxy is not installed (.ci/run installs it with apt-get)");
    observer = HeartbeatNode.builder().insecure().localId("lb-side")
        .bind(new InetSocketAddress("127.0.0.1", 0)).interval(Duration.ofMillis(100))
        .registry(r -> r.detector(DetectorSpec.parse("phi:pause=1s")))
        .registry(r -> r.confirmationTime(Duration.ofMinutes(1)))
        .build().start();
    health = HealthServer.builder(HealthView.of(observer.registry()))
        .http(new InetSocketAddress("127.0.0.1", 0))
        .agent(new InetSocketAddress("127.0.0.1", 0))
        .build().start();
    NodeProcess n5 = startN5(1, 0);
    await().atMost(NodeProcess.GENEROUS).until(() -> observer.registry().isAvailable("n5"));
    Path socket = startHaproxy(binary.get(), n5.port());

    List<String> notUp = new ArrayList<>();
    int polls = 0;
    try (ConnectionFlood http = new ConnectionFlood(health.httpAddress(), 500, 100);
        ConnectionFlood agent = new ConnectionFlood(health.agentAddress(), 500, 100)) {
      await().atMost(NodeProcess.GENEROUS).until(() -> http.opened() >= 500
          && agent.opened() >= 500);
      long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
      while (System.nanoTime() - end < 0) {
        Map<String, String> now = statuses(socket);
        polls++;
        now.forEach((backend, status) -> {
          if (!status.equals("UP")) {
            notUp.add(backend + " " + status);
          }
        });
        Thread.sleep(20); // the polling period of the observation itself
      }
      System.out.printf("HAProxy %s under a connection flood: %d + %d connections opened from 100"
              + " sources (%d + %d closed by the server and reopened), 8 s, %d polls of the stats"
              + " socket: %d not UP; health server evicted %d, timed out %d, open now %d%n",
          Haproxy.version(binary.get()), http.opened(), agent.opened(), http.closedByServer(),
          agent.closedByServer(), polls, notUp.size(), health.stats().connectionsRejected(),
          health.stats().connectionsTimedOut(), health.stats().openConnections());
    }
    assertThat(notUp).as("backend statuses other than UP during the flood").isEmpty();
    assertThat(health.stats().connectionsRejected() + health.stats().connectionsTimedOut())
        .as("the flood was really held off").isPositive();
    assertThat(observer.registry().isAvailable("n5")).isTrue();
  }

  /**
   * The jar's health port under a flood of requests that complete: 400 keep-alive connections
   * from 199 source addresses, each sending a valid {@code GET /health} once and holding the
   * connection, every one the server closes reopened at once (more than its 256-connection cap,
   * so each newcomer evicts someone). Before, a newcomer evicted the youngest connection that had
   * not completed a request yet, which was HAProxy's check: HAProxy marked the live server DOWN
   * after 0.8 s. Now an answered, idle connection gives way first, and the check stays UP.
   */
  @Test
  void haproxy_staysUp_whileRequestsThatCompleteFloodTheJarsHealthPort() throws Exception {
    Optional<Path> binary = Haproxy.binary();
    assumeTrue(binary.isPresent(), "haproxy is not installed (.ci/run installs it with apt-get)");
    // A lenient detector: the flood loads this machine, and what is measured is whether HAProxy's
    // check connection survives it, not how fast a starved node suspects b.
    NodeProcess a = NodeProcess.start(List.of(), "a", "--bind", "127.0.0.1:0", "--interval",
        "100", "--detector", "deadline:pause=3s", "--http", "127.0.0.1:0");
    processes.add(a);
    NodeProcess b = NodeProcess.start(List.of(), "b", "--bind", "127.0.0.1:0", "--interval",
        "100", "--detector", "deadline:pause=1s", "--peer", "a=127.0.0.1:" + a.port());
    processes.add(b);
    a.command("peer b 127.0.0.1:" + b.port());
    a.awaitTransition("b", PeerState.AVAILABLE);
    int http = a.httpPort();
    Path socket = dir.resolve("haproxy.sock");
    startHaproxyWith(binary.get(), socket, String.join("\n", Haproxy.preamble(socket),
        "  timeout check 1s",
        "backend via_httpchk",
        "  option httpchk",
        "  http-check send meth GET uri /health/b",
        "  http-check expect status 200",
        "  server b 127.0.0.1:" + b.port() + " check addr 127.0.0.1 port " + http
            + " inter 100ms fall 2 rise 2",
        ""));
    await().atMost(NodeProcess.GENEROUS)
        .until(() -> "UP".equals(Haproxy.statuses(socket, "b").get("via_httpchk")));

    long failedBefore = Haproxy.failedChecks(socket, "b");
    List<String> notUp = new ArrayList<>();
    int polls = 0;
    byte[] request = "GET /health HTTP/1.1\r\nHost: a\r\n\r\n"
        .getBytes(StandardCharsets.US_ASCII);
    try (ConnectionFlood flood = new ConnectionFlood(new InetSocketAddress("127.0.0.1", http),
        400, 199, ConnectionFlood.Mode.REQUEST_ONCE, request)) {
      await().atMost(NodeProcess.GENEROUS).until(() -> flood.opened() >= 400);
      long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
      while (System.nanoTime() - end < 0) {
        Haproxy.statuses(socket, "b").forEach((backend, status) -> {
          if (!status.equals("UP")) {
            notUp.add(backend + " " + status);
          }
        });
        polls++;
        Thread.sleep(20); // the polling period of the observation itself
      }
      long failed = Haproxy.failedChecks(socket, "b") - failedBefore;
      System.out.printf("HAProxy %s, jar health port flooded with completing requests: %d"
              + " keep-alive connections opened from 199 sources (%d closed by the server and"
              + " reopened), 8 s, %d polls of the stats socket: %d not UP, %d checks failed%n",
          Haproxy.version(binary.get()), flood.opened(), flood.closedByServer(), polls,
          notUp.size(), failed);
      assertThat(failed).as("HAProxy checks that failed during the flood").isZero();
      assertThat(flood.closedByServer()).as("the cap was reached: the flood churned")
          .isPositive();
    }
    assertThat(notUp).as("backend statuses other than UP during the flood").isEmpty();
  }

  /**
   * A late peer keeps its traffic: n5 pauses (SIGSTOP) for 1.6 s at a time, under the observer's
   * 2 s timeout, so the agent answers {@code up 28%} and less; with {@code weight 100} (as
   * docs/health-checks.md says) HAProxy still routes to it, and a client sending through
   * HAProxy's frontend gets no 503 while the server is UP. (Without it, weight 1 at 28% rounds
   * to 0.)
   */
  @Test
  void haproxy_latePeerAtReducedWeight_stillServesEveryRequest() throws Exception {
    Optional<Path> binary = Haproxy.binary();
    assumeTrue(binary.isPresent(), "haproxy is not installed (.ci/run installs it with apt-get)");
    observer = HeartbeatNode.builder().insecure().localId("lb-side")
        .bind(new InetSocketAddress("127.0.0.1", 0)).interval(Duration.ofMillis(100))
        .registry(r -> r.detector(DetectorSpec.parse("deadline:pause=1900ms"))) // 2 s timeout
        .registry(r -> r.confirmationTime(Duration.ofMinutes(1)))
        .build().start();
    health = HealthServer.builder(HealthView.of(observer.registry()))
        .agent(new InetSocketAddress("127.0.0.1", 0)).build().start();
    NodeProcess n5 = startN5(1, 0);
    await().atMost(NodeProcess.GENEROUS).until(() -> observer.registry().isAvailable("n5"));
    com.sun.net.httpserver.HttpServer service = com.sun.net.httpserver.HttpServer.create(
        new InetSocketAddress("127.0.0.1", 0), 50);
    service.createContext("/", exchange -> {
      byte[] ok = "ok".getBytes(StandardCharsets.US_ASCII);
      exchange.sendResponseHeaders(200, ok.length);
      exchange.getResponseBody().write(ok);
      exchange.close();
    });
    service.start();
    int frontend;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
      frontend = probe.getLocalPort();
    }
    Path socket = dir.resolve("haproxy.sock");
    startHaproxyWith(binary.get(), socket, String.join("\n", Haproxy.preamble(socket),
        "frontend in",
        "  bind 127.0.0.1:" + frontend,
        "  default_backend via_agent",
        "backend via_agent",
        "  server n5 127.0.0.1:" + service.getAddress().getPort() + " weight 100 agent-check"
            + " agent-addr 127.0.0.1 agent-port " + health.agentAddress().getPort()
            + " agent-send \"n5\\n\" agent-inter 100ms",
        ""));
    java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + frontend + "/")).build();
    await().atMost(NodeProcess.GENEROUS).until(() -> client.send(request,
        java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    try {
      int requests = 0;
      int unavailable = 0;
      int lowestWeight = 100;
      for (int cycle = 0; cycle < 3; cycle++) {
        n5.stop();
        long resumeAt = System.nanoTime() + Duration.ofMillis(1_600).toNanos();
        while (System.nanoTime() - resumeAt < 0) {
          int status = client.send(request,
              java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
          requests++;
          unavailable += status == 503 ? 1 : 0;
          lowestWeight = Math.min(lowestWeight,
              weightOf(observer.registry().snapshot("n5").orElseThrow()));
          Thread.sleep(20); // the client's own pace
        }
        n5.resume();
        await().atMost(NodeProcess.GENEROUS).until(() -> weightOf(
            observer.registry().snapshot("n5").orElseThrow()) == 100);
      }
      System.out.printf("HAProxy, late peer (SIGSTOP 1.6 s of a 2 s timeout, 3 times), weight"
          + " 100: %d requests through the frontend, %d answered 503; agent weight fell to %d%%%n",
          requests, unavailable, lowestWeight);
      // The precondition, not the point: the peer was late enough for its weight to fall well
      // below 100 (35-40% seen; how far depends on when the stop lands in the interval, so the
      // bound leaves room for a loaded machine). With weight 1 any such answer rounds to 0.
      assertThat(lowestWeight).as("the peer was late: its weight fell").isLessThan(60);
      assertThat(unavailable).as("503s while the server was UP").isZero();
      assertThat(observer.registry().isAvailable("n5")).isTrue();
    } finally {
      service.stop(0);
    }
  }

  /** The weight the agent answers for this peer now (HealthView's rule, read through it). */
  private int weightOf(dev.failuredetector.PeerSnapshot<String> snapshot) {
    return HealthView.of(observer.registry()).peer(snapshot.key())
        .map(dev.failuredetector.netty.health.PeerHealth::weightPercent).orElse(0);
  }

  /** Starts HAProxy with {@link #config} and waits until both backends show n5 UP. */
  private Path startHaproxy(Path binary, int n5Port) throws IOException {
    Path socket = dir.resolve("haproxy.sock");
    startHaproxyWith(binary, socket, config(socket, n5Port));
    await().atMost(NodeProcess.GENEROUS).until(() -> bothAre("UP", socket));
    return socket;
  }

  /** Starts HAProxy with this configuration and waits until its stats socket exists. */
  private void startHaproxyWith(Path binary, Path socket, String configuration)
      throws IOException {
    Path config = dir.resolve("haproxy.cfg");
    Files.writeString(config, configuration);
    Path log = dir.resolve("haproxy.log");
    haproxy = new ProcessBuilder(binary.toString(), "-db", "-f", config.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    await().atMost(NodeProcess.GENEROUS).until(
        () -> Files.exists(socket) || !haproxy.isAlive());
    assertThat(haproxy.isAlive()).as("haproxy exited: %s", readQuietly(log)).isTrue();
  }

  private NodeProcess startN5(long incarnation, int port) throws IOException {
    NodeProcess n5 = NodeProcess.start(List.of(), "n5", "--bind", "127.0.0.1:" + port,
        "--interval", "100", "--pause", "200", "--min-std", "20", "--confirm", "60000",
        "--incarnation", Long.toString(incarnation),
        "--peer", "lb-side=127.0.0.1:" + observer.localAddress().getPort());
    processes.add(n5);
    observer.addPeer("n5", new InetSocketAddress("127.0.0.1", n5.port()));
    return n5;
  }

  /** The configuration docs/health-checks.md shows, on loopback, with this test's ports. */
  private String config(Path socket, int n5Port) {
    return String.join("\n", Haproxy.preamble(socket),
        "  timeout check 1s",
        "backend via_httpchk",
        "  option httpchk",
        "  http-check send meth GET uri /health/n5",
        "  http-check expect status 200",
        "  server n5 127.0.0.1:" + n5Port + " check addr 127.0.0.1 port "
            + health.httpAddress().getPort() + " inter 100ms fall 2 rise 2",
        "backend via_agent",
        "  server n5 127.0.0.1:" + n5Port + " agent-check agent-addr 127.0.0.1 agent-port "
            + health.agentAddress().getPort() + " agent-send \"n5\\n\" agent-inter 100ms",
        "");
  }

  /** Polls the stats socket until both backends' n5 show {@code status}; returns when each did. */
  private Map<String, Long> awaitBoth(String status, Path socket) {
    Map<String, Long> at = new HashMap<>();
    await().atMost(NodeProcess.GENEROUS).pollInterval(Duration.ofMillis(5)).until(() -> {
      Map<String, String> now = statuses(socket);
      long time = System.nanoTime();
      now.forEach((backend, s) -> {
        if (s.equals(status)) {
          at.putIfAbsent(backend, time);
        }
      });
      return at.size() == 2;
    });
    return at;
  }

  private boolean bothAre(String status, Path socket) throws IOException {
    Map<String, String> now = statuses(socket);
    return now.size() == 2 && now.values().stream().allMatch(status::equals);
  }

  /**
   * Backend name -> UP or DOWN for its server n5, from {@code show stat} (CSV). HAProxy writes
   * "UP 1/2" while a server is failing its checks but not yet down, "DOWN (agent)" when the agent
   * said down, and "no check" for a server with only an agent check that has not said down.
   */
  private static Map<String, String> statuses(Path socket) throws IOException {
    return Haproxy.statuses(socket, "n5");
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
