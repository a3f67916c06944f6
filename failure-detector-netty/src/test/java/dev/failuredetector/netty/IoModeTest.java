package dev.failuredetector.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.failuredetector.DetectorSpec;
import dev.failuredetector.PeerState;
import dev.failuredetector.TransitionReason;
import dev.failuredetector.netty.internal.IoChannels;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The node on each of Netty's I/O transports it supports, NIO and native epoll, through the
 * public builder: UDP and TCP heartbeats, the three kinds of probe, the choice AUTO makes, a
 * caller's epoll group. CI runs this class on Netty 4.2 and 4.1 (the netty-4.1 profile).
 */
class IoModeTest {

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

  private HeartbeatNode node(String id, IoMode io, Transport transport)
      throws InterruptedException {
    return keep(HeartbeatNode.builder().localId(id).io(io).transport(transport)
        .bind(new InetSocketAddress(LOOPBACK, 0)).interval(INTERVAL).keyRing(KeyRing.of(1, KEY))
        // Generous timeout: a noisy 2-core CI machine must not cause suspicions.
        .registry(r -> r.detector(DetectorSpec.deadline().withInterval(INTERVAL)
            .withPause(Duration.ofSeconds(2))))
        .build().start());
  }

  /** Epoll must load where this library says it is used: Linux on x86-64, unless disabled. */
  private static boolean epollExpected() {
    return System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
        && System.getProperty("os.arch").matches("amd64|x86_64")
        && !Boolean.getBoolean("io.netty.transport.noNative");
  }

  @Test
  void autoChoosesEpollWhereItLoadsAndNioWhereNot() throws Exception {
    HeartbeatNode node = node("a", IoMode.AUTO, Transport.UDP);
    if (epollExpected()) {
      assertThat(Epoll.isAvailable()).as("native epoll loads: %s", Epoll.unavailabilityCause())
          .isTrue();
      assertThat(node.io()).isEqualTo(IoMode.EPOLL);
    } else {
      assertThat(node.io()).isEqualTo(IoMode.NIO);
    }
    assertThat(node("b", IoMode.NIO, Transport.UDP).io()).isEqualTo(IoMode.NIO);
  }

  @ParameterizedTest
  @EnumSource(value = IoMode.class, names = {"NIO", "EPOLL"})
  void heartbeatsOverEachTransportAndEachIo(IoMode io) throws Exception {
    assumeIo(io);
    for (Transport transport : Transport.values()) {
      HeartbeatNode a = node("a-" + transport, io, transport);
      HeartbeatNode b = node("b-" + transport, io, transport);
      assertThat(a.io()).isEqualTo(io);
      a.addPeer(b.localId(), b.localAddress());
      b.addPeer(a.localId(), a.localAddress());
      await().atMost(GENEROUS).until(() -> a.registry().isAvailable(b.localId())
          && b.registry().isAvailable(a.localId()));
      b.close(); // a goodbye: LEFT at once
      await().atMost(GENEROUS).until(() -> a.registry().state(b.localId()) == PeerState.FAILED);
      assertThat(a.registry().snapshot(b.localId()).orElseThrow().reason())
          .isEqualTo(TransitionReason.LEFT);
    }
  }

  /**
   * Every message a node counts as sent over UDP leaves its socket once (loopback loses none at
   * this rate), counted by a plain JDK socket standing in for the peer: a send path that dropped
   * some would still keep a real peer available, so availability alone cannot tell.
   */
  @ParameterizedTest
  @EnumSource(value = IoMode.class, names = {"NIO", "EPOLL"})
  void everyMessageSentOverUdp_leavesTheSocketOnce(IoMode io) throws Exception {
    assumeIo(io);
    HeartbeatNode node = node("a", io, Transport.UDP);
    List<DatagramChannel> peers = new ArrayList<>();
    for (int p = 0; p < 3; p++) { // several: each round then queues several datagrams at once
      DatagramChannel peer = keep(DatagramChannel.open().bind(new InetSocketAddress(LOOPBACK, 0)));
      peers.add(peer);
      node.addPeer("peer-" + p, (InetSocketAddress) peer.getLocalAddress());
    }
    await().atMost(GENEROUS).until(() -> node.stats().sent() >= 60);
    node.close(); // no more sends: what it counted is final (its goodbyes among them)
    long sent = node.stats().sent();
    ByteBuffer in = ByteBuffer.allocate(WireCodec.MAX_MESSAGE_BYTES);
    long received = 0;
    for (DatagramChannel peer : peers) {
      peer.configureBlocking(false);
      while (peer.receive(in) != null) {
        received++;
        in.clear();
      }
    }
    assertThat(received).as("datagrams received of the %d sent", sent).isEqualTo(sent);
  }

