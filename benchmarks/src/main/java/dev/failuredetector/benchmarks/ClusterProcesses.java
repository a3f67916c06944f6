package dev.failuredetector.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Real {@code node} processes of the jar, in a network namespace of their own (each on its own
 * 127.0.0.x, one shared {@code --peers-file}, a key), once with the cluster overlay ({@code
 * --observers 8}) and once all-to-all, the same N, interval 200 ms, the default detector: the
 * messages each node sends and the CPU it uses (over 30 s after a 20 s warm-up), then a one-way cut
 * with nftables from a member to one of its observers (is anyone failed?), then a SIGKILL (when
 * did each survivor confirm it?).
 *
 * <p>Needs root, {@code ip} and {@code nft}. Run: {@code ./mvnw -B -q -DskipTests package && java
 * -cp benchmarks/target/benchmarks.jar dev.failuredetector.benchmarks.ClusterProcesses [N, default
 * 50] [jar, default failure-detector-cli/target/failure-detector.jar]}
 */
public final class ClusterProcesses {

  private static final String NS = "fd-bench-" + ProcessHandle.current().pid();
  private static final int PORT = 7400;
  private static final String KEY =
      "1:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
  private static final long CLOCK_TICKS = 100; // USER_HZ on Linux

  private ClusterProcesses() {}

  /** One running node: its output lines, each with the time it was read. */
  private static final class Node {
    final String id;
    final Process process;
    final Writer stdin;
    final List<String> lines = new CopyOnWriteArrayList<>();
    final Map<String, Long> firstSeen = new ConcurrentHashMap<>();

