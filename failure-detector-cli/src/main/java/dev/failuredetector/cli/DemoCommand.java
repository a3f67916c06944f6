package dev.failuredetector.cli;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.PeerSnapshot;
import dev.failuredetector.PeerState;
import dev.failuredetector.PeerTransition;
import dev.failuredetector.TransitionReason;
import dev.failuredetector.netty.HeartbeatNode;
import dev.failuredetector.netty.KeyRing;
import dev.failuredetector.netty.KeySource;
import dev.failuredetector.netty.Transport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code demo}: five heartbeat nodes on loopback: four in this process (the observers n1-n4) and
 * one, n5, in a child JVM (this tool's {@code node} command). It prints a live table of how each observer sees n5, kills n5
 * with SIGKILL, restarts it, and prints the measured detection and recovery times next to what
 * each observer's detector predicted at the moment of the kill. It runs once over UDP and once
 * over TCP (or only the one named as argument: {@code udp} or {@code tcp}). About 20 s.
 *
 * <p>Settings: heartbeat every 100 ms, phi accrual with threshold 8, acceptable pause 200 ms,
 * minimum deviation 20 ms, SUSPECTED confirmed FAILED after 500 ms, HMAC-SHA256 on.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    versionProvider = FailureDetectorCli.Version.class,
    description = {"Five nodes on loopback (four here, one in a child JVM): kills the fifth with"
        + " SIGKILL, restarts it, and prints each observer's view and the measured detection and"
        + " recovery times next to what its detector predicted. About 20 s.",
        "Settings: heartbeat every 100 ms, phi threshold 8, pause 200 ms, minimum deviation"
        + " 20 ms, FAILED 500 ms after SUSPECTED, HMAC-SHA256 on."})
final class DemoCommand implements Callable<Integer> {

  private static final long MS = 1_000_000L;
  private static final Duration INTERVAL = Duration.ofMillis(100);
  private static final Duration PAUSE = Duration.ofMillis(200);
  private static final Duration MIN_STD = Duration.ofMillis(20);
  private static final Duration CONFIRM = Duration.ofMillis(500);
  private static final String KEY_HEX = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
  private static final String VICTIM = "n5";
  private static final int OBSERVERS = 4;
  private static final long BOUND_NANOS = TimeUnit.SECONDS.toNanos(30);

  @Parameters(arity = "0..1", paramLabel = "udp|tcp", converter = NodeCommand.TransportConverter.class,
      description = "Only this transport (default: UDP, then TCP).")
  private Transport only;

  private Transport transport;
  private final List<HeartbeatNode> observers = new ArrayList<>();
  /** Per observer, when it saw n5 become SUSPECTED / FAILED / AVAILABLE again (nanoTime). */
  private final Map<String, Long> suspectedAt = new ConcurrentHashMap<>();
  private final Map<String, Long> failedAt = new ConcurrentHashMap<>();
  private final Map<String, TransitionReason> failedBy = new ConcurrentHashMap<>();
  private final Map<String, Long> backAt = new ConcurrentHashMap<>();
  private long startNanos;
  private Process victim;

  @Override
  public Integer call() throws Exception {
    for (Transport next : only == null ? List.of(Transport.UDP, Transport.TCP) : List.of(only)) {
      transport = next;
      observers.clear();
      suspectedAt.clear();
      failedAt.clear();
      failedBy.clear();
      backAt.clear();
      startNanos = System.nanoTime();
      run();
    }
    return FailureDetectorCli.OK;
  }

