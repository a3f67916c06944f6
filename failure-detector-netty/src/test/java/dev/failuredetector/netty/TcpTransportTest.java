package dev.failuredetector.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.HeartbeatOutcome;
import dev.failuredetector.PeerSnapshot;
import dev.failuredetector.PeerState;
import dev.failuredetector.TransitionReason;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The TCP transport against hand-driven sockets on loopback: the test plays a peer ("p") with a
 * plain socket, so it can crash it (no GOODBYE) or send hostile frames.
 */
class TcpTransportTest {

  private static final Duration GENEROUS = Duration.ofSeconds(30);
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private HeartbeatNode node;
  private final List<AutoCloseable> sockets = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable socket : sockets) {
      socket.close();
    }
    if (node != null) {
      node.close();
    }
  }

  private HeartbeatNode startNode(InetSocketAddress peerAddress, int maxInbound)
      throws InterruptedException {
    return startNode(peerAddress, maxInbound, true);
  }

  private HeartbeatNode startNode(InetSocketAddress peerAddress, int maxInbound,
      boolean refusedIsFailure) throws InterruptedException {
    return HeartbeatNode.builder().localId("n").transport(Transport.TCP)
        .refusedConnectionIsFailure(refusedIsFailure)
        .bind(new InetSocketAddress(LOOPBACK, 0))
        .interval(Duration.ofMillis(50))
        .keyRing(KeyRing.of(1, KEY))
        .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
        .maxInboundConnections(maxInbound)
        // Ten minutes: only the refused connection can make "p" FAILED within the test.
        .registry(r -> r.detector(DetectorSpec.deadline().withInterval(Duration.ofMillis(50))
            .withPause(Duration.ofMinutes(10))))
        .peer("p", peerAddress)
        .build().start();
  }

  /**
   * Starts the node with "p" at a port the test holds (never accepted), and connects as "p":
   * one heartbeat with {@code sequence} (small: a new peer numbers from 1, and the node bounds how
   * far ahead a first message may be), so that the node sees p AVAILABLE.
   */
  private Connection startWithHonestPeer(int maxInbound, long sequence) throws Exception {
    ServerSocket peerPort = new ServerSocket(0, 50, LOOPBACK);
    sockets.add(peerPort);
    node = startNode(new InetSocketAddress(LOOPBACK, peerPort.getLocalPort()), maxInbound);
    Connection honest = connectAsPeer();
    sendFrame(honest, KEY, new WireMessage(MessageType.HEARTBEAT, "p", 1, node.incarnation(), sequence, 0));
    await().atMost(GENEROUS).until(() -> node.registry().isAvailable("p"));
    return honest;
  }

  /** A connection into the node, as peer "p" would open one, to send framed messages on. */
  private record Connection(Socket socket, DataOutputStream out) {}

  private Connection connectAsPeer() throws IOException {
    Socket socket = new Socket(LOOPBACK, node.localAddress().getPort());
    sockets.add(socket);
    socket.setSoTimeout((int) GENEROUS.toMillis());
    return new Connection(socket, new DataOutputStream(socket.getOutputStream()));
  }

  private static void sendFrame(Connection connection, byte[] key, WireMessage message)
      throws IOException {
    byte[] bytes = WireBytes.encode(new WireCodec(KeyRing.of(1, key), true), message);
    connection.out().writeShort(bytes.length);
    connection.out().write(bytes);
    connection.out().flush();
  }

  @Test
  void refusedConnection_marksAHeardPeerFailedAtOnce() throws Exception {
    ServerSocket peerPort = new ServerSocket(0, 50, LOOPBACK);
    sockets.add(peerPort);
    node = startNode(new InetSocketAddress(LOOPBACK, peerPort.getLocalPort()), 16);
    Socket nodeToPeer = peerPort.accept(); // the node's outbound link to "p"
    sockets.add(nodeToPeer);
    Connection in = connectAsPeer();
    sendFrame(in, KEY, new WireMessage(MessageType.HEARTBEAT, "p", 1, node.incarnation(), 1, 0));
    sendFrame(in, KEY, new WireMessage(MessageType.HEARTBEAT, "p", 1, node.incarnation(), 2, 0));
    await().atMost(GENEROUS).until(() -> node.registry().isAvailable("p"));

    // "p" crashes: its sockets close and nothing listens on its port any more.
    peerPort.close();
    nodeToPeer.close();

    await().atMost(GENEROUS).until(() -> node.registry().state("p") == PeerState.FAILED);
    PeerSnapshot<String> snapshot = node.registry().snapshot("p").orElseThrow();
    assertThat(snapshot.reason()).isEqualTo(TransitionReason.CONNECTION_REFUSED);
    assertThat(node.stats().connectionRefusedClues()).isEqualTo(1);
    assertThat(node.stats().connectFailures()).isPositive();
  }

  @Test
  void refusedConnection_withTheClueTurnedOff_leavesThePeerToItsTimeout() throws Exception {
    ServerSocket peerPort = new ServerSocket(0, 50, LOOPBACK);
    sockets.add(peerPort);
    node = startNode(new InetSocketAddress(LOOPBACK, peerPort.getLocalPort()), 16, false);
    Socket nodeToPeer = peerPort.accept();
    sockets.add(nodeToPeer);
    Connection in = connectAsPeer();
    sendFrame(in, KEY, new WireMessage(MessageType.HEARTBEAT, "p", 1, node.incarnation(), 1, 0));
    sendFrame(in, KEY, new WireMessage(MessageType.HEARTBEAT, "p", 1, node.incarnation(), 2, 0));
    await().atMost(GENEROUS).until(() -> node.registry().isAvailable("p"));

    // "p"'s port refuses from now on (something else may hold it while p lives elsewhere).
    peerPort.close();
    nodeToPeer.close();

    long failuresBefore = node.stats().connectFailures();
    await().atMost(GENEROUS).until(() -> node.stats().connectFailures() >= failuresBefore + 3);
    assertThat(node.registry().state("p")).as("left to its 10-minute timeout")
        .isEqualTo(PeerState.AVAILABLE);
    assertThat(node.stats().connectionRefusedClues()).isZero();
  }

  @Test
  void refusedConnection_beforeThePeerWasEverHeard_isNoClue() throws Exception {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 50, LOOPBACK)) {
      closedPort = probe.getLocalPort();
    }
    node = startNode(new InetSocketAddress(LOOPBACK, closedPort), 16);
    await().atMost(GENEROUS).until(() -> node.stats().connectFailures() >= 3);
    assertThat(node.registry().state("p")).isEqualTo(PeerState.UNKNOWN);
    assertThat(node.stats().connectionRefusedClues()).isZero();
  }

  @Test
  void hostileFrames_areCountedAndCloseTheConnection_peerStateUnchanged() throws Exception {
    Connection honest = startWithHonestPeer(16, 3);

    // A GOODBYE "from p" with the wrong key: dropped, the connection closed, p still available.
    Connection forger = connectAsPeer();
    sendFrame(forger, "fedcba9876543210fedcba9876543210".getBytes(),
        new WireMessage(MessageType.GOODBYE, "p", 1, node.incarnation(), 99, 0));
    await().atMost(GENEROUS).until(() -> node.stats().drops(DropReason.BAD_TAG) == 1);
    assertClosedByNode(forger);

    // A replayed GOODBYE, validly signed: counted, not acted on (and not a reason to close).
    sendFrame(honest, KEY, new WireMessage(MessageType.GOODBYE, "p", 1, node.incarnation(), 2, 0));
    await().atMost(GENEROUS).until(() -> node.registry().stats().heartbeats(HeartbeatOutcome.STALE_SEQUENCE) == 1);

    // A frame announcing 4,000 bytes: oversized, closed before reading it.
    Connection greedy = connectAsPeer();
    greedy.out().writeShort(4_000);
    greedy.out().write(new byte[200]);
    greedy.out().flush();
    await().atMost(GENEROUS).until(() -> node.stats().drops(DropReason.OVERSIZED) == 1);
    assertClosedByNode(greedy);

    // Garbage of a legal length: a bad magic, closed.
    Connection noisy = connectAsPeer();
    noisy.out().writeShort(40);
    noisy.out().write(new byte[40]);
    noisy.out().flush();
    await().atMost(GENEROUS).until(() -> node.stats().drops(DropReason.BAD_MAGIC) == 1);
    assertClosedByNode(noisy);

    // The honest connection still works, and nothing changed p's state.
    sendFrame(honest, KEY, new WireMessage(MessageType.HEARTBEAT, "p", 1, node.incarnation(), 4, 0));
    await().atMost(GENEROUS).until(() -> node.stats().accepted() == 2);
    assertThat(node.registry().state("p")).isEqualTo(PeerState.AVAILABLE);
    assertThat(node.stats().inboundClosed()).isEqualTo(3);
  }

  @Test
  void fuzzedConnections_changeNothing_andLeakNoConnectionSlot() throws Exception {
    Connection honest = startWithHonestPeer(8, 1);
    byte[] validGoodbye = WireBytes.encode(new WireCodec(KeyRing.of(1, KEY), true),
        new WireMessage(MessageType.GOODBYE, "p", 1, node.incarnation(), 1_000_000, 0));
    java.util.SplittableRandom random = new java.util.SplittableRandom(3);
    int connections = 2_000;
    for (int i = 0; i < connections; i++) {
      try (Socket socket = new Socket(LOOPBACK, node.localAddress().getPort())) {
        socket.setSoTimeout((int) GENEROUS.toMillis());
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        byte[] payload = i % 2 == 0 ? WireBytes.mutate(validGoodbye, random)
            : randomBytes(random);
        out.writeShort(i % 7 == 0 ? random.nextInt(65_536) : payload.length);
        out.write(payload);
        out.flush();
        socket.shutdownOutput();
        assertClosedByNode(new Connection(socket, out)); // paces the run: one at a time
      }
    }
    // Every fuzzed connection is gone: only the honest one is open, no slot leaked.
    await().atMost(GENEROUS).until(() -> node.stats().inboundOpen() == 1);
    assertThat(node.stats().inboundRejected()).isZero();
    // Each connection is dropped at its first bad frame: at most one drop each.
    assertThat(droppedTotal()).isBetween((long) connections / 2, (long) connections);
    assertThat(node.stats().inboundClosed()).isEqualTo(droppedTotal());
    // p is still available (no forged GOODBYE got through), and a new honest connection gets a
    // slot: the open-connection count came back down.
    assertThat(node.registry().state("p")).isEqualTo(PeerState.AVAILABLE);
    Connection later = connectAsPeer();
    sendFrame(later, KEY, new WireMessage(MessageType.HEARTBEAT, "p", 1, node.incarnation(), 2, 0));
    await().atMost(GENEROUS).until(() -> node.stats().accepted() == 2);
    assertThat(node.registry().stats().transitions(TransitionReason.LEFT)).isZero();
    System.out.printf("TCP fuzz, %d connections: %d frames dropped, %d connections closed by the"
        + " node for a bad frame%n", connections, droppedTotal(), node.stats().inboundClosed());
  }

  private long droppedTotal() {
    long total = 0;
    for (DropReason reason : DropReason.values()) {
      total += node.stats().drops(reason);
    }
    return total;
  }

  private static byte[] randomBytes(java.util.SplittableRandom random) {
    byte[] bytes = new byte[random.nextInt(0, 130)];
    random.nextBytes(bytes);
    return bytes;
  }

  @Test
  void inboundConnectionsBeyondTheLimit_evictTheIdleOnes_neverAPeerThatSends() throws Exception {
    Connection honest = startWithHonestPeer(2, 1);
    List<Connection> idle = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      idle.add(connectAsPeer()); // silent: each newcomer evicts the one that sent nothing longest
    }
    await().atMost(GENEROUS).until(() -> node.stats().inboundRejected() == 5);
    for (Connection evicted : idle.subList(0, 5)) {
      assertClosedByNode(evicted);
    }
    // The peer that sends kept its slot however many silent connections came after it.
    sendFrame(honest, KEY, new WireMessage(MessageType.HEARTBEAT, "p", 1, node.incarnation(), 2,
        0));
    await().atMost(GENEROUS).until(() -> node.stats().accepted() == 2);
    assertThat(node.stats().inboundOpen()).isEqualTo(2);
  }

  /** The node closed the connection: reading ends (end of stream, or a reset). */
  private static void assertClosedByNode(Connection connection) {
    int read;
    try {
      InputStream in = connection.socket().getInputStream();
      read = in.read(); // the node never writes on inbound connections: blocks until it closes
    } catch (IOException reset) {
      read = -1;
    }
    assertThat(read).as("end of stream").isEqualTo(-1);
  }
}
