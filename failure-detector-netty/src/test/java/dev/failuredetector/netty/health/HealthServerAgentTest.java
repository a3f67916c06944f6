package dev.failuredetector.netty.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failuredetector.TransitionReason;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HAProxy's agent-check protocol over real loopback sockets. */
class HealthServerAgentTest {

  private final ManualRegistry peers = ManualRegistry.abcd();
  private HealthServer server;

  @BeforeEach
  void start() {
    peers.suspectOnlyD();
    server = HealthServer.builder(HealthView.of(peers.registry))
        .agent(new InetSocketAddress("127.0.0.1", 0))
        .agentTimeout(Duration.ofMillis(300))
        .build().start();
  }

  @AfterEach
  void close() {
    server.close();
    peers.close();
  }

  /** Sends {@code request} as HAProxy would and returns everything read until the server closes. */
  private String ask(byte[] request) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(server.agentAddress(), 10_000);
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  private String ask(String request) throws IOException {
    return ask(request.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void availablePeer_upWithItsWeight() throws IOException {
    assertThat(ask("a\n")).isEqualTo("up 100%\n");
    assertThat(ask("b\r\n")).as("CRLF too").isEqualTo("up 100%\n");
    assertThat(server.stats().agentAnswers()).isEqualTo(2);
  }

  @Test
  void latePeer_upWithALowerWeight() throws IOException {
    peers.heartbeat("a", "b", "c");
    peers.advanceMillis(225); // 225 ms of a 300 ms timeout
    assertThat(ask("a\n")).isEqualTo("up 55%\n");
  }

  @Test
  void suspectedOrFailedPeer_downSayingWhy() throws IOException {
    assertThat(ask("d\n")).isEqualTo("down #SUSPECTED TIMEOUT\n");
    peers.registry.markFailed("c", TransitionReason.LEFT);
    assertThat(ask("c\n")).isEqualTo("down #FAILED LEFT\n");
  }

  @Test
  void unknownPeer_down() throws IOException {
    assertThat(ask("zz\n")).isEqualTo("down #unknown peer\n");
  }

  @Test
  void panicHoldingUp_suspectedPeerUpAtTheFloorWeight() throws IOException {
    server.close();
    server = HealthServer.builder(HealthView.builder(peers.registry)
            .massEjectionGuard(MassEjectionGuard.holdingUp(0.2, 3)).build())
        .agent(new InetSocketAddress("127.0.0.1", 0)).build().start();
    assertThat(ask("d\n")).isEqualTo("up 10%\n");
  }

  @Test
  void badRequests_closedWithoutAnAnswer_andCounted() throws IOException {
    assertThat(ask("x".repeat(300) + "\n")).isEmpty(); // too long
    assertThat(ask("\n")).isEmpty(); // empty
    assertThat(ask(new byte[] {(byte) 0xff, (byte) 0xfe, '\n'})).isEmpty(); // not UTF-8
    assertThat(server.stats().agentBadRequests()).isEqualTo(3);
    assertThat(ask("a\n")).as("still answering").isEqualTo("up 100%\n");
  }

  @Test
  void noRequestLine_closedAfterTheAgentTimeout() throws IOException {
    assertThat(ask(new byte[0])).isEmpty(); // HAProxy without agent-send: nothing to answer
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
        .until(() -> server.stats().connectionsTimedOut() == 1);
    assertThat(server.stats().agentAnswers()).isZero();
  }
}
