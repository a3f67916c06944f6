package dev.failuredetector.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.FailureDetectorRegistry;
import dev.failuredetector.HeartbeatOutcome;
import dev.failuredetector.PeerState;
import dev.failuredetector.TickScheduler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ResourceLeakDetector;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Netty pieces a user embeds in a pipeline of their own ({@link HeartbeatFraming}, {@link
 * HeartbeatNode#newInboundHandler()}), driven through {@link EmbeddedChannel} with the golden
 * bytes of WIRE-FORMAT.md and broken frames, for UDP and TCP. The node records into a registry
 * the test made; nothing is bound.
 */
class EmbeddedPipelineTest {

  /**
   * WIRE-FORMAT.md: HEARTBEAT from node-1, incarnation 7, echoing incarnation 9 (the node's here),
   * sequence 42, no tag.
   */
  private static final byte[] GOLDEN = HexFormat.of().parseHex("46440201000006"
      + "6e6f64652d31" + "0000000000000007" + "0000000000000009" + "000000000000002a"
      + "00000000075bcd15");
  private static final TickScheduler NO_TICKS = (tick, period) -> () -> { };
  private static final InetSocketAddress SOMEWHERE = new InetSocketAddress("127.0.0.1", 9);

  private final java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
  private ResourceLeakDetector.Level leakLevel;
  private FailureDetectorRegistry<String> registry;
  private HeartbeatNode node;

  @BeforeEach
  void setUp() {
    leakLevel = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    registry = FailureDetectorRegistry.builder()
        .detector(DetectorSpec.chen().withInterval(Duration.ofMillis(100)))
        .clock(now::get).tickScheduler(NO_TICKS).build();
    node = HeartbeatNode.builder().localId("me").bind(SOMEWHERE).interval(Duration.ofMillis(100))
        .incarnation(9).insecure().registry(registry).build();
    node.addPeer("node-1", SOMEWHERE);
    // node-1 has been up 3 s: sequence 42 is within reach (16 + 2 per 100 ms interval).
    now.addAndGet(Duration.ofSeconds(3).toNanos());
  }

  @AfterEach
  void tearDown() {
    node.close();
    assertThat(registry.size()).as("the registry is the caller's: not closed by the node")
        .isEqualTo(1);
    registry.close();
    ResourceLeakDetector.setLevel(leakLevel);
  }

  private static DatagramPacket datagram(byte[] bytes) {
    return new DatagramPacket(Unpooled.wrappedBuffer(bytes), SOMEWHERE, SOMEWHERE);
  }

  private static ByteBuf framed(byte[] bytes) {
    return Unpooled.buffer().writeShort(bytes.length).writeBytes(bytes);
  }

  private static byte[] with(byte[] bytes, int index, int value) {
    byte[] copy = bytes.clone();
    copy[index] = (byte) value;
    return copy;
  }

  @Test
  void udp_goldenDatagram_isAHeartbeatOfItsSender_badOnesAreCountedAndTheSocketStaysOpen() {
    EmbeddedChannel udp = new EmbeddedChannel(node.newInboundHandler());
    DatagramPacket golden = datagram(GOLDEN);
    udp.writeInbound(golden);
    assertThat(golden.refCnt()).as("released by the handler").isZero();
    assertThat(registry.state("node-1")).isEqualTo(PeerState.AVAILABLE);
    assertThat(registry.snapshot("node-1").orElseThrow().incarnation()).isEqualTo(7);
    assertThat(node.stats().accepted()).isEqualTo(1);

    udp.writeInbound(datagram(GOLDEN)); // the same again: stale, counted by the registry
    assertThat(registry.stats().heartbeats(HeartbeatOutcome.STALE_SEQUENCE)).isEqualTo(1);
    udp.writeInbound(datagram(Arrays.copyOf(GOLDEN, 20)));
    udp.writeInbound(datagram(new byte[WireCodec.MAX_MESSAGE_BYTES + 1]));
    udp.writeInbound(datagram(with(GOLDEN, 2, 1))); // a version 1 frame
    udp.writeInbound(datagram(with(GOLDEN, 28, 8))); // echoes incarnation 8: not this node's
    assertThat(node.stats().drops(DropReason.UNECHOED)).isEqualTo(1);
    assertThat(node.stats().drops(DropReason.TRUNCATED)).isEqualTo(1);
    assertThat(node.stats().drops(DropReason.OVERSIZED)).isEqualTo(1);
    assertThat(node.stats().drops(DropReason.BAD_VERSION)).isEqualTo(1);
    assertThat(udp.isOpen()).isTrue();
    assertThat(node.stats().accepted()).isEqualTo(1);
    assertThat(udp.finish()).isFalse();
  }

  @Test
  void tcp_goldenFrame_isAHeartbeat_andOutboundMessagesGetTheirLength() {
    EmbeddedChannel tcp = new EmbeddedChannel(HeartbeatFraming.decoder(),
        HeartbeatFraming.prepender(), node.newInboundHandler());
    // A frame split across two reads is put back together.
    ByteBuf frame = framed(GOLDEN);
    tcp.writeInbound(frame.readRetainedSlice(10));
    assertThat(registry.state("node-1")).isEqualTo(PeerState.UNKNOWN);
    tcp.writeInbound(frame);
    assertThat(registry.state("node-1")).isEqualTo(PeerState.AVAILABLE);
    assertThat(tcp.isOpen()).isTrue();

    tcp.writeOutbound(Unpooled.wrappedBuffer(GOLDEN));
    ByteBuf length = tcp.readOutbound();
    ByteBuf body = tcp.readOutbound();
    try {
      assertThat(length.readUnsignedShort()).isEqualTo(GOLDEN.length);
      assertThat(ByteBufUtil.getBytes(body)).isEqualTo(GOLDEN);
    } finally {
      length.release();
      body.release();
    }
    assertThat(tcp.finish()).isFalse();
  }

  @Test
  void tcp_wrongVersion_closesTheConnection() {
    EmbeddedChannel tcp = new EmbeddedChannel(HeartbeatFraming.decoder(),
        node.newInboundHandler());
    tcp.writeInbound(framed(with(GOLDEN, 2, 1)));
    assertThat(node.stats().drops(DropReason.BAD_VERSION)).isEqualTo(1);
    assertThat(tcp.isOpen()).isFalse();
    assertThat(node.stats().inboundClosed()).isEqualTo(1);
  }

  @Test
  void tcp_truncatedMessageInAFrame_closesTheConnection() {
    EmbeddedChannel tcp = new EmbeddedChannel(HeartbeatFraming.decoder(),
        node.newInboundHandler());
    tcp.writeInbound(framed(Arrays.copyOf(GOLDEN, 20)));
    assertThat(node.stats().drops(DropReason.TRUNCATED)).isEqualTo(1);
    assertThat(tcp.isOpen()).isFalse();
  }

  @Test
  void tcp_oversizedFrame_isRefusedFromItsLength_andClosesTheConnection() {
    EmbeddedChannel tcp = new EmbeddedChannel(HeartbeatFraming.decoder(),
        node.newInboundHandler());
    ByteBuf greedy = Unpooled.buffer().writeShort(4_000).writeBytes(new byte[64]);
    tcp.writeInbound(greedy);
    assertThat(greedy.refCnt()).isZero();
    assertThat(node.stats().drops(DropReason.OVERSIZED)).isEqualTo(1);
    assertThat(tcp.isOpen()).isFalse();
    assertThat(registry.state("node-1")).isEqualTo(PeerState.UNKNOWN);
  }

  private byte[] heartbeat(MessageType type, long incarnation, long sequence) {
    return WireBytes.encode(new WireCodec(null, false),
        new WireMessage(type, "node-1", incarnation, 9, sequence, 0));
  }

  @Test
  void oneForgedMessageOfAMadeUpIncarnation_changesNeitherTheEchoNorTheNumbering() {
    EmbeddedChannel udp = new EmbeddedChannel(node.newInboundHandler());
    RemotePeer peer = node.remotePeer("node-1");
    for (long seq = 1; seq <= 5; seq++) {
      udp.writeInbound(datagram(heartbeat(MessageType.HEARTBEAT, 7, seq)));
      now.addAndGet(Duration.ofMillis(100).toNanos());
    }
    assertThat(peer.heardIncarnation()).isEqualTo(7);
    long before = peer.nextSequence(7, 10);

    // What a key holder can send: a heartbeat, a PING and an ACK of a life node-1 never had.
    udp.writeInbound(datagram(heartbeat(MessageType.HEARTBEAT, 666, 1)));
    udp.writeInbound(datagram(heartbeat(MessageType.PING, 667, 1)));
    udp.writeInbound(datagram(heartbeat(MessageType.ACK, 7, 6)));
    assertThat(registry.stats().heartbeats(HeartbeatOutcome.UNCONFIRMED_INCARNATION)).isEqualTo(1);
    // The PING is answered (an ACK to its source, echoing its life: it proves nothing to anyone
    // else); the ACK answers no probe of this node.
    assertThat(node.stats().drops(DropReason.UNEXPECTED_TYPE)).isEqualTo(1);
    assertThat(node.stats().count(TransportStats.Counter.PINGS_ANSWERED)).isEqualTo(1);
    DatagramPacket ack = udp.readOutbound();
    try {
      WireFrame decoded = new WireFrame();
      assertThat(new WireCodec(null, false).decode(ack.content(), decoded)).isNull();
      assertThat(decoded.type()).isEqualTo(MessageType.ACK);
      assertThat(decoded.echoIncarnation()).isEqualTo(667);
      assertThat(ack.recipient()).isEqualTo(SOMEWHERE);
    } finally {
      ack.release();
    }
    assertThat(peer.heardIncarnation()).as("still echoing the real life").isEqualTo(7);
    assertThat(peer.nextSequence(7, 11)).as("numbering goes on").isEqualTo(before + 1);
    assertThat(registry.snapshot("node-1").orElseThrow().incarnation()).isEqualTo(7);

    // node-1's next real heartbeat forgets the claim; a second forged one is a first again.
    udp.writeInbound(datagram(heartbeat(MessageType.HEARTBEAT, 7, 6)));
    now.addAndGet(Duration.ofMillis(100).toNanos());
    udp.writeInbound(datagram(heartbeat(MessageType.HEARTBEAT, 666, 2)));
    assertThat(registry.stats().heartbeats(HeartbeatOutcome.UNCONFIRMED_INCARNATION)).isEqualTo(2);
    assertThat(peer.heardIncarnation()).isEqualTo(7);
    assertThat(node.stats().accepted()).isEqualTo(6);

    // A real restart: the old life falls silent, the new one's second message confirms it.
    now.addAndGet(Duration.ofMillis(100).toNanos());
    udp.writeInbound(datagram(heartbeat(MessageType.HEARTBEAT, 8, 1)));
    now.addAndGet(Duration.ofMillis(100).toNanos());
    udp.writeInbound(datagram(heartbeat(MessageType.HEARTBEAT, 8, 2)));
    assertThat(peer.heardIncarnation()).isEqualTo(8);
    assertThat(registry.snapshot("node-1").orElseThrow().incarnation()).isEqualTo(8);
    assertThat(udp.finish()).isFalse();
  }

  @Test
  void tcp_framesUpToTheLargestMessage_pass_oneByteMore_isOversized() {
    EmbeddedChannel tcp = new EmbeddedChannel(HeartbeatFraming.decoder());
    tcp.writeInbound(framed(new byte[WireCodec.MAX_MESSAGE_BYTES])); // a 64-byte id with a tag
    ByteBuf largest = tcp.readInbound();
    try {
      assertThat(largest.readableBytes()).isEqualTo(WireCodec.MAX_MESSAGE_BYTES);
    } finally {
      largest.release();
    }
    assertThatThrownBy(() -> tcp.writeInbound(framed(new byte[WireCodec.MAX_MESSAGE_BYTES + 1])))
        .isInstanceOf(io.netty.handler.codec.TooLongFrameException.class);
  }

  @Test
  void givenRegistry_mustShareTheNodesInterval_andTakesNoRegistrySettingsOnTheNode() {
    assertThatThrownBy(() -> HeartbeatNode.builder().localId("x").bind(SOMEWHERE).insecure()
        .interval(Duration.ofMillis(50)).registry(registry).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("the registry's detector interval (100ms) differs from the"
            + " node's interval (50ms)");
    assertThatThrownBy(() -> HeartbeatNode.builder().localId("x").bind(SOMEWHERE).insecure()
        .interval(Duration.ofMillis(100)).registry(registry)
        .registry(r -> r.confirmationTime(Duration.ofSeconds(1))).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("set the registry's settings on the registry you pass, not as"
            + " registry(settings) on the node");
    assertThatThrownBy(() -> HeartbeatNode.builder().localId("x").bind(SOMEWHERE).insecure()
        .interval(Duration.ofMillis(100))
        .registry(r -> r.detector(DetectorSpec.parse("chen:interval=200ms"))).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("detector chen interval=200ms differs from the node's interval"
            + " (100ms)");
  }
}
