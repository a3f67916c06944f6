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
 * Real member processes in a network namespace of their own, each on its own 127.0.x.y and port:
 * our {@code node} with the cluster overlay ({@code --observers 8}, one shared {@code
 * --peers-file}, a key), our {@code node} all-to-all, and scalecube-cluster members (SWIM over
 * TCP, the {@code benchmarks-scalecube} jar, ping interval 200 ms, a ping timeout of 100 ms, its
 * other defaults); the same N, heartbeats every 200 ms, our default detector. For each: the packets
 * each member receives on its port (nftables counters) and the CPU it uses (/proc), over 30 s
 * after a 20 s warm-up; a one-way cut with nftables from a member to one member that watches it
 * (is anyone failed within 20 s?): for our nodes by source and destination address; scalecube's
 * TCP connections all come from 127.0.0.1, so the cut member runs under a uid of its own and the
 * rule drops its packets to member 0's port on output (its messages to member 0 are lost, member
 * 0's to it go through, as for ours); then a SIGKILL (when did each survivor declare it
 * failed: our CLUSTER line, our all-to-all TRANSITION to FAILED after the 10 s confirmation time,
 * scalecube's REMOVED event).
 *
 * <p>Needs root, {@code ip} and {@code nft}. Run: {@code ./mvnw -B -q -DskipTests package && java
 * -cp benchmarks/target/benchmarks.jar dev.failuredetector.benchmarks.ClusterProcesses [N, default
 * 50] [modes, default overlay,all-to-all,scalecube]}; {@code -Dscalecube.ping=1000} gives
 * scalecube its default ping interval (and timeout, half of it) instead of 200 ms.
 */
public final class ClusterProcesses {

  private static final String NS = "fd-bench-" + ProcessHandle.current().pid();
  /** The member whose messages to one member that watches it are cut. */
  private static final int CUT_FROM = 1;
  /** The uid scalecube's cut member runs under (any unused number: no account is needed). */
  private static final int CUT_UID = 60001;
  private static final int PORT = 7400;
  private static final String JAR = "failure-detector-cli/target/failure-detector.jar";
  private static final String SCALECUBE_JAR = "benchmarks-scalecube/target/scalecube-member.jar";

  /** What runs in each process. */
  private enum Mode {
    OVERLAY("overlay, --observers 8"), ALL_TO_ALL("all-to-all"), SCALECUBE("scalecube 2.7.10");

    final String label;