  private void run() throws Exception {
    System.out.printf("%n=== %s: observers n1-n4 in this JVM, n5 in a child JVM; heartbeat %d ms,"
        + " phi threshold 8, pause %d ms, confirm %d ms ===%n", transport, INTERVAL.toMillis(),
        PAUSE.toMillis(), CONFIRM.toMillis());
    try {
      for (int i = 1; i <= OBSERVERS; i++) {
        observers.add(startObserver("n" + i));
      }
      for (HeartbeatNode a : observers) {
        for (HeartbeatNode b : observers) {
          if (a != b) {
            a.addPeer(b.localId(), b.localAddress());
          }
        }
      }
      int victimPort = spawnVictim(0, 1);
      InetSocketAddress victimAddress = new InetSocketAddress("127.0.0.1", victimPort);
      observers.forEach(o -> o.addPeer(VICTIM, victimAddress));

      waitShowing("warm-up: until every observer sees all four peers AVAILABLE",
          () -> observers.stream()
              .allMatch(o -> o.registry().stats().peers(PeerState.AVAILABLE) == OBSERVERS));
      showFor(Duration.ofSeconds(2));

      long[] predicted = new long[OBSERVERS];
      for (int i = 0; i < OBSERVERS; i++) {
        PeerSnapshot<String> s = observers.get(i).registry().snapshot(VICTIM).orElseThrow();
        predicted[i] = s.timeoutNanos() - s.nanosSinceLastHeartbeat();
      }
      long killedAt = System.nanoTime();
      victim.destroyForcibly();
      System.out.println("\n>>> kill -9 n5");
      waitShowing("until every observer has declared n5 FAILED",
          () -> failedAt.size() == OBSERVERS);
      showFor(Duration.ofSeconds(1));

      long restartedAt = System.nanoTime();
      System.out.println("\n>>> restart n5 (new JVM, same port, higher incarnation)");
      spawnVictim(victimPort, 2);
      long readyAt = System.nanoTime();
      waitShowing("until every observer sees n5 AVAILABLE again", () -> backAt.size() == OBSERVERS);
      show();
      report(killedAt, predicted, restartedAt, readyAt);
    } finally {
      if (victim != null) {
        victim.destroyForcibly();
      }
      observers.forEach(HeartbeatNode::close);
    }
  }

  private HeartbeatNode startObserver(String id) throws InterruptedException {
    HeartbeatNode node = HeartbeatNode.builder().localId(id).transport(transport)
        .bind(new InetSocketAddress("127.0.0.1", 0)).interval(INTERVAL)
        .keyRing(KeyRing.of(1, HexFormat.of().parseHex(KEY_HEX)))
        .registry(r -> r.detector(DetectorSpec.phi().withInterval(INTERVAL)
            .withPause(PAUSE).withMinStd(MIN_STD)))
        .registry(r -> r.confirmationTime(CONFIRM))
        .build();
    node.registry().addListener(t -> record(id, t));
    return node.start();
  }

  private void record(String observer, PeerTransition<String> t) {
    if (!t.key().equals(VICTIM)) {
      return;
    }
    if (t.to() == PeerState.SUSPECTED) {
      suspectedAt.putIfAbsent(observer, t.atNanos());
    } else if (t.to() == PeerState.FAILED) {
      failedAt.putIfAbsent(observer, t.atNanos());
      failedBy.putIfAbsent(observer, t.reason());
    } else if (t.to() == PeerState.AVAILABLE && failedAt.containsKey(observer)) {
      backAt.putIfAbsent(observer, t.atNanos());
    }
  }

