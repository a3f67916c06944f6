package dev.failuredetector.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.failuredetector.DetectorSpec;
import dev.failuredetector.PeerSnapshot;
import dev.failuredetector.PeerState;
import dev.failuredetector.PeerTransition;
import dev.failuredetector.TransitionReason;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Probes of real targets on loopback: a TCP listener, an HTTP server, and UDP nodes that answer
 * PINGs, with the faults a user meets (the port closed, a 503, a node gone) and the replays an
 * attacker with a recording can make.
 */
class ProbeTest {

  private static final Duration GENEROUS = Duration.ofSeconds(30);
  private static final Duration INTERVAL = Duration.ofMillis(50);
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final Resources resources = new Resources();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  private <T extends AutoCloseable> T keep(T resource) {
    return resources.keep(resource);
  }

  /** A keyed UDP node; silence makes a target suspected after 600 ms. */
  private HeartbeatNode node(String id, HeartbeatNode.Builder extra) throws InterruptedException {
    return keep(extra.localId(id).bind(new InetSocketAddress(LOOPBACK, 0)).interval(INTERVAL)
        .keyRing(KeyRing.of(1, KEY))
        .registry(r -> r.detector(DetectorSpec.deadline().withInterval(INTERVAL)
            .withPause(Duration.ofMillis(600))))
        .build().start());
  }

  private static List<PeerTransition<String>> transitionsOf(HeartbeatNode node) {
    List<PeerTransition<String>> seen = new CopyOnWriteArrayList<>();
    node.registry().addListener(seen::add);
    return seen;
  }

  @Test
  void tcpTargetIsAvailableWhileItAcceptsAndFailedAtOnceWhenItsPortRefuses() throws Exception {
    ServerSocket listener = keep(new ServerSocket(0, 50, LOOPBACK));
    Thread acceptor = new Thread(() -> {
      try {
        while (true) {
          listener.accept().close();
        }
      } catch (IOException closed) {
        // the test closed the listener
      }
    }, "tcp-target");
    acceptor.setDaemon(true);
    acceptor.start();
    HeartbeatNode prober = node("lb", HeartbeatNode.builder().insecure());
    prober.addProbe("db", ProbeTarget.parse("tcp://127.0.0.1:" + listener.getLocalPort()));
    List<PeerTransition<String>> transitions = transitionsOf(prober);

    await().atMost(GENEROUS).until(() -> prober.probeStats("db").orElseThrow().answered() >= 20);
    assertThat(prober.registry().state("db")).isEqualTo(PeerState.AVAILABLE);

    listener.close(); // nothing listens: the next connect is refused
    await().atMost(GENEROUS).until(() -> prober.registry().state("db") == PeerState.FAILED);
    PeerSnapshot<String> failed = prober.registry().snapshot("db").orElseThrow();
    assertThat(failed.reason()).isEqualTo(TransitionReason.CONNECTION_REFUSED);
    // A refused connection, not the 650 ms timeout: FAILED within a few probe intervals.
    assertThat(transitions).noneMatch(t -> t.to() == PeerState.SUSPECTED);
    ProbeStats stats = prober.probeStats("db").orElseThrow();
    assertThat(stats.refused()).isPositive();
    assertThat(stats.sent()).isGreaterThanOrEqualTo(stats.answered() + stats.refused());
    assertThat(prober.stats().connectAttempts()).isGreaterThanOrEqualTo(stats.sent());
  }

