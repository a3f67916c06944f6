package dev.failuredetector.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.PeerState;
import dev.failuredetector.cluster.MemberState;
import dev.failuredetector.cluster.MemberView;
import dev.failuredetector.cluster.ObserverTopology;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster overlay over real UDP sockets on loopback: seven keyed nodes, four observers each,
 * a one-way bad link made by giving one node a black-hole address for another.
 */
class ClusterOverlayNodeTest {

  private static final Duration GENEROUS = Duration.ofSeconds(30);
  private static final Duration INTERVAL = Duration.ofMillis(50);
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final int K = 4;

  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private Map<String, HeartbeatNode> cluster(int n) throws InterruptedException {
    Map<String, HeartbeatNode> nodes = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      String id = "m" + i;
      HeartbeatNode node = HeartbeatNode.builder().localId(id)
          .bind(new InetSocketAddress(LOOPBACK, 0)).interval(INTERVAL)
          .keyRing(KeyRing.of(1, KEY)).observers(K)
          .registry(r -> r.detector(DetectorSpec.deadline().withInterval(INTERVAL)
              .withPause(Duration.ofMillis(600))))
          .build().start();
      resources.add(node);
      nodes.put(id, node);
    }
    return nodes;
  }

  private static void introduce(Map<String, HeartbeatNode> nodes, String from, String to,
      InetSocketAddress address) {
    nodes.get(from).addPeer(to, address);
  }

  private static boolean allAlive(Map<String, HeartbeatNode> nodes) {
    for (HeartbeatNode node : nodes.values()) {
      Map<String, MemberView> view = node.clusterView();
      if (view.size() != nodes.size() - 1
          || view.values().stream().anyMatch(v -> v.state() != MemberState.ALIVE)) {
        return false;
      }
      for (String subject : node.observed()) {
        if (node.registry().state(subject) != PeerState.AVAILABLE) {
          return false;
        }
      }
    }
    return true;
  }

  /** Forwards datagrams to {@code target} until {@link #cut}: then drops them. */
  private static final class Relay implements AutoCloseable {
    final DatagramSocket socket;
    volatile boolean cut;

    Relay(InetSocketAddress target) throws java.net.SocketException {
      socket = new DatagramSocket(0, LOOPBACK);
      Thread thread = new Thread(() -> {
        byte[] buffer = new byte[2048];
        try {
          while (true) {
            java.net.DatagramPacket packet = new java.net.DatagramPacket(buffer, buffer.length);
            socket.receive(packet);
            if (!cut) {
              socket.send(new java.net.DatagramPacket(buffer, packet.getLength(), target));
            }
          }
        } catch (java.io.IOException closed) {
          // the test closed the socket
        }
      }, "relay");
      thread.setDaemon(true);
      thread.start();
    }

    InetSocketAddress address() {
      return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public void close() {
      socket.close();
    }
  }

  @Test
  void eachNodeWatchesOnlyItsSubjects_aBadLinkFailsNobody_andALeaverIsConfirmedEverywhere()
      throws Exception {
    Map<String, HeartbeatNode> nodes = cluster(7);
    ObserverTopology topology = ObserverTopology.of(nodes.keySet(), K);
    String member = "m3";
    String cutObserver = topology.observersOf(member).get(0);
    Relay link = new Relay(nodes.get(cutObserver).localAddress());
    resources.add(link);
    for (String from : nodes.keySet()) {
      for (String to : nodes.keySet()) {
        if (!from.equals(to)) {
          boolean relayed = from.equals(member) && to.equals(cutObserver);
          introduce(nodes, from, to, relayed ? link.address() : nodes.get(to).localAddress());
        }
      }
    }
    await().atMost(GENEROUS).until(() -> allAlive(nodes));
    link.cut = true; // from now on the member's messages to that observer are lost, one way

    // The cut observer never hears the member: it suspects it locally, accuses it once, and the
    // member refutes; nobody confirms a failure.
    HeartbeatNode observer = nodes.get(cutObserver);
    io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    new HeartbeatNodeMetrics(observer, java.util.List.of()).bindTo(meters);
    await().atMost(GENEROUS).until(() -> observer.registry().state(member) == PeerState.SUSPECTED
        && observer.clusterStats().orElseThrow().accusationsMade() >= 1
        && nodes.get(member).clusterStats().orElseThrow().refutations() >= 1);
    for (HeartbeatNode node : nodes.values()) {
      // Each registry holds exactly the members its node observes: k of the 6 others here.
      assertThat(node.registry().size()).isEqualTo(node.observed().size());
      assertThat(node.observed()).containsExactlyInAnyOrderElementsOf(
          topology.subjectsOf(node.localId()));
    }
    // And it stays so: 40 intervals (many times the 600 ms timeout) without a verdict anywhere.
    await().during(INTERVAL.multipliedBy(40)).atMost(GENEROUS).until(() -> nodes.values().stream()
        .filter(n -> !n.localId().equals(member))
        .allMatch(n -> n.clusterView(member).orElseThrow().state() != MemberState.FAILED));
    assertThat(observer.clusterView(member).orElseThrow().state())
        .as("unreachable from the cut observer only").isEqualTo(MemberState.SUSPECTED);
    assertThat(nodes.get(member).stats().drops(DropReason.BAD_RUMOR)).isZero();

    // The member leaves: its goodbye reaches its three other observers, which accuse: 3 of 4
    // confirm it at every node.
    HeartbeatNode leaver = nodes.remove(member);
    leaver.close();
    await().atMost(GENEROUS).until(() -> nodes.values().stream().allMatch(
        n -> n.clusterView(member).map(v -> v.state() == MemberState.FAILED).orElse(false)));
    // The observer's meters say so too.
    assertThat(meters.get("failure.detector.cluster.members").tag("state", "failed").gauge()
        .value()).isEqualTo(1);
    assertThat(meters.get("failure.detector.cluster.members").tag("state", "alive").gauge()
        .value()).isEqualTo(5);
    assertThat(meters.get("failure.detector.cluster.accusations").functionCounter().count())
        .isGreaterThanOrEqualTo(1);
    assertThat(meters.get("failure.detector.cluster.local.health").gauge().value()).isBetween(0.0, 8.0);
    for (HeartbeatNode node : nodes.values()) {
      assertThat(node.stats().drops(DropReason.STALE_GOSSIP)).isZero();
      assertThat(node.localHealth()).isBetween(0, 8);
    }
  }
  @Test
  void aNodeDeafWhileAVerdictWentBy_learnsItFromTheViewDigests_afterItHearsAgain()
      throws Exception {
    Map<String, HeartbeatNode> nodes = cluster(7);
    String deaf = "m5";
    String leaverId = "m3";
    Relay inbound = new Relay(nodes.get(deaf).localAddress()); // everything to it goes through
    resources.add(inbound);
    for (String from : nodes.keySet()) {
      for (String to : nodes.keySet()) {
        if (!from.equals(to)) {
          introduce(nodes, from, to,
              to.equals(deaf) ? inbound.address() : nodes.get(to).localAddress());
        }
      }
    }
    await().atMost(GENEROUS).until(() -> allAlive(nodes));
    inbound.cut = true;
    HeartbeatNode leaver = nodes.remove(leaverId);
    leaver.close();
    await().atMost(GENEROUS).until(() -> nodes.values().stream()
        .filter(n -> !n.localId().equals(deaf))
        .allMatch(n -> n.clusterView(leaverId).orElseThrow().state() == MemberState.FAILED));
    // Long after every retransmission of the verdict (4 sends, about an interval) went by.
    await().during(INTERVAL.multipliedBy(20)).atMost(GENEROUS).until(() ->
        nodes.get(deaf).clusterView(leaverId).orElseThrow().state() != MemberState.FAILED);

    io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    for (HeartbeatNode node : nodes.values()) {
      new HeartbeatNodeMetrics(node, java.util.List.of()).bindTo(meters);
    }
    inbound.cut = false;
    await().atMost(GENEROUS).until(() ->
        nodes.get(deaf).clusterView(leaverId).orElseThrow().state() == MemberState.FAILED);
    assertThat(nodes.values().stream().mapToLong(n -> n.clusterStats().orElseThrow().syncs())
        .sum()).as("learned through a sync").isPositive();
    // What an operator reads says so too: the syncs meter, one per node.
    assertThat(meters.find("failure.detector.cluster.syncs").functionCounters()).hasSize(6)
        .extracting(c -> c.count()).anyMatch(count -> count > 0);
    // And nobody else was failed by its deafness (it accused its subjects, alone).
    for (HeartbeatNode node : nodes.values()) {
      for (String member : nodes.keySet()) {
        if (!member.equals(node.localId())) {
          assertThat(node.clusterView(member).orElseThrow().state()).as(node.localId() + " on "
              + member).isNotEqualTo(MemberState.FAILED);
        }
      }
    }
  }
}