  /** Starts n5 in a child JVM and returns its port once it is listening. */
  private int spawnVictim(int port, long incarnation) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "-cp", System.getProperty("java.class.path"), "-Xmx64m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", // starts sooner: the restart time includes it
        "-Dslf4j.internal.verbosity=ERROR",
        FailureDetectorCli.class.getName(), "node", "--id", VICTIM, "--bind", "127.0.0.1:" + port,
        "--transport", transport.name().toLowerCase(Locale.ROOT),
        "--interval", String.valueOf(INTERVAL.toMillis()), "--pause",
        String.valueOf(PAUSE.toMillis()), "--min-std", String.valueOf(MIN_STD.toMillis()),
        "--confirm", String.valueOf(CONFIRM.toMillis()), "--incarnation",
        String.valueOf(incarnation)));
    for (HeartbeatNode o : observers) {
      command.add("--peer");
      command.add(o.localId() + "=127.0.0.1:" + o.localAddress().getPort());
    }
    ProcessBuilder child = new ProcessBuilder(command).redirectErrorStream(true);
    // The key goes by the environment, never the command line (readable in /proc/PID/cmdline).
    child.environment().put(KeySource.ENVIRONMENT_VARIABLE, "1:" + KEY_HEX);
    victim = child.start();
    CountDownLatch ready = new CountDownLatch(1);
    int[] readyPort = new int[1];
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(
          new InputStreamReader(victim.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = out.readLine()) != null; ) {
          if (line.startsWith("READY ")) {
            readyPort[0] = Integer.parseInt(line.split(" ")[2]);
            ready.countDown();
          } else if (!line.startsWith("TRANSITION ")) {
            System.out.println("  [n5] " + line);
          }
        }
      } catch (IOException e) {
        // the child was killed: its output ends
      }
    }, "n5-output");
    reader.setDaemon(true);
    reader.start();
    if (!ready.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("n5 did not start within 30 s");
    }
    return readyPort[0];
  }

  private void waitShowing(String what, BooleanSupplier done) throws InterruptedException {
    System.out.println("\n... " + what);
    long deadline = System.nanoTime() + BOUND_NANOS;
    long nextFrame = 0;
    while (!done.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("not reached within 30 s: " + what);
      }
      if (System.nanoTime() - nextFrame > 0) {
        show();
        nextFrame = System.nanoTime() + 250 * MS;
      }
      Thread.sleep(10); // polling a condition for a demo's display, not a test wait
    }
  }

  private void showFor(Duration duration) throws InterruptedException {
    long end = System.nanoTime() + duration.toNanos();
    while (System.nanoTime() - end < 0) {
      Thread.sleep(500);
      show();
    }
  }

  /** One frame of the live table: each observer's view of n5, and the others in short. */
  private void show() {
    System.out.printf("  t=%6.2fs  %-8s %-10s %-18s %6s %8s %9s   %s%n",
        (System.nanoTime() - startNanos) / 1e9, "observer", "n5 state", "reason", "phi",
        "timeout", "since hb", "other peers");
    for (HeartbeatNode o : observers) {
      PeerSnapshot<String> s = o.registry().snapshot(VICTIM).orElse(null);
      StringBuilder others = new StringBuilder();
      for (HeartbeatNode p : observers) {
        if (p != o) {
          others.append(p.localId()).append('=').append(abbreviate(o.registry().state(p.localId())))
              .append(' ');
        }
      }
      if (s == null) {
        continue;
      }
      System.out.printf("             %-8s %-10s %-18s %6s %6dms %7dms   %s%n", o.localId(),
          s.state(), s.reason(),
          s.phi().isPresent() ? String.format(Locale.ROOT, "%.2f", Math.min(s.phi().getAsDouble(),
              dev.failuredetector.netty.health.PeerHealth.MAX_PHI))
              : "-",
          s.timeoutNanos() / MS, Math.min(s.nanosSinceLastHeartbeat(), 99_999 * MS) / MS, others);
    }
  }

  private static String abbreviate(PeerState state) {
    return switch (state) {
      case AVAILABLE -> "up";
      case SUSPECTED -> "SUSPECT";
      case FAILED -> "FAILED";
      default -> state.name().toLowerCase(Locale.ROOT);
    };
  }

  private void report(long killedAt, long[] predicted, long restartedAt, long readyAt) {
    System.out.printf("%n=== %s results (measured on this machine, this run) ===%n", transport);
    System.out.printf("  %-8s %22s %14s %14s %-18s %16s%n", "observer", "predicted at kill",
        "suspected", "failed", "failure reason", "available again");
    for (int i = 0; i < OBSERVERS; i++) {
      String id = observers.get(i).localId();
      Long suspected = suspectedAt.get(id);
      System.out.printf("  %-8s %19d ms %11s ms %11d ms %-18s %13d ms%n", id, predicted[i] / MS,
          suspected == null ? "-" : String.valueOf((suspected - killedAt) / MS),
          (failedAt.get(id) - killedAt) / MS, failedBy.get(id), (backAt.get(id) - restartedAt) / MS);
    }
    System.out.printf("  Times after the kill; \"available again\" after the restart command (n5's"
        + " JVM took %d ms to start listening).%n", (readyAt - restartedAt) / MS);
    if (transport == Transport.TCP) {
      System.out.println("  TCP: the refused reconnection marks n5 FAILED at once (no timeout).");
    } else {
      System.out.printf("  UDP: suspicion when phi crosses 8; FAILED %d ms later.%n",
          CONFIRM.toMillis());
    }
  }
}