  @ParameterizedTest
  @EnumSource(value = IoMode.class, names = {"NIO", "EPOLL"})
  void probesOfEachKindOverEachIo(IoMode io) throws Exception {
    assumeIo(io);
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
    HttpServer http = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 50);
    http.createContext("/healthz", exchange -> {
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    http.start();
    keep(() -> http.stop(0));
    HeartbeatNode target = node("target", io, Transport.UDP);
    HeartbeatNode prober = node("lb", io, Transport.UDP);
    prober.addProbe("db", ProbeTarget.parse("tcp://127.0.0.1:" + listener.getLocalPort()));
    prober.addProbe("web", ProbeTarget.parse(
        "http://127.0.0.1:" + http.getAddress().getPort() + "/healthz"));
    prober.addProbe("node", ProbeTarget.parse(
        "udp://127.0.0.1:" + target.localAddress().getPort()));

    await().atMost(GENEROUS).until(() -> prober.registry().isAvailable("db")
        && prober.registry().isAvailable("web") && prober.registry().isAvailable("node"));
    listener.close(); // refused from now on
    await().atMost(GENEROUS).until(() -> prober.registry().state("db") == PeerState.FAILED);
    assertThat(prober.registry().snapshot("db").orElseThrow().reason())
        .isEqualTo(TransitionReason.CONNECTION_REFUSED);
  }

  @Test
  void aCallersEpollGroupGetsEpollSockets() throws Exception {
    assumeIo(IoMode.EPOLL);
    @SuppressWarnings("deprecation") // the epoll group both Netty lines have
    EventLoopGroup group = new EpollEventLoopGroup(1, new DefaultThreadFactory("callers", true));
    keep(() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync());
    HeartbeatNode a = keep(HeartbeatNode.builder().localId("a").eventLoopGroup(group)
        .bind(new InetSocketAddress(LOOPBACK, 0)).interval(INTERVAL).keyRing(KeyRing.of(1, KEY))
        .build().start());
    HeartbeatNode b = node("b", IoMode.NIO, Transport.UDP);
    assertThat(a.io()).isEqualTo(IoMode.EPOLL);
    a.addPeer("b", b.localAddress());
    b.addPeer("a", a.localAddress());
    await().atMost(GENEROUS).until(() -> a.registry().isAvailable("b")
        && b.registry().isAvailable("a"));
  }

  @Test
  void aNetty42IoGroupOfEpollHandlersGetsEpollSockets_andAContradictingIoIsRefused()
      throws Exception {
    assumeIo(IoMode.EPOLL);
    EventLoopGroup group;
    try { // by reflection: this class also compiles and runs on Netty 4.1, which lacks both
      Class<?> factory = Class.forName("io.netty.channel.IoHandlerFactory");
      Object epollHandlers = Class.forName("io.netty.channel.epoll.EpollIoHandler")
          .getMethod("newFactory").invoke(null);
      group = (EventLoopGroup) Class.forName("io.netty.channel.MultiThreadIoEventLoopGroup")
          .getConstructor(int.class, factory).newInstance(1, epollHandlers);
    } catch (ClassNotFoundException netty41) {
      org.junit.jupiter.api.Assumptions.abort("Netty 4.1 has no MultiThreadIoEventLoopGroup");
      return;
    }
    keep(() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync());
    HeartbeatNode node = keep(HeartbeatNode.builder().localId("a").eventLoopGroup(group)
        .bind(new InetSocketAddress(LOOPBACK, 0)).interval(INTERVAL).keyRing(KeyRing.of(1, KEY))
        .build().start());
    assertThat(node.io()).isEqualTo(IoMode.EPOLL);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> HeartbeatNode.builder()
        .localId("b").eventLoopGroup(group).io(IoMode.NIO)
        .bind(new InetSocketAddress(LOOPBACK, 0)).keyRing(KeyRing.of(1, KEY)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("io=nio but the eventLoopGroup given runs epoll loops: leave io unset (the"
            + " group decides) or pass a group of that kind");
  }

  /**
   * What the node's event loop allocates per received heartbeat over NIO, against a bare Netty
   * server on Netty's own datagram channel (its handler only counts and releases) under the same
   * paced load, both measured on their event loop threads. The bare server's {@code
   * DatagramPacket} envelope (24 bytes) is in its figure; the node's recycled datagrams leave
   * nothing per heartbeat but a byte or two of timer and wakeup work spread over the heartbeats
   * (1.4-1.7 measured). Before the reused receive buffer the node took 126-151 bytes per
   * heartbeat, before the recycled datagrams 24.5 (BENCHMARKS.md); a String per message would add
   * 40.
   */
  @Test
  void nioReceivePath_allocatesNothingPerHeartbeat_unlikeABareNettyServer() throws Exception {
    long incarnation = 0x5eed; // the heartbeats echo it, as a peer does once it heard the node
    HeartbeatNode node = keep(HeartbeatNode.builder().localId("node").io(IoMode.NIO)
        .incarnation(incarnation).bind(new InetSocketAddress(LOOPBACK, 0))
        .interval(Duration.ofHours(1)) // its own heartbeats do not count here
        .keyRing(KeyRing.of(1, KEY)).build().start());
    int peers = 100;
    for (int p = 0; p < peers; p++) {
      node.addPeer("peer-" + p, new InetSocketAddress(LOOPBACK, 9)); // it sends nowhere useful
    }
    IoChannels nio = IoChannels.nio();
    EventLoopGroup bareGroup = nio.newGroup("bare");
    keep(() -> bareGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync());
    java.util.concurrent.atomic.AtomicLong bareCount = new java.util.concurrent.atomic.AtomicLong();
    io.netty.bootstrap.Bootstrap bareBootstrap = new io.netty.bootstrap.Bootstrap().group(bareGroup);
    io.netty.channel.Channel bare = nio.datagram(bareBootstrap)
        .handler(new io.netty.channel.ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
            bareCount.incrementAndGet();
            io.netty.util.ReferenceCountUtil.release(msg);
          }
        }).bind(new InetSocketAddress(LOOPBACK, 0)).sync().channel();
    keep(() -> bare.close().sync());

    byte[][] messages = new byte[60 * peers][];
    WireCodec codec = new WireCodec(KeyRing.of(1, KEY), true);
    io.netty.buffer.ByteBuf encoded = io.netty.buffer.Unpooled.buffer(WireCodec.MAX_MESSAGE_BYTES);
    for (int round = 1; round <= 60; round++) {
      for (int p = 0; p < peers; p++) {
        encoded.clear();
        codec.encode(new WireMessage(MessageType.HEARTBEAT, "peer-" + p, 1, incarnation, round,
            0), encoded);
        byte[] bytes = new byte[encoded.readableBytes()];
        encoded.readBytes(bytes);
        messages[(round - 1) * peers + p] = bytes;
      }
    }
    encoded.release();
    double ours = bytesPerDatagram(node.localAddress(), eventLoopThreadId(node), peers, messages,
        () -> node.stats().accepted());
    assertThat(node.stats().accepted()).isEqualTo(messages.length);
    double baseline = bytesPerDatagram((InetSocketAddress) bare.localAddress(),
        threadId(bare.eventLoop()), peers, messages, bareCount::get);
    assertThat(ours).as("bytes per heartbeat, ours (a bare server's: %.1f)", baseline)
        .isLessThanOrEqualTo(4.0);
    assertThat(baseline).as("the bare server's envelope, which ours does without")
        .isGreaterThanOrEqualTo(ours + 16);
  }

