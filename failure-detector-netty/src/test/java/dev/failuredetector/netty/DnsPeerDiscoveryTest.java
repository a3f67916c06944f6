package dev.failuredetector.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Peers from DNS, as in a Kubernetes headless service: a real DNS server (Debian's dnsmasq,
 * which {@code .ci/run} installs) on loopback answers for {@code peers.test}; nodes bound to
 * 127.0.0.2, .3 and .4 on one port, each with id {@code <ip>:<port>}, find each other through it,
 * and follow the records as they change. Skipped, saying so, where dnsmasq is not installed.
 */
class DnsPeerDiscoveryTest {

  private static final Duration GENEROUS = Duration.ofSeconds(60);

  private static final Path DNSMASQ = Path.of("/usr/sbin/dnsmasq");
  private static final KeyRing RING = KeyRing.parse("test key", "1:" + "d5".repeat(32));

  @TempDir
  Path dir;

  private Process dnsmasq;
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
    if (dnsmasq != null) {
      dnsmasq.destroyForcibly().waitFor();
    }
  }

  private static int freeUdpPort(String host) throws IOException {
    try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getByName(host))) {
      return probe.getLocalPort();
    }
  }

  private HeartbeatNode node(String ip, int port) throws InterruptedException {
    HeartbeatNode node = HeartbeatNode.builder().localId(ip + ":" + port).keyRing(RING)
        .bind(new InetSocketAddress(ip, port)).interval(Duration.ofMillis(100)).build().start();
    resources.add(node);
    return node;
  }

  /**
   * Starts dnsmasq on loopback answering from {@code hosts} and waits until it listens; returns
   * its port. dnsmasq listens on UDP and TCP: a port free for UDP may be taken for TCP (the local
   * end of a connection an earlier test made), and then dnsmasq exits at once, so another port is
   * tried (a few times at most).
   */
  private int startDnsmasq(Path hosts) throws IOException {
    Path log = dir.resolve("dnsmasq.log");
    Path out = dir.resolve("dnsmasq.out");
    for (int attempt = 1; ; attempt++) {
      int dnsPort = freeUdpPort("127.0.0.1");
      Files.deleteIfExists(log);
      Process started = new ProcessBuilder(DNSMASQ.toString(), "--no-daemon", "--user=root",
          "--no-resolv", "--no-hosts", "--addn-hosts=" + hosts, "--listen-address=127.0.0.1",
          "--bind-interfaces", "--port=" + dnsPort, "--local-ttl=0", "--no-negcache",
          "--log-facility=" + log)
          .redirectErrorStream(true).redirectOutput(out.toFile()).start();
      await().atMost(GENEROUS).until(() -> !started.isAlive()
          || (Files.exists(log) && Files.readString(log).contains("started")));
      if (started.isAlive()) {
        dnsmasq = started;
        return dnsPort;
      }
      if (attempt == 5) {
        throw new IllegalStateException("dnsmasq did not start: " + Files.readString(out));
      }
    }
  }

  /** dnsmasq re-reads its hosts file on SIGHUP. */
  private void reloadDnsmasq() throws Exception {
    new ProcessBuilder("kill", "-HUP", Long.toString(dnsmasq.pid())).start().waitFor();
  }

  @Test
  void aFullRegistry_refusesRecords_andDiscoveryGoesOn() throws Exception {
    assumeTrue(Files.isExecutable(DNSMASQ), "dnsmasq is not installed (.ci/run installs it)");
    Path hosts = dir.resolve("hosts");
    Files.writeString(hosts, "127.0.0.3 peers.test\n127.0.0.4 peers.test\n");
    int dnsPort = startDnsmasq(hosts);
    int port = freeUdpPort("127.0.0.2");
    HeartbeatNode a = HeartbeatNode.builder().localId("127.0.0.2:" + port).keyRing(RING)
        .bind(new InetSocketAddress("127.0.0.2", port)).interval(Duration.ofMillis(100))
        .registry(r -> r.maxPeers(1)).build().start();
    resources.add(a);
    DnsPeerDiscovery atA = DnsPeerDiscovery.start(a, "peers.test", port, "127.0.0.1:" + dnsPort,
        Duration.ofMillis(200));
    resources.add(atA);

    // Two records, room for one: one is added, the other refused at every lookup.
    await().atMost(GENEROUS).until(() -> atA.peers().size() == 1
        && atA.refused() >= 2);
    String first = atA.peers().iterator().next();
    String other = first.startsWith("127.0.0.3:") ? "127.0.0.4:" + port : "127.0.0.3:" + port;
    // The added one leaves DNS: the lookups went on, so the refused one now takes its place.
    Files.writeString(hosts, other.substring(0, other.indexOf(':')) + " peers.test\n");
    reloadDnsmasq();
    await().atMost(GENEROUS).until(() -> atA.peers().equals(Set.of(other))
        && a.registry().contains(other) && !a.registry().contains(first));
    // (No assertion on failures(): the first lookup may come before dnsmasq listens.)
    System.out.printf("DNS discovery, registry full: %d records refused, then the refused one"
        + " added when the other left%n", atA.refused());
  }

  @Test
  void peersFollowTheRecordsOfAName() throws Exception {
    assumeTrue(Files.isExecutable(DNSMASQ), "dnsmasq is not installed (.ci/run installs it)");
    Path hosts = dir.resolve("hosts");
    Files.writeString(hosts, "127.0.0.2 peers.test\n127.0.0.3 peers.test\n");
    int dnsPort = startDnsmasq(hosts);

    int port = freeUdpPort("127.0.0.2");
    HeartbeatNode a = node("127.0.0.2", port);
    HeartbeatNode b = node("127.0.0.3", port);
    HeartbeatNode c = node("127.0.0.4", port);
    String dns = "127.0.0.1:" + dnsPort;
    Duration refresh = Duration.ofMillis(200);
    DnsPeerDiscovery atA = DnsPeerDiscovery.start(a, "peers.test", port, dns, refresh);
    DnsPeerDiscovery atB = DnsPeerDiscovery.start(b, "peers.test", port, dns, refresh);
    DnsPeerDiscovery atC = DnsPeerDiscovery.start(c, "peers.test", port, dns, refresh);
    resources.add(atA);
    resources.add(atB);
    resources.add(atC);
    String idA = a.localId();
    String idB = b.localId();
    String idC = c.localId();

    // a and b are in DNS: they find each other (and not themselves); c, not in DNS, finds them.
    await().atMost(GENEROUS).until(() -> a.registry().isAvailable(idB)
        && b.registry().isAvailable(idA));
    assertThat(atA.peers()).containsExactly(idB);
    assertThat(atC.peers()).containsExactlyInAnyOrder(idA, idB);

    // The records change: c joins, b leaves. dnsmasq re-reads its hosts file on SIGHUP.
    Files.writeString(hosts, "127.0.0.2 peers.test\n127.0.0.4 peers.test\n");
    reloadDnsmasq();
    await().atMost(GENEROUS).until(() -> atA.peers().equals(Set.of(idC))
        && a.registry().isAvailable(idC) && !a.registry().contains(idB));
    assertThat(c.registry().contains(idB)).as("gone from DNS: removed at c too").isFalse();
    assertThat(atA.failures()).isZero();
    System.out.println("DNS discovery through dnsmasq: peers followed the records (b removed, c"
        + " added)");
  }
}
