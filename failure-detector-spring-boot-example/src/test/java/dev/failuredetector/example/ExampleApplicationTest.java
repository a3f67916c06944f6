package dev.failuredetector.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.failuredetector.PeerState;
import dev.failuredetector.TransitionReason;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Two instances of the example service in one JVM, watching each other through the starter, as a
 * user runs them: their application.yml, a shared key file, UDP on loopback, the actuator over
 * HTTP. Runs on Spring Boot 3.5 and, with -Pspring-boot-4, 4.0.
 */
@ExtendWith(OutputCaptureExtension.class)
class ExampleApplicationTest {

  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final String PEER_B = "/actuator/health/failureDetector/peers/orders-b";

  @TempDir
  Path dir;

  private Path keyFile;
  private HttpServer inventory;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void keysAndInventory() throws IOException {
    keyFile = dir.resolve("failure-detector.keys");
    Files.writeString(keyFile, "1:" + "5a".repeat(32) + "\n");
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
    inventory = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    inventory.createContext("/health", exchange -> {
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    inventory.start();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    inventory.stop(0);
  }

  private ExampleNode start(String id, int fdPort, InetSocketAddress peerA,
      InetSocketAddress peerB, String... more) {
    List<String> properties = new ArrayList<>(List.of("NODE_ID=" + id, "FD_PORT=" + fdPort,
        "FD_KEY_FILE=" + keyFile, "PEER_A=127.0.0.1:" + peerA.getPort(),
        "PEER_B=127.0.0.1:" + peerB.getPort(), "PEER_C=127.0.0.1:" + ExampleNode.freeUdpPort(),
        "INVENTORY_URL=http://127.0.0.1:" + inventory.getAddress().getPort() + "/health"));
    properties.addAll(List.of(more));
    ExampleNode node = ExampleNode.start(properties);
    open.add(node);
    return node;
  }

  private static InetSocketAddress loopback(int port) {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  @Test
  void aClosedApplication_saysGoodbye_andItsPeerShowsItLeftAtOnce() {
    int portA = ExampleNode.freeUdpPort();
    int portB = ExampleNode.freeUdpPort();
    ExampleNode a = start("orders-a", portA, loopback(portA), loopback(portB));
    ExampleNode b = start("orders-b", portB, loopback(portA), loopback(portB));
    await().atMost(BOUND).until(() -> a.status(PEER_B).equals("UP")
        && b.status("/actuator/health/failureDetector/peers/orders-a").equals("UP"));
    long timeoutMs = a.detail(PEER_B, "timeoutMs");

    b.close(); // graceful: the lifecycle closes the node, which sends GOODBYE
    await().atMost(BOUND).until(() -> a.status(PEER_B).equals("LEFT"));

    assertThat(a.detail(PEER_B, "inStateMs")).isLessThan(timeoutMs);
    assertThat(a.get(PEER_B).body()).contains("\"state\":\"FAILED\"", "\"reason\":\"LEFT\"");
    // LEFT is not a fault: the aggregate health stays UP (the third peer was never started:
    // UNKNOWN, which does not count either)
    assertThat(a.status("/actuator/health")).isEqualTo("UP");
    assertThat(a.context.getBean(TransitionLog.class).transitions())
        .anySatisfy(t -> {
          assertThat(t.key()).isEqualTo("orders-b");
          assertThat(t.to()).isEqualTo(PeerState.FAILED);
          assertThat(t.reason()).isEqualTo(TransitionReason.LEFT);
        });
    // At once: the goodbye came before the detector's timeout could fire (never SUSPECTED).
    assertThat(a.context.getBean(TransitionLog.class).transitions())
        .filteredOn(t -> t.key().equals("orders-b")).extracting(t -> t.to())
        .containsExactly(PeerState.AVAILABLE, PeerState.FAILED);
  }

  @Test
  void anApplicationStoppedWithoutAGoodbye_isDownWithinTheTimeout_andUpAgainAfterARestart()
      throws Exception {
    int portA = ExampleNode.freeUdpPort();
    int portB = ExampleNode.freeUdpPort();
    // Each node reaches the other through a link the test can cut.
    UdpRelay toA = new UdpRelay(loopback(portA));
    UdpRelay toB = new UdpRelay(loopback(portB));
    open.add(toA);
    open.add(toB);
    ExampleNode a = start("orders-a", portA, loopback(portA), toB.address());
    ExampleNode b = start("orders-b", portB, toA.address(), loopback(portB));
    await().atMost(BOUND).until(() -> a.status(PEER_B).equals("UP"));

    // orders-b stops: nothing more arrives from it, not even its goodbye.
    toA.cut(true);
    toB.cut(true);
    b.close();
    await().atMost(BOUND).until(() -> a.status(PEER_B).equals("DOWN"));
    // How long after the last heartbeat the detector suspected, in the registry's own times
    // (one answer: since the last heartbeat, less the time in the new state), against the
    // detector's timeout plus how late the registry's timer has run at worst.
    String down = a.get(PEER_B).body();
    long suspectedAfterMs = ExampleNode.number(down, "sinceLastHeartbeatMs")
        - ExampleNode.number(down, "inStateMs");
    if (down.contains("\"state\":\"FAILED\"")) { // seen after the confirmation time, too
      suspectedAfterMs -= a.context.getBean(
          dev.failuredetector.spring.boot.FailureDetectorProperties.class).getConfirmationTime()
          .toMillis();
    }
    long timerLagMs = a.context.getBean(dev.failuredetector.netty.HeartbeatNode.class).registry()
        .stats().maxTickLagNanos() / 1_000_000;
    assertThat(toA.dropped()).as("the goodbye was lost with the rest").isPositive();
    assertThat(a.status("/actuator/health/failureDetector")).isEqualTo("DOWN");
    assertThat(a.get(PEER_B).body()).containsAnyOf("\"state\":\"SUSPECTED\"",
        "\"state\":\"FAILED\"").contains("\"reason\":\"TIMEOUT\"");
    assertThat(suspectedAfterMs).as("suspected within the detector's timeout")
        .isLessThanOrEqualTo(ExampleNode.number(down, "timeoutMs") + timerLagMs + 20);

    // orders-b restarts (a new life, the same port) and the link carries again.
    toA.cut(false);
    toB.cut(false);
    ExampleNode again = start("orders-b", portB, toA.address(), loopback(portB));
    await().atMost(BOUND).until(() -> a.status(PEER_B).equals("UP")
        && again.status("/actuator/health/failureDetector/peers/orders-a").equals("UP"));
    assertThat(a.status("/actuator/health/failureDetector")).isEqualTo("UP");
  }

  @Test
  void aProbedDependency_isUpWhileItAnswers_andDownWhenItStops() {
    int portA = ExampleNode.freeUdpPort();
    ExampleNode a = start("orders-a", portA, loopback(portA),
        loopback(ExampleNode.freeUdpPort()));
    String probe = "/actuator/health/failureDetector/probes/inventory";
    await().atMost(BOUND).until(() -> a.status(probe).equals("UP"));
    assertThat(a.get(probe).body()).contains("\"target\":\"http://127.0.0.1:"
        + inventory.getAddress().getPort() + "/health\"", "\"lastHttpStatus\":200");

    inventory.stop(0); // the port refuses: FAILED at once, no timeout to wait for
    await().atMost(BOUND).until(() -> a.status(probe).equals("DOWN"));
    assertThat(a.get("/routes").body()).doesNotContain("inventory");
  }

  @Test
  void inAReadinessGroup_aFailedDependencyMakesTheApplicationUnready() {
    int portA = ExampleNode.freeUdpPort();
    ExampleNode a = start("orders-a", portA, loopback(portA),
        loopback(ExampleNode.freeUdpPort()), "management.endpoint.health.probes.enabled=true",
        "management.endpoint.health.group.readiness.include=readinessState,failureDetector");
    await().atMost(BOUND).until(() -> a.get("/actuator/health/readiness").statusCode() == 200);

    inventory.stop(0);
    await().atMost(BOUND).until(() -> a.get("/actuator/health/readiness").statusCode() == 503);
    assertThat(a.status("/actuator/health/readiness")).isEqualTo("DOWN");
    assertThat(a.get("/actuator/health/liveness").statusCode()).as("alive all the same")
        .isEqualTo(200);
  }

  @Test
  void withPeerDownStatusPeerDown_aFailedDependencyShows_butTheApplicationStaysUp() {
    int portA = ExampleNode.freeUdpPort();
    ExampleNode a = start("orders-a", portA, loopback(portA),
        loopback(ExampleNode.freeUdpPort()), "failure-detector.health.peer-down-status=PEER_DOWN");
    String probe = "/actuator/health/failureDetector/probes/inventory";
    await().atMost(BOUND).until(() -> a.status(probe).equals("UP"));

    inventory.stop(0);
    await().atMost(BOUND).until(() -> a.status(probe).equals("PEER_DOWN"));
    assertThat(a.get("/actuator/health").statusCode()).isEqualTo(200);
    assertThat(a.status("/actuator/health")).isEqualTo("UP");
  }

  @Test
  void theMeters_areInActuatorsPrometheusScrape() {
    int portA = ExampleNode.freeUdpPort();
    int portB = ExampleNode.freeUdpPort();
    ExampleNode a = start("orders-a", portA, loopback(portA), loopback(portB));
    ExampleNode b = start("orders-b", portB, loopback(portA), loopback(portB));
    await().atMost(BOUND).until(() -> a.status(PEER_B).equals("UP"));
    await().atMost(BOUND).untilAsserted(() -> assertThat(a.get("/actuator/prometheus").body())
        .contains("failure_detector_transport_messages_accepted_total{node=\"orders-a\"}")
        .containsPattern("failure_detector_peers\\{node=\"orders-a\",state=\"available\"\\} 2")
        .contains("failure_detector_peer_phi{node=\"orders-a\",peer=\"orders-b\"}")
        .contains("failure_detector_probe_sent_total{kind=\"http\",node=\"orders-a\","
            + "peer=\"inventory\"}"));
    assertThat(b.get("/actuator/prometheus").body())
        .contains("failure_detector_transport_messages_accepted_total{node=\"orders-b\"}");
  }

  @Test
  void aBadPeerAddress_failsTheStart_namingTheProperty(CapturedOutput output) {
    int portA = ExampleNode.freeUdpPort();
    assertThatThrownBy(() -> start("orders-a", portA, loopback(portA), loopback(1),
        "failure-detector.peers.orders-b=orders-b.internal"))
        .hasRootCauseInstanceOf(IllegalArgumentException.class);
    assertThat(output).contains("APPLICATION FAILED TO START",
        "Property: failure-detector.peers.orders-b", "Value: \"orders-b.internal\"",
        "must be host:port");
  }

  @Test
  void aDurationThatIsNotOne_failsTheStart_namingTheProperty(CapturedOutput output) {
    int portA = ExampleNode.freeUdpPort();
    assertThatThrownBy(() -> start("orders-a", portA, loopback(portA), loopback(1),
        "failure-detector.interval=soon")).isInstanceOf(RuntimeException.class);
    assertThat(output).contains("APPLICATION FAILED TO START",
        "Property: failure-detector.interval", "Value: \"soon\"");
  }

  @Test
  void noKey_failsTheStart_sayingHowToGiveOne(CapturedOutput output) {
    int portA = ExampleNode.freeUdpPort();
    assertThatThrownBy(() -> start("orders-a", portA, loopback(portA), loopback(1),
        "failure-detector.key-file="))
        .isInstanceOf(RuntimeException.class);
    assertThat(output).contains("APPLICATION FAILED TO START",
        "Property: failure-detector.key-file", "FD_KEY", "failure-detector.insecure=true");
  }
}
