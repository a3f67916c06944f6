package dev.failuredetector.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.failuredetector.DeadlineFailureDetector;
import dev.failuredetector.PeerState;
import dev.failuredetector.TransitionReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Two real nodes on loopback UDP (127.0.0.1, ephemeral ports). */
class HeartbeatNodeTest {

  private static final Duration GENEROUS = Duration.ofSeconds(30);
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
  private static final byte[] OTHER_KEY = "fedcba9876543210fedcba9876543210".getBytes();

  private HeartbeatNode a;
  private HeartbeatNode b;

  private static HeartbeatNode node(String id, long incarnation) throws InterruptedException {
    return node(id, incarnation, Transport.UDP);
  }

  private static HeartbeatNode node(String id, long incarnation, Transport transport)
      throws InterruptedException {
    return HeartbeatNode.builder()
        .localId(id)
        .transport(transport)
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .interval(Duration.ofMillis(50))
        .incarnation(incarnation)
        .keyRing(KeyRing.of(1, KEY))
        // Generous timeout: a noisy 2-core CI machine must not cause suspicions.
        .detector(DeadlineFailureDetector.builder().heartbeatInterval(Duration.ofMillis(50))
            .acceptableHeartbeatPause(Duration.ofSeconds(2))::build)
        .build().start();
  }

  private void startPair() throws InterruptedException {
    startPair(Transport.UDP);
  }

  private void startPair(Transport transport) throws InterruptedException {
    a = node("a", 1, transport);
    b = node("b", 1, transport);
    a.addPeer("b", b.localAddress());
    b.addPeer("a", a.localAddress());
  }

