package dev.failuredetector.cli.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.HeartbeatOutcome;
import dev.failuredetector.PeerState;
import dev.failuredetector.PeerTransition;
import dev.failuredetector.TransitionReason;
import dev.failuredetector.netty.DropReason;
import dev.failuredetector.netty.HeartbeatNode;
import dev.failuredetector.netty.KeyRing;
import dev.failuredetector.netty.MessageType;
import dev.failuredetector.netty.WireCodec;
import dev.failuredetector.netty.WireFrame;
import dev.failuredetector.netty.WireMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The attacks of the wire-format issue, replayed against real nodes on loopback (an observer in
 * this JVM, the victim c a {@code node} child JVM, everyone with the cluster key): each one
 * must leave the honest view as it was. The attacker holds a recording of the traffic ({@link
 * UdpTap}: c believes the tap is one of its peers, or the tap sits on c's path to the observer).
 */
class ReplayAttackTest {

  private static final String KEY = "1:" + "3c".repeat(32);
  private static final KeyRing RING = KeyRing.parse("test key", KEY);
  private static final Duration INTERVAL = Duration.ofMillis(100);
  /** The observers' detector: a fixed 600 ms timeout, so "within a timeout" is a number. */
  private static final String SPEC = "deadline:pause=500ms";
  private static final long MS = 1_000_000;

  private final List<AutoCloseable> resources = new ArrayList<>();

  /** A node in this JVM and what its listener was told. */
  private record Observer(HeartbeatNode node, List<PeerTransition<String>> seen) {
    boolean sawAvailableAfter(int index, String peer) {
      return seen.subList(index, seen.size()).stream()
          .anyMatch(t -> t.key().equals(peer) && t.to() == PeerState.AVAILABLE);
    }
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private Observer observer(String id, int port, boolean insecure) throws InterruptedException {
    HeartbeatNode.Builder builder = HeartbeatNode.builder().localId(id)
        .bind(new InetSocketAddress("127.0.0.1", port)).interval(INTERVAL)
        .registry(r -> r.detector(DetectorSpec.parse(SPEC)).confirmationTime(Duration.ofMinutes(1)));
    HeartbeatNode node = (insecure ? builder.insecure() : builder.keyRing(RING)).build().start();
    resources.add(node);
    List<PeerTransition<String>> seen = new CopyOnWriteArrayList<>();
    node.registry().addListener(seen::add);
    return new Observer(node, seen);
  }

  private NodeProcess victim(boolean insecure, String... peers) throws IOException {
    List<String> args = new ArrayList<>(List.of("--bind", "127.0.0.1:0", "--interval",
        Long.toString(INTERVAL.toMillis()), "--detector", SPEC));
    for (String peer : peers) {
      args.add("--peer");
      args.add(peer);
    }
    NodeProcess c = NodeProcess.start(List.of(), insecure ? Map.of() : Map.of("FD_KEY", KEY), "c", args.toArray(String[]::new));
    resources.add(c);
    return c;
  }

  private static InetSocketAddress addressOf(NodeProcess process) {
    return new InetSocketAddress("127.0.0.1", process.port());
  }

  private UdpTap tap() throws IOException {
    UdpTap tap = new UdpTap();
    resources.add(tap);
    return tap;
  }

  private static long unechoed(HeartbeatNode node) {
    return node.stats().drops(DropReason.UNECHOED);
  }

  private static int freePort() throws IOException {
    try (java.net.DatagramSocket probe = new java.net.DatagramSocket(0,
        java.net.InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }

  @Test
  void framesForAnotherRecipient_replayedAfterTheSendersKill_neverReviveIt() throws Exception {
    Observer a = observer("a", 0, false);
    Observer b = observer("b", 0, false);
    UdpTap toB = tap(); // on c's path to its other peer, b: recorded and forwarded
    toB.forwardTo(b.node().localAddress());
    NodeProcess c = victim(false, "a=127.0.0.1:" + a.node().localAddress().getPort(),
        "b=127.0.0.1:" + toB.address().getPort());
    a.node().addPeer("c", addressOf(c));
    b.node().addPeer("c", addressOf(c));
    await().atMost(NodeProcess.GENEROUS).until(() -> a.node().registry().isAvailable("c")
        && b.node().registry().isAvailable("c") && toB.recorded().size() >= 30);
    // They are c's real frames to b: they echo b's incarnation, and number on above a's.
    assertThat(decode(toB.recorded().get(toB.recorded().size() - 1)).echoIncarnation())
        .isEqualTo(b.node().incarnation());
    c.kill();
    await().atMost(NodeProcess.GENEROUS)
        .until(() -> a.node().registry().state("c") == PeerState.SUSPECTED);
    int mark = a.seen().size();
    long before = unechoed(a.node());
    List<byte[]> recording = List.copyOf(toB.recorded());
    UdpTap.replay(recording, a.node().localAddress());
    // Before v2 every one of them was accepted (their numbers ran above a's last from c) and c
    // was AVAILABLE again for seconds. Now none echoes a: each is dropped and counted.
    await().atMost(NodeProcess.GENEROUS)
        .until(() -> unechoed(a.node()) - before >= recording.size());
    assertThat(a.node().registry().state("c")).isEqualTo(PeerState.SUSPECTED);
    assertThat(a.sawAvailableAfter(mark, "c")).isFalse();
    System.out.printf("cross-recipient replay: %d of c's frames to b replayed to a after c's"
        + " SIGKILL: %d dropped as UNECHOED, c stayed %s%n", recording.size(),
        unechoed(a.node()) - before, a.node().registry().state("c"));
  }

  @Test
  void recordingsReplayedToARestartedObserver_andAnOldGoodbye_changeNothing() throws Exception {
    int port = freePort();
    Observer a1 = observer("a", port, false);
    InetSocketAddress aAddress = new InetSocketAddress("127.0.0.1", port);
    UdpTap path = tap(); // on c's path to a: forwards and records
    path.forwardTo(aAddress);
    NodeProcess c1 = victim(false, "a=127.0.0.1:" + path.address().getPort());
    a1.node().addPeer("c", addressOf(c1));
    await().atMost(NodeProcess.GENEROUS).until(() -> a1.node().registry().isAvailable("c")
        && path.recorded().size() >= 30);
    c1.command("quit"); // its GOODBYE goes through the tap too
    await().atMost(NodeProcess.GENEROUS).until(
        () -> a1.node().registry().state("c") == PeerState.FAILED);
    assertThat(a1.node().registry().snapshot("c").orElseThrow().reason())
        .isEqualTo(TransitionReason.LEFT);
    List<byte[]> firstLife = List.copyOf(path.recorded()); // c1's heartbeats and its GOODBYE

    // c comes back (a new life), a restarts (a new life): a2 sees c2 alive.
    NodeProcess c2 = victim(false, "a=127.0.0.1:" + path.address().getPort());
    a1.node().close();
    Observer a2 = observer("a", port, false);
    a2.node().addPeer("c", addressOf(c2));
    await().atMost(NodeProcess.GENEROUS).until(() -> a2.node().registry().isAvailable("c"));
    int mark = a2.seen().size();
    long before = unechoed(a2.node());
    UdpTap.replay(firstLife, aAddress); // the old GOODBYE among them
    await().atMost(NodeProcess.GENEROUS)
        .until(() -> unechoed(a2.node()) - before >= firstLife.size());
    assertThat(a2.node().registry().isAvailable("c")).as("the old GOODBYE changed nothing")
        .isTrue();
    assertThat(a2.seen().subList(mark, a2.seen().size())).isEmpty();

    // c dies; a restarts again (a3 has never heard c); all of c's recorded frames, both lives,
    // replayed to it: it must not take c for alive (before v2: FIRST_HEARTBEAT, AVAILABLE 5.6 s).
    List<byte[]> bothLives = List.copyOf(path.recorded());
    c2.kill();
    a2.node().close();
    Observer a3 = observer("a", port, false);
    a3.node().addPeer("c", addressOf(c2));
    long before3 = unechoed(a3.node());
    UdpTap.replay(bothLives, aAddress);
    await().atMost(NodeProcess.GENEROUS)
        .until(() -> unechoed(a3.node()) - before3 >= bothLives.size());
    assertThat(a3.node().registry().state("c")).isEqualTo(PeerState.UNKNOWN);
    assertThat(a3.sawAvailableAfter(0, "c")).isFalse();
    System.out.printf("replay to restarted observers: %d frames of c1 (GOODBYE included) to a2"
        + " while c2 lives: c stayed AVAILABLE; %d frames of both lives to a3 after c2's SIGKILL:"
        + " c stayed UNKNOWN; all dropped as UNECHOED%n", firstLife.size(), bothLives.size());
  }

  @Test
  void forgeriesWithTheKey_farFutureIsDropped_aPlausibleOneLastsLessThanATimeout()
      throws Exception {
    Observer a = observer("a", 0, false);
    UdpTap path = tap();
    path.forwardTo(a.node().localAddress());
    NodeProcess c = victim(false, "a=127.0.0.1:" + path.address().getPort());
    a.node().addPeer("c", addressOf(c));
    await().atMost(NodeProcess.GENEROUS).until(() -> a.node().registry().isAvailable("c")
        && path.recorded().size() >= 10);
    // What a member holding the key learns from the traffic: c's incarnation and numbering.
    WireFrame last = decode(path.recorded().get(path.recorded().size() - 1));
    assertThat(last.echoIncarnation()).isEqualTo(a.node().incarnation());
    WireCodec forger = new WireCodec(RING, true);

    long implausibleBefore = a.node().registry().stats().heartbeats(HeartbeatOutcome.IMPLAUSIBLE_SEQUENCE);
    send(forger, new WireMessage(MessageType.GOODBYE, "c", last.incarnation(),
        a.node().incarnation(), Long.MAX_VALUE, 0), a.node().localAddress());
    await().atMost(NodeProcess.GENEROUS).until(() ->
        a.node().registry().stats().heartbeats(HeartbeatOutcome.IMPLAUSIBLE_SEQUENCE) > implausibleBefore);
    assertThat(a.node().registry().isAvailable("c")).as("2^63-1: dropped, c still available")
        .isTrue();

    // A GOODBYE of a made-up incarnation: ignored (no heartbeat of that life was counted).
    send(forger, new WireMessage(MessageType.GOODBYE, "c", last.incarnation() ^ 1,
        a.node().incarnation(), 1, 0), a.node().localAddress());
    await().atMost(NodeProcess.GENEROUS)
        .until(() -> a.node().stats().drops(DropReason.UNCONFIRMED_GOODBYE) == 1);
    assertThat(a.node().registry().isAvailable("c")).isTrue();

    // The worst a single forged message can do: a plausible GOODBYE, as far ahead as allowed.
    // c is LEFT until its own numbers pass the forged one: less than the 600 ms timeout.
    WireFrame latest = decode(path.recorded().get(path.recorded().size() - 1));
    int mark = a.seen().size();
    send(forger, new WireMessage(MessageType.GOODBYE, "c", latest.incarnation(),
        a.node().incarnation(), latest.sequence() + 4, 0), a.node().localAddress());
    await().atMost(NodeProcess.GENEROUS).until(() -> a.seen().size() >= mark + 2);
    PeerTransition<String> left = a.seen().get(mark);
    PeerTransition<String> back = a.seen().get(mark + 1);
    assertThat(left.reason()).isEqualTo(TransitionReason.LEFT);
    assertThat(back.reason()).isEqualTo(TransitionReason.RECOVERED);
    long silencedNanos = back.atNanos() - left.atNanos();
    assertThat(silencedNanos).as("ns c was taken for gone").isLessThan(600 * MS);
    System.out.printf("forgeries with the key: sequence 2^63-1 dropped (IMPLAUSIBLE_SEQUENCE),"
        + " a made-up incarnation's GOODBYE ignored, the most plausible GOODBYE silenced c for"
        + " %d ms (its timeout: 600 ms)%n", silencedNanos / MS);
  }

  @Test
  void insecureMode_untaggedForgeriesFromOffThePath_areDropped() throws Exception {
    Observer a = observer("a", 0, true);
    NodeProcess c = victim(true, "a=127.0.0.1:" + a.node().localAddress().getPort());
    a.node().addPeer("c", addressOf(c));
    await().atMost(NodeProcess.GENEROUS).until(() -> a.node().registry().isAvailable("c"));
    WireCodec untagged = new WireCodec(null, false);
    SplittableRandom guesses = new SplittableRandom(12);
    long before = unechoed(a.node());
    int forged = 1_000;
    for (int i = 0; i < forged; i++) {
      // Without the traffic, the 64-bit incarnations must be guessed.
      send(untagged, new WireMessage(i % 2 == 0 ? MessageType.GOODBYE : MessageType.HEARTBEAT,
          "c", guesses.nextLong(), guesses.nextLong(), 1 + i, 0), a.node().localAddress());
      if ((i + 1) % 50 == 0) {
        // In batches the receive buffer holds: a busy machine's kernel drops a datagram burst
        // the node has not read yet, and then fewer than all of them would ever be counted.
        int sent = i + 1;
        await().atMost(NodeProcess.GENEROUS).until(() -> unechoed(a.node()) - before >= sent);
      }
    }
    await().atMost(NodeProcess.GENEROUS).until(() -> unechoed(a.node()) - before >= forged);
    assertThat(a.node().registry().isAvailable("c")).isTrue();
    assertThat(a.node().registry().stats().transitions(TransitionReason.LEFT)).isZero();
  }

  private static WireFrame decode(byte[] datagram) {
    WireFrame frame = new WireFrame();
    ByteBuf in = Unpooled.wrappedBuffer(datagram);
    try {
      DropReason reason = new WireCodec(RING, true).decode(in, frame);
      assertThat(reason).isNull();
    } finally {
      in.release();
    }
    return frame;
  }

  private static void send(WireCodec codec, WireMessage message, InetSocketAddress target)
      throws IOException {
    UdpTap.replay(List.of(UdpTap.encode(codec, message)), target);
  }
}