  /**
   * Sends {@code messages} to {@code address} in rounds of {@code perRound}, each paced by what
   * the receiver counted (no datagram lost to a full socket buffer), and returns the bytes the
   * receiving thread allocated per datagram after the first third (warm-up: class loading, JIT).
   */
  private static double bytesPerDatagram(InetSocketAddress address, long thread, int perRound,
      byte[][] messages, java.util.function.LongSupplier received) throws Exception {
    ByteBuffer out = ByteBuffer.allocateDirect(WireCodec.MAX_MESSAGE_BYTES);
    int rounds = messages.length / perRound;
    long before = 0;
    long countedBefore = 0;
    try (DatagramChannel sender = DatagramChannel.open()) {
      sender.connect(address);
      for (int round = 0; round < rounds; round++) {
        if (round == rounds / 3) {
          before = allocated(thread);
          countedBefore = received.getAsLong();
        }
        for (int p = 0; p < perRound; p++) {
          out.clear();
          out.put(messages[round * perRound + p]).flip();
          sender.write(out);
        }
        long sent = (long) (round + 1) * perRound;
        await().atMost(GENEROUS).until(() -> received.getAsLong() >= sent);
      }
    }
    return (double) (allocated(thread) - before) / (received.getAsLong() - countedBefore);
  }

  private static void assumeIo(IoMode io) {
    if (io == IoMode.EPOLL && !epollExpected()) {
      org.junit.jupiter.api.Assumptions.assumeTrue(IoChannels.epollAvailable(),
          "native epoll is not available here");
    }
  }

  private static long eventLoopThreadId(HeartbeatNode node) throws Exception {
    return threadId(node.eventLoop());
  }

  private static long threadId(io.netty.channel.EventLoop loop) throws Exception {
    long[] id = new long[1];
    loop.submit(() -> id[0] = Thread.currentThread().getId()).sync();
    return id[0];
  }

  private static long allocated(long thread) {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getThreadAllocatedBytes(thread);
  }
}