  @AfterEach
  void closeNodes() {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void twoNodes_seeEachOtherAvailable(Transport transport) throws InterruptedException {
    startPair(transport);
    await().atMost(GENEROUS).until(() -> b.registry().isAvailable("a")
        && a.registry().isAvailable("b"));
    assertThat(b.accepted()).isPositive();
    assertThat(a.sent()).isPositive();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void goodbyeOnClose_marksTheNodeLeftAtOnce(Transport transport) throws InterruptedException {
    startPair(transport);
    await().atMost(GENEROUS).until(() -> b.registry().isAvailable("a"));
    a.close();
    await().atMost(GENEROUS).until(() -> b.registry().state("a") == PeerState.FAILED);
    assertThat(b.registry().snapshot("a").orElseThrow().reason()).as(() -> diagnostics(b))
        .isEqualTo(TransitionReason.LEFT);
  }

  private static String diagnostics(HeartbeatNode node) {
    StringBuilder text = new StringBuilder("accepted=" + node.accepted());
    for (DropReason reason : DropReason.values()) {
      if (node.drops(reason) > 0) {
        text.append(' ').append(reason).append('=').append(node.drops(reason));
      }
    }
    return text.toString();
  }

  @Test
  void forgedReplayedRandomAndUnknownDatagrams_areCountedAndChangeNothing()
      throws InterruptedException, IOException {
    startPair();
    await().atMost(GENEROUS).until(() -> b.registry().isAvailable("a"));
    InetSocketAddress target = b.localAddress();
    try (DatagramSocket attacker = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      // A GOODBYE "from a" signed with the wrong key: must not mark a as LEFT.
      send(attacker, target, new WireCodec(KeyRing.of(1, OTHER_KEY), true),
          new WireMessage(MessageType.GOODBYE, "a", 1, Long.MAX_VALUE, 0));
      // A validly signed GOODBYE with an old sequence number: a replay.
      send(attacker, target, new WireCodec(KeyRing.of(1, KEY), true),
          new WireMessage(MessageType.GOODBYE, "a", 1, 1, 0));
      // A validly signed heartbeat from a node b does not know.
      send(attacker, target, new WireCodec(KeyRing.of(1, KEY), true),
          new WireMessage(MessageType.HEARTBEAT, "stranger", 1, 1, 0));
      // 10,000 random datagrams.
      SplittableRandom random = new SplittableRandom(1);
      for (int i = 0; i < 10_000; i++) {
        byte[] junk = new byte[random.nextInt(1, 300)];
        random.nextBytes(junk);
        attacker.send(new java.net.DatagramPacket(junk, junk.length, target));
      }
    }
    await().atMost(GENEROUS).until(() -> b.drops(DropReason.BAD_TAG) >= 1
        && b.drops(DropReason.REPLAYED) >= 1 && b.drops(DropReason.UNKNOWN_SENDER) >= 1);
    long malformed = 0;
    for (DropReason reason : DropReason.values()) {
      malformed += b.drops(reason);
    }
    assertThat(malformed).isGreaterThan(3);
    // The node is still responsive and a is still monitored as alive.
    long acceptedBefore = b.accepted();
    await().atMost(GENEROUS).until(() -> b.accepted() > acceptedBefore + 5);
    assertThat(b.registry().state("a")).isEqualTo(PeerState.AVAILABLE);
    assertThat(b.registry().mistakes()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void restartedNode_isReportedRestarted(Transport transport) throws InterruptedException {
    startPair(transport);
    await().atMost(GENEROUS).until(() -> b.registry().isAvailable("a"));
    InetSocketAddress oldAddress = a.localAddress();
    a.close();
    a = HeartbeatNode.builder().localId("a").transport(transport).bind(oldAddress)
        .interval(Duration.ofMillis(50))
        .incarnation(2).keyRing(KeyRing.of(1, KEY)).build().start();
    a.addPeer("b", b.localAddress());
    await().atMost(GENEROUS).until(() -> b.registry().snapshot("a").orElseThrow().incarnation() == 2);
    assertThat(b.registry().snapshot("a").orElseThrow().reason())
        .isEqualTo(TransitionReason.RESTARTED);
    assertThat(b.registry().isAvailable("a")).isTrue();
  }

  @Test
  void recordedArrivals_exportAsATraceThatTuneCanReplay(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    a = node("a", 1);
    b = HeartbeatNode.builder().localId("b")
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .interval(Duration.ofMillis(50)).keyRing(KeyRing.of(1, KEY)).recordArrivals(1000)
        .build().start();
    a.addPeer("b", b.localAddress());
    b.addPeer("a", a.localAddress());
    await().atMost(GENEROUS).until(() -> b.accepted() >= 30);
    java.nio.file.Path file = dir.resolve("a.csv.gz");
    int written = b.exportTrace("a", file);
    assertThat(written).isGreaterThanOrEqualTo(30);
    dev.failuredetector.qos.HeartbeatTrace trace = dev.failuredetector.qos.HeartbeatTrace.read(file);
    assertThat(trace.size()).isEqualTo(written);
    assertThat(trace.medianIntervalNanos()).isBetween(30_000_000L, 80_000_000L); // ~50 ms +- 10%
    dev.failuredetector.qos.QosReport report = dev.failuredetector.qos.QosReplay.replay(trace,
        DeadlineFailureDetector.builder().heartbeatInterval(Duration.ofMillis(50))::build, 5);
    assertThat(report.heartbeats()).isEqualTo(written - 5);
    assertThatThrownBy(() -> a.exportTrace("b", file)).isInstanceOf(IllegalStateException.class)
        .hasMessage("arrival recording is off: set recordArrivals(n) on the builder");
  }

  @Test
  void builder_rejectsBadSettings() {
    assertThatThrownBy(() -> HeartbeatNode.builder().interval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("interval must be between 1 ms and 1 h, got PT0S");
    assertThatThrownBy(() -> HeartbeatNode.builder().jitter(0.9))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("jitter must be between 0 and 0.5, got 0.9");
    assertThatThrownBy(() -> HeartbeatNode.builder().localId(""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("senderId must be");
    assertThatThrownBy(() -> HeartbeatNode.builder().recordArrivals(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("recordArrivals must be between 0 and 10,000,000, got -1");
    assertThatThrownBy(() -> HeartbeatNode.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessage("localId and bind are required");
  }

  private static void send(DatagramSocket socket, InetSocketAddress target, WireCodec codec,
      WireMessage message) throws IOException {
    ByteBuf buffer = Unpooled.buffer();
    try {
      codec.encode(message, buffer);
      byte[] bytes = ByteBufUtil.getBytes(buffer);
      socket.send(new java.net.DatagramPacket(bytes, bytes.length, target));
    } finally {
      buffer.release();
    }
  }
}