    Node(String id, Process process) {
      this.id = id;
      this.process = process;
      this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      Thread reader = new Thread(() -> {
        try (BufferedReader out = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = out.readLine()) != null; ) {
            lines.add(line);
            String[] w = line.split(" ");
            if (w.length > 4 && (w[0].equals("CLUSTER") || w[0].equals("TRANSITION"))) {
              firstSeen.putIfAbsent(w[0] + " " + w[2] + " " + w[4], System.nanoTime());
            }
          }
        } catch (IOException ended) {
          // the process ended
        }
      }, "out-" + id);
      reader.setDaemon(true);
      reader.start();
    }

    long status(String field) throws Exception {
      int before = lines.size();
      stdin.write("status\n");
      stdin.flush();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline) {
        for (int i = before; i < lines.size(); i++) {
          if (lines.get(i).startsWith("STATUS ")) {
            for (String f : lines.get(i).split(" ")) {
              if (f.startsWith(field + "=")) {
                return Long.parseLong(f.substring(field.length() + 1));
              }
            }
            return -1;
          }
        }
        Thread.sleep(10); // a benchmark harness polling a process, not a test
      }
      throw new IllegalStateException(id + ": no STATUS");
    }

    long cpuTicks() throws IOException {
      String[] stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat")).split(" ");
      return Long.parseLong(stat[13]) + Long.parseLong(stat[14]);
    }
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    String jar = args.length > 1 ? args[1] : "failure-detector-cli/target/failure-detector.jar";
    if (run("ip", "netns", "add", NS) != 0 || run("ip", "-n", NS, "link", "set", "lo", "up") != 0) {
      throw new IllegalStateException("cannot create network namespace " + NS + " (root?)");
    }
    try {
      System.out.println("| mode | nodes | msg/s sent per node | CPU per node (% of a core) |"
          + " one-way cut: members failed | SIGKILL: survivors that confirmed | median | max |");
      System.out.println("|---|---|---|---|---|---|---|---|");
      runMode(n, jar, true);
      runMode(n, jar, false);
    } finally {
      run("ip", "netns", "del", NS);
    }
  }

  private static void runMode(int n, String jar, boolean overlay) throws Exception {
    Path dir = Files.createTempDirectory("fd-cluster-bench");
    StringBuilder peers = new StringBuilder();
    for (int i = 0; i < n; i++) {
      peers.append(id(i)).append('=').append(address(i)).append(':').append(PORT).append('\n');
    }
    Path file = dir.resolve("members.txt");
    Files.writeString(file, peers);
    List<Node> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", NS, "java",
            "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar, "node",
            "--id", id(i), "--bind", address(i) + ":" + PORT, "--peers-file", file.toString(),
            "--interval", "200ms"));
        if (overlay) {
          command.addAll(List.of("--observers", "8"));
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("FD_KEY", KEY);
        nodes.add(new Node(id(i), builder.start()));
      }
      awaitAll(nodes, node -> node.lines.stream().anyMatch(l -> l.startsWith("READY ")), 300);
      Thread.sleep(20_000); // warm-up: every detector has its history
      long[] sent = new long[n];
      long[] cpu = new long[n];
      for (int i = 0; i < n; i++) {
        sent[i] = nodes.get(i).status("sent");
        cpu[i] = nodes.get(i).cpuTicks();
      }
      long start = System.nanoTime();
      Thread.sleep(30_000);
      double seconds = (System.nanoTime() - start) / 1e9;
      double messages = 0;
      double cores = 0;
      for (int i = 0; i < n; i++) {
        messages += (nodes.get(i).status("sent") - sent[i]) / seconds;
        cores += (nodes.get(i).cpuTicks() - cpu[i]) / (double) CLOCK_TICKS / seconds;
      }
      // One way: member 1's datagrams to one member that observes it are dropped (member 0
      // all-to-all; with the overlay, the first of its observers found).
      int cutFrom = 1;
      int cutTo = overlay ? observerOf(nodes, cutFrom) : 0;
      nft("add", "table", "inet", "fdcut");
      nft("add", "chain", "inet", "fdcut", "input",
          "{ type filter hook input priority 0 ; policy accept ; }");
      nft("add", "rule", "inet", "fdcut", "input", "ip", "saddr", address(cutFrom), "ip",
          "daddr", address(cutTo), "drop");
      Thread.sleep(20_000); // past the detector's timeout and the 10 s confirmation time
      String cutId = id(cutFrom);
      long failedByCut = nodes.stream().filter(node -> node.firstSeen.containsKey(
          (overlay ? "CLUSTER " : "TRANSITION ") + cutId + " FAILED")).count();
      // SIGKILL the last member.
      Node victim = nodes.get(n - 1);
      long killedAt = System.nanoTime();
      victim.process.destroyForcibly();
      String key = (overlay ? "CLUSTER " : "TRANSITION ") + victim.id + " FAILED";
      List<Node> survivors = nodes.subList(0, n - 1);
      awaitAll(survivors, node -> node.firstSeen.containsKey(key), 60);
      long[] detection = survivors.stream().filter(node -> node.firstSeen.containsKey(key))
          .mapToLong(node -> node.firstSeen.get(key) - killedAt).sorted().toArray();
      System.out.printf("| %s | %d | %.1f | %.1f | %d | %d of %d | %s | %s |%n",
          overlay ? "overlay, --observers 8" : "all-to-all", n, messages / n, 100 * cores / n,
          failedByCut, detection.length, n - 1,
          detection.length == 0 ? "-" : String.format("%.2f s", detection[detection.length / 2] / 1e9),
          detection.length == 0 ? "-" : String.format("%.2f s", detection[detection.length - 1] / 1e9));
    } finally {
      nft("delete", "table", "inet", "fdcut");
      for (Node node : nodes) {
        node.process.destroyForcibly();
      }
      for (Node node : nodes) {
        node.process.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  /** A member that observes {@code member}: its node prints a TRANSITION for it. */
  private static int observerOf(List<Node> nodes, int member) {
    for (int i = 0; i < nodes.size(); i++) {
      String id = id(member);
      if (i != member && nodes.get(i).lines.stream()
          .anyMatch(l -> l.startsWith("TRANSITION ") && l.split(" ")[2].equals(id))) {
        return i;
      }
    }
    throw new IllegalStateException("nobody observes " + id(member));
  }

  private static void awaitAll(List<Node> nodes, Predicate<Node> done, int seconds)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline && !nodes.stream().allMatch(done)) {
      Thread.sleep(50);
    }
  }

  private static String id(int i) {
    return "m" + i;
  }

  private static String address(int i) {
    return "127.0." + (1 + i / 250) + "." + (1 + i % 250);
  }

  private static void nft(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", NS, "nft"));
    command.addAll(Arrays.asList(args));
    run(command.toArray(new String[0]));
  }

  private static int run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getInputStream().readAllBytes();
    return process.waitFor(60, TimeUnit.SECONDS) ? process.exitValue() : -1;
  }
}
