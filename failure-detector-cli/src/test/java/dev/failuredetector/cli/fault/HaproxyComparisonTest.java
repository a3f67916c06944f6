package dev.failuredetector.cli.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.failuredetector.PeerState;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Side by side, same target, same link, same run: HAProxy's own HTTP check of an nginx against
 * {@code node --probe} of the same nginx feeding HAProxy's agent check. The link between them and
 * nginx has heavy-tailed delay ({@link DelayRelay}: Pareto jitter per chunk, seeded); first a
 * window of jitter alone (nginx is healthy throughout: every DOWN is false), then SIGSTOP of nginx
 * (silence), SIGCONT, then SIGKILL (refused connections). HAProxy's stats socket is read every
 * 10 ms; a table of false DOWNs and detection times is printed.
 *
 * <p>The window is {@code -Dfd.comparison.seconds} (60 by default; BENCHMARKS.md's figures use
 * 300). Skipped (saying so) where haproxy or nginx is missing; {@code .ci/run} installs both.
 */
class HaproxyComparisonTest {

  private static final long MS = 1_000_000L;
  /** HAProxy settings a user would choose for a detection time of about 0.8 s. */
  static final String HAPROXY_CHECK = "check inter 200ms fall 3 rise 2";
  static final String HAPROXY_TIMEOUT = "timeout check 200ms";
  /** The link's jitter: Pareto with this scale (ms) and shape, per chunk of bytes each way. */
  static final long SCALE_MS = Long.getLong("fd.comparison.scale", 30);
  static final double SHAPE = Double.parseDouble(System.getProperty("fd.comparison.shape", "0.9"));
  /** The node's settings for about the same detection time. */
  static final String DETECTOR = "phi:pause=0s,min-std=20ms,threshold=8";

  @TempDir
  Path dir;

  private final List<AutoCloseable> resources = new ArrayList<>();
  private Process haproxy;

