package dev.failuredetector.cli.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failuredetector.PeerState;
import dev.failuredetector.TransitionReason;
import dev.failuredetector.netty.Transport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Network partitions between two node processes, each in a network namespace this test creates
 * (joined by a veth pair, 10.231.0.1 and 10.231.0.2), cut with nftables DROP rules one way and
 * both ways, then healed: the cut-off side is suspected, then recovered, without a restart.
 *
 * <p>Needs root, {@code ip} (iproute2) and {@code nft} (nftables); without them it is skipped with
 * a message. CI runs as root and installs nftables ({@code .ci/run}).
 */
class PartitionTest {

  private static final String SUFFIX =
      Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
  private static final String NS_A = "fd-a-" + SUFFIX;
  private static final String NS_B = "fd-b-" + SUFFIX;
  private static final String ADDRESS_A = "10.231.0.1";
  private static final String ADDRESS_B = "10.231.0.2";
  private static final int PORT = 7100;

  private NodeProcess a;
  private NodeProcess b;

  @TempDir
  Path dir;

  @BeforeAll
  static void createNamespaces() throws Exception {
    String missing = setUp();
    Assumptions.assumeTrue(missing == null,
        () -> "SKIPPED partition tests: " + missing + " (they need root, iproute2 and nftables)");
  }

  /** Returns null when the namespaces are ready, else what failed. */
  private static String setUp() throws Exception {
    if (run("nft", "--version") != 0) {
      return "nft (nftables) is not installed";
    }
    String vethA = "fdva" + SUFFIX;
    String vethB = "fdvb" + SUFFIX;
    String[][] steps = {
        {"ip", "netns", "add", NS_A},
        {"ip", "netns", "add", NS_B},
        {"ip", "link", "add", vethA, "type", "veth", "peer", "name", vethB},
        {"ip", "link", "set", vethA, "netns", NS_A},
        {"ip", "link", "set", vethB, "netns", NS_B},
        {"ip", "-n", NS_A, "addr", "add", ADDRESS_A + "/24", "dev", vethA},
        {"ip", "-n", NS_B, "addr", "add", ADDRESS_B + "/24", "dev", vethB},
        {"ip", "-n", NS_A, "link", "set", vethA, "up"},
        {"ip", "-n", NS_B, "link", "set", vethB, "up"},
        {"ip", "-n", NS_A, "link", "set", "lo", "up"},
        {"ip", "-n", NS_B, "link", "set", "lo", "up"},
    };
    for (String[] step : steps) {
      if (run(step) != 0) {
        deleteNamespaces();
        return "'" + String.join(" ", step) + "' failed";
      }
    }
    return null;
  }

  @AfterAll
  static void deleteNamespaces() throws Exception {
    run("ip", "netns", "del", NS_A); // takes its end of the veth pair, and so the pair, with it
    run("ip", "netns", "del", NS_B);
  }

  @AfterEach
  void stopNodes() throws Exception {
    heal();
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
  }

