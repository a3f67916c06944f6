package dev.failuredetector.cli.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failuredetector.PeerState;
import dev.failuredetector.cluster.ObserverTopology;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster overlay as a user runs it: eight {@code node} processes with {@code --observers 4}
 * and one shared {@code --peers-file}, keyed, in a network namespace this test creates (each on its
 * own 127.0.0.x address of the namespace's loopback, so nftables can cut one link one way without
 * touching the host). A one-way cut from a member to one of its observers fails nobody; a
 * SIGKILLed member is confirmed FAILED at every survivor; {@code /peers} and {@code /health/{id}}
 * (read with curl inside the namespace) carry the confirmed view beside the node's own.
 *
 * <p>Needs root, {@code ip}, {@code nft} and {@code curl}; skipped, saying so, without them.
 */
class ClusterOverlayProcessTest {

  private static final String NS = "fd-c-"
      + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
  private static final int MEMBERS = 8;
  private static final int K = 4;
  private static final int PORT = 7300;
  private static final Map<String, String> KEY =
      Map.of("FD_KEY", "1:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");

  private final Map<String, NodeProcess> nodes = new LinkedHashMap<>();

  @TempDir
  Path dir;

  @BeforeAll
  static void createNamespace() throws Exception {
    String missing = null;
    if (run("nft", "--version") != 0) {
      missing = "nft (nftables) is not installed";
    } else if (run("curl", "--version") != 0) {
      missing = "curl is not installed";
    } else if (run("ip", "netns", "add", NS) != 0 || run("ip", "-n", NS, "link", "set", "lo", "up") != 0) {
      missing = "cannot create a network namespace (root?)";
    }
    String reason = missing;
    Assumptions.assumeTrue(reason == null,
        () -> "SKIPPED cluster overlay process test: " + reason);
  }

  @AfterAll
  static void deleteNamespace() throws Exception {
    run("ip", "netns", "del", NS);
  }

  @AfterEach
  void stopNodes() {
    nodes.values().forEach(NodeProcess::close);
  }

  private static String id(int i) {
    return "m" + i;
  }

  private static String address(int i) {
    return "127.0.0." + (10 + i);
  }

  private static int run(String... command) throws IOException, InterruptedException {
    return PartitionTest.run(command);
  }

  /** GET http://host:port/path from inside the namespace: the status and the body. */
  private static String[] get(String hostPort, String path) throws Exception {
    Process curl = new ProcessBuilder("ip", "netns", "exec", NS, "curl", "-s", "-m", "10", "-w",
        "\n%{http_code}", "http://" + hostPort + path).redirectErrorStream(true).start();
    String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    curl.waitFor(30, TimeUnit.SECONDS);
    int newline = out.lastIndexOf('\n');
    return new String[] {out.substring(newline + 1).strip(), out.substring(0, newline)};
  }

  /** CLUSTER lines of a node about a member reaching {@code state}. */
  private static boolean clusterSays(NodeProcess node, String member, String state) {
    return node.output().stream().anyMatch(line -> {
      String[] w = line.split(" ");
      return w[0].equals("CLUSTER") && w[2].equals(member) && w[4].equals(state);
    });
  }

  /** What each node said about {@code member}: its CLUSTER lines and its last STATUS line. */
  private String diagnosis(String member) {
    StringBuilder out = new StringBuilder();
    for (NodeProcess node : nodes.values()) {
      out.append('\n').append(node.id()).append(':');
      for (String line : node.output()) {
        String[] w = line.split(" ");
        if ((w[0].equals("CLUSTER") && w.length > 2 && w[2].equals(member))
            || (w[0].equals("TRANSITION") && line.contains(" " + member + " "))) {
          out.append("\n  ").append(line);
        }
      }
      node.output().stream().filter(l -> l.startsWith("STATUS ")).reduce((a, b) -> b)
          .ifPresent(l -> out.append("\n  ").append(l));
    }
    return out.toString();
  }