  @AfterEach
  void cleanUp() throws Exception {
    if (haproxy != null) {
      haproxy.destroyForcibly().waitFor();
    }
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  /** A change of a backend's server status, seen on the stats socket. */
  record Change(long atNanos, String backend, String status) {}

  @Test
  void probesFeedingTheAgentCheckAgainstHaproxysOwnCheckUnderJitterStopAndKill()
      throws Exception {
    Optional<Path> haproxyBinary = Haproxy.binary();
    Optional<Path> nginxBinary = Nginx.binary();
    assumeTrue(haproxyBinary.isPresent() && nginxBinary.isPresent(),
        "haproxy or nginx is not installed (.ci/run installs both with apt-get)");
    Duration window = Duration.ofSeconds(Long.getLong("fd.comparison.seconds", 60));

    Nginx nginx = Nginx.start(nginxBinary.get(), dir.resolve("nginx"));
    resources.add(nginx);
    DelayRelay link = new DelayRelay(new InetSocketAddress("127.0.0.1", nginx.port()),
        MS, SCALE_MS * MS, SHAPE, 2_000 * MS, 42);
    resources.add(link);
    NodeProcess node = NodeProcess.start(List.of(), "lb", "--interval", "100ms",
        "--detector", DETECTOR,
        "--probe", "web=http://127.0.0.1:" + link.port() + "/healthz",
        "--agent", "127.0.0.1:0");
    resources.add(node);
    int agentPort = node.agentPort();

    Path socket = dir.resolve("haproxy.sock");
    String config = String.join("\n", Haproxy.preamble(socket),
        "  " + HAPROXY_TIMEOUT,
        "backend own_check",
        "  option httpchk",
        "  http-check send meth GET uri /healthz",
        "  http-check expect status 200",
        "  server web 127.0.0.1:" + link.port() + " " + HAPROXY_CHECK,
        "backend agent_check",
        "  server web 127.0.0.1:" + link.port() + " weight 100 agent-check agent-addr 127.0.0.1"
            + " agent-port " + agentPort + " agent-send \"web\\n\" agent-inter 100ms",
        "");
    Path file = dir.resolve("haproxy.cfg");
    Files.writeString(file, config);
    haproxy = new ProcessBuilder(haproxyBinary.get().toString(), "-db", "-f", file.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
    await().atMost(NodeProcess.GENEROUS).until(() -> Files.exists(socket) || !haproxy.isAlive());
    assertThat(haproxy.isAlive()).as("haproxy: %s", Files.readString(dir.resolve("haproxy.log")))
        .isTrue();
    try {
      await().atMost(NodeProcess.GENEROUS).until(() -> bothAre("UP", socket));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("not both UP: " + Haproxy.command(socket, "show stat")
          + "\nnode: " + node.output() + "\nhaproxy: "
          + Files.readString(dir.resolve("haproxy.log")), e);
    }

    // Every change of either server's status, from now on.
    List<Change> changes = new CopyOnWriteArrayList<>();
    Map<String, String> last = new ConcurrentHashMap<>(Map.of("own_check", "UP",
        "agent_check", "UP"));
    Thread poller = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          Haproxy.statuses(socket, "web").forEach((backend, status) -> {
            if (!status.equals(last.put(backend, status))) {
              changes.add(new Change(System.nanoTime(), backend, status));
            }
          });
        } catch (IOException e) {
          return; // haproxy is gone: the test is over
        }
        LockSupport.parkNanos(10 * MS);
      }
    }, "stats-poller");
    poller.setDaemon(true);
    poller.start();
    resources.add(poller::interrupt);

    // 1. Jitter alone: nginx is healthy, so every DOWN is a false one.
    long windowStart = System.nanoTime();
    long windowEnd = windowStart + window.toNanos();
    while (System.nanoTime() - windowEnd < 0) { // an observation window, not a wait for a state
      LockSupport.parkNanos(100 * MS);
    }
    long ownFalse = downs(changes, "own_check", windowStart, windowEnd);
    long agentFalse = downs(changes, "agent_check", windowStart, windowEnd);
    long detectorFalse = node.transitions().stream().filter(t -> t.peer().equals("web")
        && t.to() == PeerState.SUSPECTED).count();
    await().atMost(NodeProcess.GENEROUS).until(() -> bothAre("UP", socket));

    // 2. SIGSTOP, five times: the kernel still accepts connections, no answer comes.
    Map<String, List<Long>> stopDown = Map.of("own_check", new ArrayList<>(), "agent_check",
        new ArrayList<>());
    for (int trial = 0; trial < TRIALS; trial++) {
      awaitSettled(socket, changes);
      long stopped = System.nanoTime();
      nginx.stop();
      awaitBothDown(changes, stopped).forEach((b, at) -> stopDown.get(b).add((at - stopped) / MS));
      nginx.resume();
    }
    // 3. SIGKILL, five times: the next connections are refused; nginx is started again.
    Map<String, List<Long>> killDown = Map.of("own_check", new ArrayList<>(), "agent_check",
        new ArrayList<>());
    for (int trial = 0; trial < TRIALS; trial++) {
      awaitSettled(socket, changes);
      long killed = System.nanoTime();
      nginx.kill();
      awaitBothDown(changes, killed).forEach((b, at) -> killDown.get(b).add((at - killed) / MS));
      nginx.restart();
    }

    String table = String.join("\n",
        String.format("HAProxy's own check against node --probe feeding the agent check, nginx"
            + " behind a link with Pareto delay (scale %d ms, shape %s, cap 2 s, seed 42): %d s,"
            + " %d chunks, %d held over 200 ms", SCALE_MS, SHAPE, window.toSeconds(),
            link.chunks(), link.delayedOver200ms()),
        "| | HAProxy `" + HAPROXY_CHECK + "`, `" + HAPROXY_TIMEOUT + "` | `node --probe`"
            + " (100 ms, `" + DETECTOR + "`) + agent check (`agent-inter 100ms`) |",
        "|---|---|---|",
        String.format("| false DOWNs in %d s of jitter | %d | %d (detector suspicions: %d) |",
            window.toSeconds(), ownFalse, agentFalse, detectorFalse),
        String.format("| SIGSTOP, %d times: DOWN after, ms | %s | %s |", TRIALS,
            summary(stopDown.get("own_check")), summary(stopDown.get("agent_check"))),
        String.format("| SIGKILL, %d times: DOWN after, ms | %s | %s |", TRIALS,
            summary(killDown.get("own_check")), summary(killDown.get("agent_check"))));
    System.out.println(table);

    assertThat(agentFalse).as("false DOWNs: probes vs HAProxy's own check")
        .isLessThanOrEqualTo(ownFalse);
    assertThat(median(killDown.get("agent_check")))
        .as("a refused connection is one probe, not `fall` checks")
        .isLessThan(median(killDown.get("own_check")));
  }

  private static final int TRIALS = 5;

  /** Both servers UP, and no change for two seconds (so a trial starts from a quiet state). */
  private void awaitSettled(Path socket, List<Change> changes) {
    await().atMost(NodeProcess.GENEROUS).until(() -> bothAre("UP", socket) && (changes.isEmpty()
        || System.nanoTime() - changes.get(changes.size() - 1).atNanos() > 2_000 * MS));
  }

  private static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  /** "median (min-max)". */
  private static String summary(List<Long> values) {
    return median(values) + " (" + values.stream().mapToLong(Long::longValue).min().orElse(0)
        + "-" + values.stream().mapToLong(Long::longValue).max().orElse(0) + ")";
  }

  private boolean bothAre(String status, Path socket) throws IOException {
    Map<String, String> now = Haproxy.statuses(socket, "web");
    return now.size() == 2 && now.values().stream().allMatch(status::equals);
  }

  private static long downs(List<Change> changes, String backend, long from, long to) {
    return changes.stream().filter(c -> c.backend().equals(backend) && c.status().equals("DOWN")
        && c.atNanos() - from >= 0 && c.atNanos() - to < 0).count();
  }

  /** Waits until both backends went DOWN after {@code since}; returns when each did. */
  private static Map<String, Long> awaitBothDown(List<Change> changes, long since) {
    Map<String, Long> at = new ConcurrentHashMap<>();
    await().atMost(NodeProcess.GENEROUS).until(() -> {
      for (Change change : changes) {
        if (change.status().equals("DOWN") && change.atNanos() - since >= 0) {
          at.putIfAbsent(change.backend(), change.atNanos());
        }
      }
      return at.size() == 2;
    });
    return at;
  }
}