  /** Runs a command (up to 30 s); its exit status, -1 if it is not installed or hangs. */
  static int run(String... command) throws IOException, InterruptedException {
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException notInstalled) {
      return -1;
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return -1;
    }
    if (process.exitValue() != 0) {
      System.err.println(String.join(" ", command) + ": " + output.strip());
    }
    return process.exitValue();
  }

  /** Drops, in {@code namespace}, every packet that arrives from {@code source}. */
  private static void dropFrom(String namespace, String source) throws Exception {
    assertThat(run("ip", "netns", "exec", namespace, "nft", "add", "table", "inet", "fdcut"))
        .isZero();
    assertThat(run("ip", "netns", "exec", namespace, "nft", "add", "chain", "inet", "fdcut",
        "input", "{ type filter hook input priority 0 ; policy accept ; }")).isZero();
    assertThat(run("ip", "netns", "exec", namespace, "nft", "add", "rule", "inet", "fdcut",
        "input", "ip", "saddr", source, "drop")).isZero();
  }

  private static void heal() throws Exception {
    for (String namespace : List.of(NS_A, NS_B)) {
      // Exit status 1 when there is no such table: nothing to heal there.
      new ProcessBuilder("ip", "netns", "exec", namespace, "nft", "delete", "table", "inet",
          "fdcut").redirectErrorStream(true).start().waitFor();
    }
  }

  private void startNodes(Transport transport) throws IOException {
    a = start(NS_A, "a", ADDRESS_A, "b", ADDRESS_B, transport);
    b = start(NS_B, "b", ADDRESS_B, "a", ADDRESS_A, transport);
    a.awaitTransition("b", PeerState.AVAILABLE);
    b.awaitTransition("a", PeerState.AVAILABLE);
  }

  private static NodeProcess start(String namespace, String id, String address, String peer,
      String peerAddress, Transport transport) throws IOException {
    return NodeProcess.start(List.of("ip", "netns", "exec", namespace), id,
        "--bind", address + ":" + PORT, "--peer", peer + "=" + peerAddress + ":" + PORT,
        "--transport", transport.name().toLowerCase(Locale.ROOT), "--interval", "100",
        // A 1 s pause: a cut is still suspected within about 1.2 s, and a noisy machine's stalls
        // do not look like one.
        "--pause", "1000", "--min-std", "20", "--confirm", "600000", "--incarnation", "1");
  }

  private static long count(NodeProcess node, String peer, TransitionReason reason) {
    return node.transitions().stream()
        .filter(t -> t.peer().equals(peer) && t.reason() == reason).count();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void oneWayCut_theCutOffSideSuspects_thenRecovers(Transport transport) throws Exception {
    startNodes(transport);
    dropFrom(NS_B, ADDRESS_A); // a -> b is cut; b -> a still flows
    b.awaitTransition("a", PeerState.SUSPECTED);
    if (transport == Transport.UDP) {
      // b has been cut off from a for a while; a, which still hears b, has suspected nothing.
      long heardSoFar = a.statusField("accepted");
      await().atMost(NodeProcess.GENEROUS)
          .until(() -> a.statusField("accepted") >= heardSoFar + 10);
      assertThat(a.find("b", PeerState.SUSPECTED)).isEmpty();
    } else {
      // Over TCP a one-way cut is a two-way one: b's data needs a's acknowledgements, which are
      // cut, so b's connection stalls after a window's worth and a stops hearing b too.
      a.awaitTransition("b", PeerState.SUSPECTED);
    }

    heal();
    await().atMost(NodeProcess.GENEROUS).until(() -> count(b, "a", TransitionReason.RECOVERED) == 1);
    if (transport == Transport.TCP) {
      await().atMost(NodeProcess.GENEROUS)
          .until(() -> count(a, "b", TransitionReason.RECOVERED) == 1);
    }
    assertThat(count(a, "b", TransitionReason.RESTARTED) + count(b, "a", TransitionReason.RESTARTED))
        .isZero();
    assertThat(b.find("a", PeerState.FAILED)).isEmpty();
    assertThat(a.find("b", PeerState.FAILED)).isEmpty();
    System.out.printf("one-way partition over %s: b suspected a, %s; healed without restart%n",
        transport, transport == Transport.UDP ? "a suspected no one"
            : "a suspected b too (TCP needs the acknowledgements)");
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void twoWayCut_bothSuspect_thenBothRecover(Transport transport) throws Exception {
    startNodes(transport);
    dropFrom(NS_A, ADDRESS_B);
    dropFrom(NS_B, ADDRESS_A);
    a.awaitTransition("b", PeerState.SUSPECTED);
    b.awaitTransition("a", PeerState.SUSPECTED);

    long healedAt = System.nanoTime();
    heal();
    await().atMost(NodeProcess.GENEROUS).until(() -> count(a, "b", TransitionReason.RECOVERED) == 1
        && count(b, "a", TransitionReason.RECOVERED) == 1);
    long recoveredAt = Math.max(
        a.transitions().stream().filter(t -> t.reason() == TransitionReason.RECOVERED)
            .findFirst().orElseThrow().atNanos(),
        b.transitions().stream().filter(t -> t.reason() == TransitionReason.RECOVERED)
            .findFirst().orElseThrow().atNanos());
    assertThat(count(a, "b", TransitionReason.RESTARTED) + count(b, "a", TransitionReason.RESTARTED))
        .isZero();
    System.out.printf("two-way partition over %s: both suspected; both recovered %d ms after"
        + " the heal, without restart%n", transport, (recoveredAt - healedAt) / 1_000_000);
  }

  /**
   * A node in namespace a probes an nginx in namespace b (HTTP and a TCP connect); the link is cut
   * both ways: no answer and no refusal come, so only the learned timeout can say it (SUSPECTED,
   * TIMEOUT; never CONNECTION_REFUSED). Healed, both are available again without a restart.
   */
  @Test
  void probedTargetBehindACut_isSuspectedByTheTimeout_notRefused() throws Exception {
    Optional<Path> binary = Nginx.binary();
    Assumptions.assumeTrue(binary.isPresent(),
        "nginx is not installed (.ci/run installs it with apt-get)");
    try (Nginx nginx = Nginx.start(List.of("ip", "netns", "exec", NS_B), binary.get(),
        dir.resolve("nginx"), ADDRESS_B, 8080)) {
      a = NodeProcess.start(List.of("ip", "netns", "exec", NS_A), "a",
          "--bind", ADDRESS_A + ":" + PORT, "--interval", "100", "--pause", "1000",
          "--min-std", "20", "--confirm", "600000",
          "--probe", "web=http://" + ADDRESS_B + ":8080/healthz",
          "--probe", "port=tcp://" + ADDRESS_B + ":8080");
      a.awaitTransition("web", PeerState.AVAILABLE);
      a.awaitTransition("port", PeerState.AVAILABLE);

      long cutAt = System.nanoTime();
      dropFrom(NS_A, ADDRESS_B);
      dropFrom(NS_B, ADDRESS_A);
      NodeProcess.Transition web = a.awaitTransition("web", PeerState.SUSPECTED);
      NodeProcess.Transition port = a.awaitTransition("port", PeerState.SUSPECTED);
      assertThat(web.reason()).isEqualTo(TransitionReason.TIMEOUT);
      assertThat(port.reason()).isEqualTo(TransitionReason.TIMEOUT);
      assertThat(count(a, "web", TransitionReason.CONNECTION_REFUSED)
          + count(a, "port", TransitionReason.CONNECTION_REFUSED)).isZero();

      heal();
      await().atMost(NodeProcess.GENEROUS).until(() -> count(a, "web", TransitionReason.RECOVERED)
          == 1 && count(a, "port", TransitionReason.RECOVERED) == 1);
      System.out.printf("probed nginx behind a two-way cut: web suspected %d ms, port %d ms"
          + " after the cut (TIMEOUT, no clue); both recovered after the heal%n",
          (web.atNanos() - cutAt) / 1_000_000, (port.atNanos() - cutAt) / 1_000_000);
    }
  }
}