  @Test
  void aOneWayCutFailsNobody_aKilledMemberIsConfirmedAtEverySurvivor_andHttpShowsBothViews()
      throws Exception {
    List<String> ids = new ArrayList<>();
    StringBuilder file = new StringBuilder("# the members, shared by all\n");
    for (int i = 0; i < MEMBERS; i++) {
      ids.add(id(i));
      file.append(id(i)).append('=').append(address(i)).append(':').append(PORT).append('\n');
    }
    Path peers = dir.resolve("peers.txt");
    Files.writeString(peers, file);
    ObserverTopology topology = ObserverTopology.of(ids, K);
    String cutMember = id(2);
    String cutObserver = topology.observersOf(cutMember).get(0);
    String victim = ids.stream().filter(m -> !m.equals(cutMember) && !m.equals(cutObserver)
        && !topology.observersOf(cutMember).contains(m)).findFirst().orElseThrow();
    int observerIndex = ids.indexOf(cutObserver);
    for (int i = 0; i < MEMBERS; i++) {
      List<String> args = new ArrayList<>(List.of("--bind", address(i) + ":" + PORT,
          "--peers-file", peers.toString(), "--observers", String.valueOf(K),
          "--interval", "100ms", "--pause", "1s", "--min-std", "20ms"));
      if (i == observerIndex) {
        args.addAll(List.of("--http", address(i) + ":8080"));
      }
      nodes.put(id(i), NodeProcess.start(List.of("ip", "netns", "exec", NS), KEY, id(i),
          args.toArray(new String[0])));
    }
    // Each node hears the members it observes: k of the 7 others, not all.
    for (NodeProcess node : nodes.values()) {
      for (String subject : topology.subjectsOf(node.id())) {
        node.awaitTransition(subject, PeerState.AVAILABLE);
      }
      assertThat(node.statusField("observed")).isEqualTo(topology.subjectsOf(node.id()).size());
    }

    // One way: the cut member's datagrams to one of its observers are dropped.
    assertThat(run("ip", "netns", "exec", NS, "nft", "add", "table", "inet", "fdcut")).isZero();
    assertThat(run("ip", "netns", "exec", NS, "nft", "add", "chain", "inet", "fdcut", "input",
        "{ type filter hook input priority 0 ; policy accept ; }")).isZero();
    assertThat(run("ip", "netns", "exec", NS, "nft", "add", "rule", "inet", "fdcut", "input",
        "ip", "saddr", address(ids.indexOf(cutMember)), "ip", "daddr", address(observerIndex),
        "drop")).isZero();
    NodeProcess observer = nodes.get(cutObserver);
    observer.awaitTransition(cutMember, PeerState.SUSPECTED);
    await().atMost(NodeProcess.GENEROUS)
        .until(() -> nodes.get(cutMember).statusField("refutations") >= 1);
    // Many timeouts later, no node has confirmed it failed; the observer serves it up, with its
    // own view (suspected: unreachable from here) beside the cluster's.
    await().during(Duration.ofSeconds(3)).atMost(NodeProcess.GENEROUS).until(() ->
        nodes.values().stream().noneMatch(n -> clusterSays(n, cutMember, "FAILED")));
    String[] cut = get(address(observerIndex) + ":8080", "/health/" + cutMember);
    assertThat(cut[0]).as(cut[1]).isEqualTo("200");
    assertThat(cut[1]).contains("\"unreachableFromHere\":true",
        "\"cluster\":{\"state\":\"SUSPECTED\"");

    String[] page = get(address(observerIndex) + ":8080", "/");
    assertThat(page[1]).contains("local health", "<th>cluster (accusers/needed)</th>",
        "(unreachable from here)", "(observed by others)");

    // A member killed: every survivor confirms it.
    nodes.get(victim).kill();
    for (NodeProcess node : nodes.values()) {
      if (!node.id().equals(victim)) {
        try {
          await().atMost(NodeProcess.GENEROUS).until(() -> clusterSays(node, victim, "FAILED"));
        } catch (ConditionTimeoutException e) {
          throw new AssertionError(node.id() + " never confirmed " + victim + " FAILED; "
              + diagnosis(victim), e);
        }
      }
    }
    String[] dead = get(address(observerIndex) + ":8080", "/health/" + victim);
    assertThat(dead[0]).as(dead[1]).isEqualTo("503");
    assertThat(dead[1]).contains("\"cluster\":{\"state\":\"FAILED\"");
    String[] all = get(address(observerIndex) + ":8080", "/peers");
    assertThat(all[0]).isEqualTo("200");
    for (String member : ids) {
      if (!member.equals(cutObserver)) {
        assertThat(all[1]).contains("\"peer\":\"" + member + "\"");
      }
    }
    assertThat(nodes.values().stream().filter(n -> !n.id().equals(victim))
        .noneMatch(n -> clusterSays(n, cutMember, "FAILED"))).isTrue();
  }
}