    Mode(String label) {
      this.label = label;
    }
  }
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
    /** Each CLUSTER or TRANSITION line's "KIND member state", with the times it was read. */
    final Map<String, List<Long>> seen = new ConcurrentHashMap<>();

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
              seen.computeIfAbsent(w[0] + " " + w[2] + " " + w[4],
                  k -> new CopyOnWriteArrayList<>()).add(System.nanoTime());
            }
          }
        } catch (IOException ended) {
          // the process ended
        }
      }, "out-" + id);
      reader.setDaemon(true);
      reader.start();
    }

    long cpuTicks() throws IOException {
      String[] stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat")).split(" ");
      return Long.parseLong(stat[13]) + Long.parseLong(stat[14]);
    }
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    List<Mode> modes = new ArrayList<>();
    for (String mode : (args.length > 1 ? args[1] : "overlay,all-to-all,scalecube").split(",")) {
      modes.add(Mode.valueOf(mode.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_')));
    }
    if (run("ip", "netns", "add", NS) != 0 || run("ip", "-n", NS, "link", "set", "lo", "up") != 0) {
      throw new IllegalStateException("cannot create network namespace " + NS + " (root?)");
    }
    try {
      System.out.println("| members | packets/s received per member | CPU per member (% of a"
          + " core) | one-way cut: nodes that failed the member | live members declared failed,"
          + " whole run, all nodes | SIGKILL: survivors that declared it failed | median | max |");
      System.out.println("|---|---|---|---|---|---|---|---|");
      for (Mode mode : modes) {
        runMode(n, mode);
      }
    } finally {
      run("ip", "netns", "del", NS);
    }
  }

  private static List<String> command(Mode mode, int i, int n, Path file) {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", NS));
    if (mode == Mode.SCALECUBE && i == CUT_FROM) {
      // Its own uid: the only way to tell its TCP packets from the others' (see the class doc).
      command.addAll(List.of("setpriv", "--reuid=" + CUT_UID, "--regid=" + CUT_UID,
          "--clear-groups"));
    }
    command.addAll(List.of("java", "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-XX:-UsePerfData"));
    if (mode == Mode.SCALECUBE) {
      command.addAll(List.of("-jar", SCALECUBE_JAR, id(i), address(i), String.valueOf(PORT + i),
          i == 0 ? "-" : address(0) + ":" + PORT, System.getProperty("scalecube.ping", "200")));
      return command;
    }
    command.addAll(List.of("-jar", JAR, "node", "--id", id(i), "--bind",
        address(i) + ":" + (PORT + i), "--peers-file", file.toString(), "--interval", "200ms"));
    if (mode == Mode.OVERLAY) {
      command.addAll(List.of("--observers", "8"));
    }
    return command;
  }

  /** The first time {@code key} was seen at or after {@code since}, or -1. */
  private static long firstSince(Node node, String key, long since) {
    for (long at : node.seen.getOrDefault(key, List.of())) {
      if (at - since >= 0) {
        return at;
      }
    }
    return -1;
  }

  /** Lines declaring a member other than {@code except} failed, over all nodes. */
  private static long declaredFailed(List<Node> nodes, String kind, String except) {
    long count = 0;
    for (Node node : nodes) {
      for (Map.Entry<String, List<Long>> e : node.seen.entrySet()) {
        String[] w = e.getKey().split(" ");
        if (w[0].equals(kind) && w[2].equals("FAILED") && !w[1].equals(except)) {
          count += e.getValue().size();
        }
      }
    }
    return count;
  }

  private static void runMode(int n, Mode mode) throws Exception {
    boolean overlay = mode == Mode.OVERLAY;
    Path dir = Files.createTempDirectory("fd-cluster-bench");
    StringBuilder peers = new StringBuilder();
    for (int i = 0; i < n; i++) {
      peers.append(id(i)).append('=').append(address(i)).append(':').append(PORT + i)
          .append('\n');
    }
    Path file = dir.resolve("members.txt");
    Files.writeString(file, peers);
    List<Node> nodes = new ArrayList<>();
    try {
      nft("add", "table", "inet", "fdcount");
      nft("add", "chain", "inet", "fdcount", "input",
          "{ type filter hook input priority 0 ; policy accept ; }");
      for (int i = 0; i < n; i++) {
        nft("add", "rule", "inet", "fdcount", "input", "meta", "l4proto", "{ tcp, udp }", "th",
            "dport", String.valueOf(PORT + i), "counter");
      }
      for (int i = 0; i < n; i++) {
        ProcessBuilder builder = new ProcessBuilder(command(mode, i, n, file))
            .redirectErrorStream(true);
        builder.environment().put("FD_KEY", KEY);
        nodes.add(new Node(id(i), builder.start()));
        if (i == 0 && mode == Mode.SCALECUBE) { // the seed listens before the others join
          awaitAll(nodes, node -> node.lines.stream().anyMatch(l -> l.startsWith("READY ")), 120);
        }
      }
      awaitAll(nodes, node -> node.lines.stream().anyMatch(l -> l.startsWith("READY ")), 300);
      if (mode == Mode.SCALECUBE) {
        String all = "MEMBERS " + (n - 1);
        awaitAll(nodes, node -> node.lines.stream().anyMatch(l -> l.equals(all)), 300);
      }
      Thread.sleep(20_000); // warm-up: every detector has its history
      long[] packets = packetsPerPort(n);
      long[] cpu = new long[n];
      for (int i = 0; i < n; i++) {
        cpu[i] = nodes.get(i).cpuTicks();
      }
      long start = System.nanoTime();
      Thread.sleep(30_000);
      double seconds = (System.nanoTime() - start) / 1e9;
      long[] packetsAfter = packetsPerPort(n);
      double received = 0;
      double cores = 0;
      for (int i = 0; i < n; i++) {
        received += (packetsAfter[i] - packets[i]) / seconds;
        cores += (nodes.get(i).cpuTicks() - cpu[i]) / (double) CLOCK_TICKS / seconds;
      }
      // One way: member 1's datagrams to one member that observes it are dropped (member 0
      // all-to-all; with the overlay, the first of its observers found).
      int cutFrom = CUT_FROM;
      String kind = mode == Mode.ALL_TO_ALL ? "TRANSITION" : "CLUSTER";
      long cutAt = System.nanoTime();
      int cutTo = overlay ? observerOf(nodes, cutFrom) : 0;
      nft("add", "table", "inet", "fdcut");
      if (mode == Mode.SCALECUBE) {
        nft("add", "chain", "inet", "fdcut", "output",
            "{ type filter hook output priority 0 ; policy accept ; }");
        nft("add", "rule", "inet", "fdcut", "output", "meta", "skuid", String.valueOf(CUT_UID),
            "tcp", "dport", String.valueOf(PORT + cutTo), "counter", "drop");
      } else {
        nft("add", "chain", "inet", "fdcut", "input",
            "{ type filter hook input priority 0 ; policy accept ; }");
        nft("add", "rule", "inet", "fdcut", "input", "ip", "saddr", address(cutFrom), "ip",
            "daddr", address(cutTo), "counter", "drop");
      }
      Thread.sleep(20_000); // past the detector's timeout and the 10 s confirmation time
      String cutKey = kind + " " + id(cutFrom) + " FAILED";
      String failedByCut = String.valueOf(nodes.stream()
          .filter(node -> firstSince(node, cutKey, cutAt) >= 0).count());
      long cutDrops = cutDrops(mode);
      // SIGKILL the last member.
      Node victim = nodes.get(n - 1);
      long killedAt = System.nanoTime();
      victim.process.destroyForcibly();
      String key = kind + " " + victim.id + " FAILED";
      List<Node> survivors = nodes.subList(0, n - 1);
      awaitAll(survivors, node -> firstSince(node, key, killedAt) >= 0, 60);
      long[] detection = survivors.stream().filter(node -> firstSince(node, key, killedAt) >= 0)
          .mapToLong(node -> firstSince(node, key, killedAt) - killedAt).sorted().toArray();
      long falselyDeclared = declaredFailed(nodes, kind, victim.id);
      List<String> missing = survivors.stream()
          .filter(node -> firstSince(node, key, killedAt) < 0)
          .map(node -> node.id + " (last lines: " + node.lines.subList(
              Math.max(0, node.lines.size() - 3), node.lines.size()) + ")").toList();
      if (!missing.isEmpty()) {
        System.err.println(mode.label + ": did not declare " + victim.id + " failed: " + missing);
      }
      System.out.printf("| %d, %s | %.1f | %.1f | %s (%d packets cut) | %d | %d of %d | %s | %s |%n",
          n, mode == Mode.SCALECUBE ? mode.label + ", ping " + System.getProperty(
              "scalecube.ping", "200") + " ms" : mode.label,
          received / n, 100 * cores / n, failedByCut, cutDrops, falselyDeclared,
          detection.length, n - 1,
          detection.length == 0 ? "-" : String.format("%.2f s", detection[detection.length / 2] / 1e9),
          detection.length == 0 ? "-" : String.format("%.2f s", detection[detection.length - 1] / 1e9));
    } finally {
      nft("delete", "table", "inet", "fdcut");
      nft("delete", "table", "inet", "fdcount");
      for (Node node : nodes) {
        node.process.destroyForcibly();
      }
      for (Node node : nodes) {
        node.process.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  /** Packets counted so far to each member's port. */
  /** {@code nft list chain inet <table> <chain>} inside the namespace: its text. */
  private static String nftList(String table, String chain) throws Exception {
    Process list = new ProcessBuilder("ip", "netns", "exec", NS, "nft", "list", "chain", "inet",
        table, chain).redirectErrorStream(true).start();
    String text = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    list.waitFor(30, TimeUnit.SECONDS);
    return text;
  }

  private static long[] packetsPerPort(int n) throws Exception {
    String text = nftList("fdcount", "input");
    long[] packets = new long[n];
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("dport (\\d+) counter packets (\\d+)").matcher(text);
    while (m.find()) {
      int i = Integer.parseInt(m.group(1)) - PORT;
      if (i >= 0 && i < n) {
        packets[i] = Long.parseLong(m.group(2));
      }
    }
    return packets;
  }

  /** Packets the cut dropped so far (the cut bites). */
  private static long cutDrops(Mode mode) throws Exception {
    String text = nftList("fdcut", mode == Mode.SCALECUBE ? "output" : "input");
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("counter packets (\\d+)")
        .matcher(text);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
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
