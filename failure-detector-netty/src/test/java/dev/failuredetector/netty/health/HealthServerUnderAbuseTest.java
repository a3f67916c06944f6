package dev.failuredetector.netty.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.PeerState;
import dev.failuredetector.PeerTransition;
import dev.failuredetector.netty.HeartbeatNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bad HTTP clients do not disturb detection: two live nodes exchange heartbeats while the
 * observer's health server gets thousands of malformed, oversized and unknown-peer requests and a
 * crowd of slow clients. The peer must stay AVAILABLE throughout, and good requests still answered.
 */
class HealthServerUnderAbuseTest {

  private static final InetSocketAddress ANY = new InetSocketAddress("127.0.0.1", 0);

  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private HeartbeatNode node(String id) throws InterruptedException {
    HeartbeatNode node = HeartbeatNode.builder().insecure().localId(id).bind(ANY)
        .interval(Duration.ofMillis(100))
        // A pause of 1 s: CPU contention on a 2-core machine cannot explain a suspicion, a health
        // server that blocked the node's event loop would.
        .registry(r -> r.detector(DetectorSpec.phi().withInterval(Duration.ofMillis(100))
            .withPause(Duration.ofSeconds(1))))
        .build().start();
    resources.add(node);
    return node;
  }

  @Test
  void abusiveClients_peerStaysAvailable_goodRequestsAnswered()
      throws IOException, InterruptedException {
    HeartbeatNode observer = node("observer");
    HeartbeatNode peer = node("peer");
    observer.addPeer("peer", peer.localAddress());
    peer.addPeer("observer", observer.localAddress());
    await().atMost(Duration.ofSeconds(30)).until(() -> observer.registry().isAvailable("peer"));
    List<PeerTransition<String>> transitions = new CopyOnWriteArrayList<>();
    observer.registry().addListener(transitions::add);
    HealthServer server = HealthServer.builder(HealthView.of(observer.registry())).http(ANY)
        .requestTimeout(Duration.ofMillis(200)).maxConnections(64).build().start();
    resources.add(server);

    List<RawHttp> slow = new ArrayList<>();
    try {
      for (int i = 0; i < 30; i++) { // slow clients: half a request each, never finished
        slow.add(new RawHttp(server.httpAddress()).send("GET /health/peer HTTP/1.1\r\nHo"));
      }
      Random random = new Random(6);
      int bad = 0;
      for (int i = 0; i < 2_000; i++) {
        try (RawHttp http = new RawHttp(server.httpAddress())) {
          byte[] junk = new byte[1 + random.nextInt(200)];
          random.nextBytes(junk);
          int status = switch (i % 4) {
            case 0 -> http.send(junk).send("\r\n\r\n").read(false).status();
            case 1 -> http.get("/health/" + "x".repeat(9_000)).status();
            case 2 -> http.get("/health/nobody" + i).status();
            default -> http.get("/health/%2e%2e/metrics").status();
          };
          bad += status >= 400 ? 1 : 0;
        }
        if (i % 100 == 0) {
          try (RawHttp good = new RawHttp(server.httpAddress())) {
            assertThat(good.get("/health/peer").status()).isEqualTo(200);
          }
        }
      }
      assertThat(bad).isEqualTo(2_000);
      for (RawHttp client : slow) {
        assertThat(client.read(false).status()).isEqualTo(408);
      }
    } finally {
      for (RawHttp client : slow) {
        client.close();
      }
    }
    assertThat(server.stats().slowClients()).isEqualTo(30);
    assertThat(transitions).as("no suspicion while the health server was abused").isEmpty();
    assertThat(observer.registry().state("peer")).isEqualTo(PeerState.AVAILABLE);
    assertThat(observer.registry().stats().mistakes()).isZero();
  }
}