  @Test
  void httpTargetUnhealthyAtOnceOnA503AndBackOnA200OverOneKeptAliveConnection() throws Exception {
    AtomicInteger status = new AtomicInteger(200);
    Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    AtomicInteger requests = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 50);
    server.createContext("/healthz", exchange -> {
      requests.incrementAndGet();
      clientPorts.add(exchange.getRemoteAddress().getPort());
      assertThat(exchange.getRequestMethod()).isEqualTo("GET");
      byte[] body = "ok".getBytes();
      exchange.sendResponseHeaders(status.get(), body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    keep(() -> server.stop(0));
    HeartbeatNode prober = node("lb", HeartbeatNode.builder().insecure());
    prober.addProbe("web", ProbeTarget.parse(
        "http://127.0.0.1:" + server.getAddress().getPort() + "/healthz"));
    List<PeerTransition<String>> transitions = transitionsOf(prober);

    await().atMost(GENEROUS).until(() -> prober.probeStats("web").orElseThrow().answered() >= 20);
    assertThat(prober.registry().state("web")).isEqualTo(PeerState.AVAILABLE);
    assertThat(prober.probeStats("web").orElseThrow().lastStatus()).isEqualTo(200);
    // Keep-alive: connections are reused (a new one opens only when a probe is sent while the
    // previous one is still in flight, which a busy machine makes happen at any rate: so no fixed
    // ratio, only that some connection served more than one probe).
    assertThat(clientPorts.size()).isLessThan(requests.get());

    status.set(503);
    await().atMost(GENEROUS).until(() -> prober.registry().state("web") == PeerState.FAILED);
    assertThat(prober.registry().snapshot("web").orElseThrow().reason())
        .isEqualTo(TransitionReason.UNHEALTHY);
    assertThat(prober.probeStats("web").orElseThrow().lastStatus()).isEqualTo(503);
    assertThat(transitions).noneMatch(t -> t.to() == PeerState.SUSPECTED);

    status.set(200);
    await().atMost(GENEROUS).until(() -> prober.registry().state("web") == PeerState.AVAILABLE);
    assertThat(transitions.get(transitions.size() - 1).reason())
        .isEqualTo(TransitionReason.RECOVERED);
    assertThat(prober.probeStats("web").orElseThrow().unhealthy()).isPositive();
  }

  @Test
  void perTargetMetersFollowTargetsAddedAfterBindingAndGoWithThem() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 50);
    server.createContext("/", exchange -> {
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    server.start();
    keep(() -> server.stop(0));
    HeartbeatNode prober = node("lb", HeartbeatNode.builder().insecure());
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    new HeartbeatNodeMetrics(prober, List.of()).bindTo(meters);
    prober.addProbe("web", ProbeTarget.parse("http://127.0.0.1:" + server.getAddress().getPort()));

    await().atMost(GENEROUS).until(() -> meters.find("failure.detector.probe.answer.time")
        .tags("peer", "web", "kind", "http").timers().stream().mapToLong(Timer::count).sum() >= 10);
    Timer answers = meters.get("failure.detector.probe.answer.time").tag("peer", "web").timer();
    assertThat(answers.max(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
    FunctionCounter sent = meters.get("failure.detector.probe.sent").tag("peer", "web")
        .functionCounter();
    assertThat(sent.count()).isGreaterThanOrEqualTo(answers.count());
    assertThat(meters.get("failure.detector.probe.answered").tag("peer", "web")
        .functionCounter().count()).isGreaterThanOrEqualTo(10);

    prober.removePeer("web");
    assertThat(meters.find("failure.detector.probe.answer.time").timers()).isEmpty();
    assertThat(meters.find("failure.detector.probe.sent").functionCounters()).isEmpty();
  }

  @Test
  void statusRangeFromTheUrlDecidesWhatIsHealthy() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 50);
    server.createContext("/", exchange -> {
      exchange.sendResponseHeaders(302, -1); // a redirect: healthy by default, not here
      exchange.close();
    });
    server.start();
    keep(() -> server.stop(0));
    HeartbeatNode prober = node("lb", HeartbeatNode.builder().insecure());
    prober.addProbe("strict", ProbeTarget.parse(
        "http://127.0.0.1:" + server.getAddress().getPort() + "/#status=200-299"));
    await().atMost(GENEROUS).until(() -> prober.registry().state("strict") == PeerState.FAILED);
    assertThat(prober.registry().snapshot("strict").orElseThrow().reason())
        .isEqualTo(TransitionReason.UNHEALTHY);
    assertThat(prober.probeStats("strict").orElseThrow().lastStatus()).isEqualTo(302);
  }

  @Test
  void udpTargetIsANodeThatAnswersPingsWithoutKnowingTheProber() throws Exception {
    HeartbeatNode target = node("b", HeartbeatNode.builder());
    HeartbeatNode prober = node("a", HeartbeatNode.builder());
    prober.addProbe("b", ProbeTarget.parse("udp://127.0.0.1:" + target.localAddress().getPort()));
    List<PeerTransition<String>> transitions = transitionsOf(prober);

    await().atMost(GENEROUS).until(() -> prober.probeStats("b").orElseThrow().answered() >= 20);
    assertThat(prober.registry().state("b")).isEqualTo(PeerState.AVAILABLE);
    assertThat(target.registry().size()).as("the target lists no one").isZero();
    assertThat(target.stats().count(TransportStats.Counter.PINGS_ANSWERED)).isPositive();
    // The target's life is learned from its ACKs, as from heartbeats.
    assertThat(prober.registry().snapshot("b").orElseThrow().incarnation())
        .isEqualTo(target.incarnation());

    target.close(); // silence: no clue over UDP, the learned timeout decides
    await().atMost(GENEROUS).until(() -> prober.registry().state("b") == PeerState.SUSPECTED);
    assertThat(transitions).anyMatch(t -> t.to() == PeerState.SUSPECTED
        && t.reason() == TransitionReason.TIMEOUT);
  }

  @Test
  void aNodeWithAnotherKeyOrPingsOffDoesNotAnswer() throws Exception {
    HeartbeatNode quiet = node("q", HeartbeatNode.builder().answerPings(false));
    HeartbeatNode stranger = keep(HeartbeatNode.builder().localId("s")
        .bind(new InetSocketAddress(LOOPBACK, 0)).interval(INTERVAL)
        .keyRing(KeyRing.of(1, "fedcba9876543210fedcba9876543210".getBytes())).build().start());
    HeartbeatNode prober = node("a", HeartbeatNode.builder());
    prober.addProbe("q", ProbeTarget.parse("udp://127.0.0.1:" + quiet.localAddress().getPort()));
    prober.addProbe("s", ProbeTarget.parse("udp://127.0.0.1:" + stranger.localAddress().getPort()));

    await().atMost(GENEROUS).until(() -> quiet.stats().drops(DropReason.UNEXPECTED_TYPE) >= 5
        && stranger.stats().drops(DropReason.BAD_TAG) >= 5);
    assertThat(quiet.stats().count(TransportStats.Counter.PINGS_ANSWERED)).isZero();
    assertThat(stranger.stats().count(TransportStats.Counter.PINGS_ANSWERED)).isZero();
    assertThat(prober.registry().state("q")).isEqualTo(PeerState.UNKNOWN);
    assertThat(prober.registry().state("s")).isEqualTo(PeerState.UNKNOWN);
  }

  /**
   * The attacker sits on the path (a relay the prober believes is the target) and records the
   * ACKs of two targets; when target b dies, it replays b's own ACKs, then c's ACKs from b's
   * address. Neither revives b: each ACK answers a probe number that is no longer outstanding, or
   * one of another target.
   */
  @Test
  void recordedAcksReplayedFromTheTargetsAddressReviveNothing() throws Exception {
    HeartbeatNode b = node("b", HeartbeatNode.builder());
    HeartbeatNode c = node("c", HeartbeatNode.builder());
    Relay toB = keep(new Relay(b.localAddress()));
    Relay toC = keep(new Relay(c.localAddress()));
    HeartbeatNode prober = node("a", HeartbeatNode.builder());
    prober.addProbe("b", ProbeTarget.parse("udp://127.0.0.1:" + toB.port()));
    prober.addProbe("c", ProbeTarget.parse("udp://127.0.0.1:" + toC.port()));
    await().atMost(GENEROUS).until(() -> prober.probeStats("b").orElseThrow().answered() >= 20
        && prober.probeStats("c").orElseThrow().answered() >= 20);

    toB.forwarding = false; // b is gone, as far as the prober can tell
    await().atMost(GENEROUS).until(() -> prober.registry().state("b") == PeerState.SUSPECTED);
    long answered = prober.probeStats("b").orElseThrow().answered();
    int replayed = toB.replay(toB.recorded) + toB.replay(toC.recorded);
    assertThat(replayed).isGreaterThan(40);
    await().atMost(GENEROUS).until(
        () -> prober.stats().drops(DropReason.UNMATCHED_ACK) >= replayed);
    assertThat(prober.registry().state("b")).isNotEqualTo(PeerState.AVAILABLE);
    assertThat(prober.probeStats("b").orElseThrow().answered()).isEqualTo(answered);
  }

  @Test
  void badProbeSettingsAreRefusedNamingWhatIsWrong() throws Exception {
    assertThatThrownBy(() -> ProbeTarget.parse("ftp://x:1"))
        .hasMessage("probe URL 'ftp://x:1': the scheme must be udp, tcp or http");
    assertThatThrownBy(() -> ProbeTarget.parse("tcp://127.0.0.1"))
        .hasMessage("probe URL 'tcp://127.0.0.1': no port (write tcp://127.0.0.1:PORT)");
    assertThatThrownBy(() -> ProbeTarget.parse("https://127.0.0.1/"))
        .hasMessageContaining("https is not supported");
    assertThatThrownBy(() -> ProbeTarget.parse("tcp://127.0.0.1:5432/db"))
        .hasMessageContaining("a tcp target has no path");
    assertThatThrownBy(() -> ProbeTarget.parse("http://127.0.0.1/#status=500-200"))
        .hasMessageContaining("the status range must be within 100-599, low to high");
    assertThatThrownBy(() -> ProbeTarget.parse("http://127.0.0.1:0/"))
        .hasMessageContaining("the port must be 1 to 65535");
    assertThat(ProbeTarget.parse("http://127.0.0.1/a?b=c").toString())
        .isEqualTo("http://127.0.0.1:80/a?b=c");
    assertThat(ProbeTarget.parse("HTTP://127.0.0.1:8080").path()).isEqualTo("/");
    assertThatThrownBy(() -> HeartbeatNode.builder().probeLimits(0, Duration.ofSeconds(1)))
        .hasMessage("probe maxOutstanding must be between 1 and 16, got 0");
    assertThatThrownBy(() -> HeartbeatNode.builder().probeLimits(4, Duration.ZERO))
        .hasMessage("probe cap must be between 1 ms and 1 h, got 0ms");

    HeartbeatNode tcpNode = keep(HeartbeatNode.builder().localId("t").transport(Transport.TCP)
        .bind(new InetSocketAddress(LOOPBACK, 0)).insecure().build());
    assertThatThrownBy(() -> tcpNode.addProbe("x", ProbeTarget.parse("udp://127.0.0.1:9")))
        .hasMessageContaining("udp:// probes need a UDP node");
    HeartbeatNode prober = node("a", HeartbeatNode.builder().insecure()
        .peer("p", new InetSocketAddress(LOOPBACK, 9)));
    assertThatThrownBy(() -> prober.addProbe("p", ProbeTarget.parse("tcp://127.0.0.1:9")))
        .hasMessage("probe p: p is a peer already");
    prober.addProbe("x", ProbeTarget.parse("udp://127.0.0.1:9"));
    prober.addProbe("x", ProbeTarget.parse("udp://127.0.0.1:9")); // the same: idempotent
    assertThatThrownBy(() -> prober.addProbe("x", ProbeTarget.parse("tcp://127.0.0.1:9")))
        .hasMessage("probe x: already probes udp://127.0.0.1:9 (remove it first)");
    assertThatThrownBy(() -> prober.addProbe("y", ProbeTarget.parse("udp://127.0.0.1:9")))
        .hasMessageContaining("probe y: probe x targets");
    assertThatThrownBy(() -> prober.addPeer("x", new InetSocketAddress(LOOPBACK, 9)))
        .hasMessage("peer x: x is a probed target already");
    prober.removePeer("x");
    assertThat(prober.probeStats("x")).isEmpty();
    assertThat(prober.registry().contains("x")).isFalse();
    prober.addProbe("y", ProbeTarget.parse("udp://127.0.0.1:9")); // the address is free again
  }

  /** A UDP relay that forwards both ways (while forwarding) and records what the target sends. */
  private static final class Relay implements AutoCloseable {
    final DatagramSocket socket;
    final InetSocketAddress target;
    final List<byte[]> recorded = new CopyOnWriteArrayList<>();
    volatile boolean forwarding = true;
    volatile InetSocketAddress client;
    final Thread thread;

    Relay(InetSocketAddress target) throws SocketException {
      this.target = target;
      this.socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
      this.thread = new Thread(this::run, "relay");
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    private void run() {
      byte[] buffer = new byte[2048];
      try {
        while (true) {
          DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
          socket.receive(packet);
          byte[] data = java.util.Arrays.copyOf(packet.getData(), packet.getLength());
          boolean fromTarget = packet.getSocketAddress().equals(target);
          if (fromTarget) {
            recorded.add(data);
          } else {
            client = (InetSocketAddress) packet.getSocketAddress();
          }
          InetSocketAddress to = fromTarget ? client : target;
          if (forwarding && to != null) {
            socket.send(new DatagramPacket(data, data.length, to));
          }
        }
      } catch (IOException closed) {
        // closed by the test
      }
    }

    /** Sends {@code packets} to the prober from this relay's address; returns how many. */
    int replay(List<byte[]> packets) throws IOException {
      for (byte[] data : packets) {
        socket.send(new DatagramPacket(data, data.length, client));
      }
      return packets.size();
    }

    @Override
    public void close() {
      socket.close();
    }
  }
}
