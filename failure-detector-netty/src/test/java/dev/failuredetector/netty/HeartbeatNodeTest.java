package dev.failuredetector.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.failuredetector.DeadlineFailureDetector;
import dev.failuredetector.DetectorSpec;
import dev.failuredetector.HeartbeatOutcome;
import dev.failuredetector.PeerState;
import dev.failuredetector.TransitionReason;
import dev.failuredetector.netty.internal.EventLoops;
import dev.failuredetector.qos.HeartbeatTrace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
    return node(id, incarnation, transport, IoMode.AUTO);
  }

  private static HeartbeatNode node(String id, long incarnation, Transport transport, IoMode io)
      throws InterruptedException {
    return HeartbeatNode.builder()
        .localId(id)
        .transport(transport)
        .io(io)
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .interval(Duration.ofMillis(50))
        .incarnation(incarnation)
        .keyRing(KeyRing.of(1, KEY))
        // Generous timeout: a noisy 2-core CI machine must not cause suspicions.
        .registry(r -> r.detector(DetectorSpec.deadline().withInterval(Duration.ofMillis(50))
            .withPause(Duration.ofSeconds(2))))
        .build().start();
  }

  private void startPair() throws InterruptedException {
    startPair(Transport.UDP);
  }

  private void startPair(Transport transport) throws InterruptedException {
    startPair(transport, IoMode.AUTO);
  }

  private void startPair(Transport transport, IoMode io) throws InterruptedException {
    a = node("a", 1, transport, io);
    b = node("b", 1, transport, io);
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
  void start_addressTaken_uncheckedIOExceptionNamingIt(Transport transport)
      throws InterruptedException {
    a = node("a", 1, transport);
    InetSocketAddress taken = a.localAddress();
    HeartbeatNode second = HeartbeatNode.builder().insecure().localId("b").transport(transport).bind(taken)
        .build();
    assertThatThrownBy(second::start).isInstanceOf(UncheckedIOException.class)
        .hasMessageStartingWith("cannot bind " + transport + " to " + taken + ": ")
        .hasCauseInstanceOf(java.net.BindException.class);
    second.close();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void twoNodes_seeEachOtherAvailable(Transport transport) throws InterruptedException {
    startPair(transport);
    await().atMost(GENEROUS).until(() -> b.registry().isAvailable("a")
        && a.registry().isAvailable("b"));
    assertThat(b.stats().accepted()).isPositive();
    assertThat(a.stats().sent()).isPositive();
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

  private static long droppedTotal(HeartbeatNode node) {
    long total = 0;
    for (DropReason reason : DropReason.values()) {
      total += node.stats().drops(reason);
    }
    return total;
  }

  private static String diagnostics(HeartbeatNode node) {
    StringBuilder text = new StringBuilder("accepted=" + node.stats().accepted());
    for (DropReason reason : DropReason.values()) {
      if (node.stats().drops(reason) > 0) {
        text.append(' ').append(reason).append('=').append(node.stats().drops(reason));
      }
    }
    return text.toString();
  }

  /** On each receive path: AUTO is native epoll where it loads, NIO the recycling channel. */
  @ParameterizedTest
  @EnumSource(value = IoMode.class, names = {"AUTO", "NIO"})
  void forgedReplayedUnknownRandomAndMutatedDatagrams_areCountedAndChangeNothing(IoMode io)
      throws InterruptedException, IOException {
    startPair(Transport.UDP, io);
    await().atMost(GENEROUS).until(() -> b.registry().isAvailable("a"));
    InetSocketAddress target = b.localAddress();
    try (DatagramSocket attacker = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      // A GOODBYE "from a" signed with the wrong key: must not mark a as LEFT.
      send(attacker, target, new WireCodec(KeyRing.of(1, OTHER_KEY), true),
          new WireMessage(MessageType.GOODBYE, "a", 1, b.incarnation(), Long.MAX_VALUE, 0));
      // A validly signed GOODBYE with an old sequence number: a replay.
      send(attacker, target, new WireCodec(KeyRing.of(1, KEY), true),
          new WireMessage(MessageType.GOODBYE, "a", 1, b.incarnation(), 1, 0));
      // A validly signed heartbeat from a node b does not know.
      send(attacker, target, new WireCodec(KeyRing.of(1, KEY), true),
          new WireMessage(MessageType.HEARTBEAT, "stranger", 1, b.incarnation(), 1, 0));
      // 100,000 random datagrams, then 100,000 mutations of a validly signed heartbeat from a
      // (one to four bytes changed, or cut short, or extended): none may be accepted.
      // Sent in batches of 100, each once b has read the one before: a faster sender would only
      // test the kernel's socket buffer, which drops what overflows before the node sees it.
      SplittableRandom random = new SplittableRandom(1);
      byte[] valid = WireBytes.encode(new WireCodec(KeyRing.of(1, KEY), true),
          new WireMessage(MessageType.HEARTBEAT, "a", 1, b.incarnation(), Long.MAX_VALUE - 1, 0));
      long before = droppedTotal(b);
      for (int sent = 1; sent <= 200_000; sent++) {
        byte[] datagram;
        if (sent <= 100_000) {
          datagram = new byte[random.nextInt(1, 300)];
          random.nextBytes(datagram);
        } else {
          datagram = WireBytes.mutate(valid, random);
        }
        attacker.send(new java.net.DatagramPacket(datagram, datagram.length, target));
        if (sent % 100 == 0) {
          long expected = before + sent - sent / 100; // up to 1% may be lost on the way
          await().atMost(GENEROUS).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
              .until(() -> droppedTotal(b) >= expected);
        }
      }
      long fuzzed = droppedTotal(b) - before;
      assertThat(fuzzed).as("fuzzed datagrams the node read and dropped").isGreaterThan(198_000);
    }
    await().atMost(GENEROUS).until(() -> b.stats().drops(DropReason.BAD_TAG) >= 1
        && b.registry().stats().heartbeats(HeartbeatOutcome.STALE_SEQUENCE) >= 1 && b.stats().drops(DropReason.UNKNOWN_SENDER) >= 1);
    System.out.println("UDP fuzz, 200,003 hostile datagrams: " + diagnostics(b));
    assertThat(b.stats().handlerErrors()).isZero();
    // Not one was accepted: what b accepted is a's own heartbeats (a sends one each 50 ms).
    assertThat(b.registry().snapshot("a").orElseThrow().incarnation()).isEqualTo(1);
    assertThat(b.registry().stats().transitions(TransitionReason.LEFT)).isZero();
    // The node is still responsive and a is still monitored as alive.
    long acceptedBefore = b.stats().accepted();
    await().atMost(GENEROUS).until(() -> b.stats().accepted() > acceptedBefore + 5);
    assertThat(b.registry().state("a")).isEqualTo(PeerState.AVAILABLE);
    assertThat(b.registry().stats().mistakes()).isZero();
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
        .incarnation(-5).keyRing(KeyRing.of(1, KEY)).build().start(); // lower: a clock stepped back
    a.addPeer("b", b.localAddress());
    try {
      await().atMost(GENEROUS).until(
          () -> b.registry().snapshot("a").orElseThrow().incarnation() == -5);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("a " + a.stats() + " " + a.registry().stats() + " b " + b.stats()
          + " " + b.registry().stats() + " " + b.registry().snapshot("a"), e);
    }
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
        .interval(Duration.ofMillis(50)).keyRing(KeyRing.of(1, KEY))
        .registry(r -> r.plugin(new dev.failuredetector.qos.ArrivalRecording(1000)))
        .build().start();
    a.addPeer("b", b.localAddress());
    b.addPeer("a", a.localAddress());
    await().atMost(GENEROUS).until(() -> b.stats().accepted() >= 30);
    java.nio.file.Path file = dir.resolve("a.csv.gz");
    dev.failuredetector.qos.HeartbeatTrace recorded =
        dev.failuredetector.qos.ArrivalRecording.of(b.registry()).trace("a");
    recorded.write(file);
    int written = recorded.size();
    assertThat(written).isGreaterThanOrEqualTo(30);
    dev.failuredetector.qos.HeartbeatTrace trace = dev.failuredetector.qos.HeartbeatTrace.read(file);
    assertThat(trace.size()).isEqualTo(written);
    assertThat(trace.medianIntervalNanos()).isBetween(30_000_000L, 80_000_000L); // ~50 ms +- 10%
    dev.failuredetector.qos.QosReport report = dev.failuredetector.qos.QosReplay.replay(trace,
        DeadlineFailureDetector.builder().heartbeatInterval(Duration.ofMillis(50))::build, 5);
    assertThat(report.heartbeats()).isEqualTo(written - 5);
    assertThatThrownBy(() -> dev.failuredetector.qos.ArrivalRecording.of(a.registry()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("arrival recording is off: add the plug-in");
  }

  @Test
  void micrometerMeters_readTheNodesCounters() throws InterruptedException {
    startPair();
    io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    new HeartbeatNodeMetrics(b, List.of(
        io.micrometer.core.instrument.Tag.of("cluster", "test"))).bindTo(meters);
    await().atMost(GENEROUS).until(() -> b.stats().accepted() >= 3);
    send(b, new WireCodec(KeyRing.of(1, OTHER_KEY), true),
        new WireMessage(MessageType.HEARTBEAT, "a", 1, 1, 0));
    await().atMost(GENEROUS).until(() -> b.stats().drops(DropReason.BAD_TAG) == 1);
    assertThat(meters.get("failure.detector.transport.messages.dropped")
        .tags("reason", "bad.tag", "node", "b", "cluster", "test").functionCounter().count())
        .isEqualTo(1.0);
    assertThat(meters.get("failure.detector.transport.messages.dropped")
        .tags("reason", "unknown.sender").functionCounter().count()).isZero();
    assertThat(meters.get("failure.detector.transport.messages.accepted").functionCounter()
        .count()).isGreaterThanOrEqualTo(3.0);
    assertThat(meters.find("failure.detector.transport.messages.dropped").functionCounters())
        .hasSize(DropReason.values().length);
    // The registry's meters come with it, tagged the same way.
    assertThat(meters.get("failure.detector.peers").tags("state", "available", "node", "b",
        "cluster", "test").gauge().value()).isEqualTo(1.0);
  }

  @Test
  void eachRecipientGetsSlotNumberedSequences_andTheMeanPeriodIsTheInterval() throws Exception {
    List<HeartbeatNode> nodes = new ArrayList<>();
    try {
      for (String id : List.of("s", "r1", "r2", "r3")) {
        nodes.add(HeartbeatNode.builder().localId(id)
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .interval(Duration.ofMillis(20)).keyRing(KeyRing.of(1, KEY))
            .registry(r -> r.plugin(new dev.failuredetector.qos.ArrivalRecording(10_000)))
            .registry(r -> r.detector(DetectorSpec.deadline().withPause(Duration.ofSeconds(5))))
            .build().start());
      }
      HeartbeatNode sender = nodes.get(0);
      for (HeartbeatNode receiver : nodes.subList(1, 4)) {
        sender.addPeer(receiver.localId(), receiver.localAddress());
        receiver.addPeer("s", sender.localAddress());
      }
      for (HeartbeatNode receiver : nodes.subList(1, 4)) {
        await().atMost(GENEROUS).until(
            () -> receiver.registry().stats().heartbeatsRecorded() >= 150);
      }
      for (HeartbeatNode receiver : nodes.subList(1, 4)) {
        HeartbeatTrace trace =
            dev.failuredetector.qos.ArrivalRecording.of(receiver.registry()).trace("s");
        long gaps = 0;
        for (int i = 1; i < trace.size(); i++) {
          long step = trace.sequence(i) - trace.sequence(i - 1);
          assertThat(step).as("%s: sequence step at %d", receiver.localId(), i).isPositive();
          gaps += step - 1;
        }
        // Loopback loses nothing: a gap is a send slot the sender skipped (it ran more than an
        // interval late, on a busy machine), and numbers follow the slots.
        assertThat(gaps).as("%s: numbers skipped", receiver.localId())
            .isLessThanOrEqualTo(sender.stats().skippedRounds());
        // Per slot (numbers follow the slots, so this is the grid's period even if some were
        // skipped).
        double meanPeriod = (double) (trace.arrivalNanos(trace.size() - 1) - trace.arrivalNanos(0))
            / (trace.sequence(trace.size() - 1) - trace.sequence(0));
        // A round-by-round reschedule gave 21.3 ms for a 20 ms setting; the fixed-rate one gives
        // 20 ms over any long run (each round's jitter moves it within its slot only).
        assertThat(meanPeriod / 1e6).as("%s: mean period, ms", receiver.localId())
            .isCloseTo(20.0, org.assertj.core.data.Offset.offset(0.4));
      }
    } finally {
      nodes.forEach(HeartbeatNode::close);
    }
  }

  @Test
  void nodesOnTheCallersEventLoopGroup_leaveItRunningWhenClosed() throws Exception {
    io.netty.channel.EventLoopGroup group = EventLoops.nio("callers-group");
    try {
      HeartbeatNode x = HeartbeatNode.builder().insecure().localId("x").eventLoopGroup(group)
          .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
          .interval(Duration.ofMillis(50)).build().start();
      HeartbeatNode y = HeartbeatNode.builder().insecure().localId("y").eventLoopGroup(group)
          .transport(Transport.UDP)
          .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
          .interval(Duration.ofMillis(50)).build().start();
      x.addPeer("y", y.localAddress());
      y.addPeer("x", x.localAddress());
      await().atMost(GENEROUS).until(() -> x.registry().isAvailable("y")
          && y.registry().isAvailable("x"));
      x.close();
      await().atMost(GENEROUS).until(() -> y.registry().state("x") == PeerState.FAILED);
      assertThat(group.isShuttingDown()).as("the group is the caller's").isFalse();
      y.close();
      assertThat(group.isShuttingDown()).isFalse();
    } finally {
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }
  }

  private static void send(HeartbeatNode target, WireCodec codec, WireMessage message) {
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      send(socket, target.localAddress(), codec, message);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void builder_rejectsBadSettings() {
    assertThatThrownBy(() -> HeartbeatNode.builder().interval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("interval must be between 1 ms and 1 h, got 0ms");
    assertThatThrownBy(() -> HeartbeatNode.builder().jitter(0.9))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("jitter must be between 0 and 0.5, got 0.9");
    assertThatThrownBy(() -> HeartbeatNode.builder().localId(""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("senderId must be");
    assertThatThrownBy(() -> new dev.failuredetector.qos.ArrivalRecording(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ArrivalRecording heartbeats must be between 1 and 10,000,000, got -1");
    assertThatThrownBy(() -> HeartbeatNode.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessage("localId and bind are required");
    assertThatThrownBy(() -> HeartbeatNode.builder().reconnectBackoff(Duration.ofSeconds(2),
        Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("reconnectBackoff needs 1 ms <= min <= max <= 10 min, got min PT2S, max PT1S");
    assertThatThrownBy(() -> HeartbeatNode.builder().maxInboundConnections(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxInboundConnections must be at least 1, got 0");
    assertThatThrownBy(() -> HeartbeatNode.builder().localId("x").bind(new InetSocketAddress(0))
        .transport(Transport.TCP).interval(Duration.ofSeconds(40)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("inboundIdleTimeout (PT1M) must be at least twice the interval (PT40S)");
  }

  private static void send(DatagramSocket socket, InetSocketAddress target, WireCodec codec,
      WireMessage message) throws IOException {
    byte[] bytes = WireBytes.encode(codec, message);
    socket.send(new java.net.DatagramPacket(bytes, bytes.length, target));
  }
}
