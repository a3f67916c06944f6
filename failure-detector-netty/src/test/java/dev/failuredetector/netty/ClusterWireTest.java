package dev.failuredetector.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.failuredetector.cluster.Rumor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cluster section of the wire format (WIRE-FORMAT.md, "Cluster overlay"). */
class ClusterWireTest {

  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
  private static final WireMessage HEARTBEAT =
      new WireMessage(MessageType.HEARTBEAT, "node-1", 7, 9, 42, 123_456_789);
  private static final WireMessage GOSSIP =
      new WireMessage(MessageType.GOSSIP, "node-1", 7, 9, 3, 123_456_789);
  private static final List<Rumor> RUMORS = List.of(Rumor.suspect("b", 5, "c"),
      Rumor.alive("d", 6), Rumor.failed("e", 1_700_000_000_000L));

  /**
   * The golden bytes of WIRE-FORMAT.md: GOSSIP, no tag, cluster incarnation 2, view digest
   * 0x0102030405060708, one SUSPECT.
   */
  static final String GOLDEN_GOSSIP = "464402050200066e6f64652d31" + "0000000000000007"
      + "0000000000000009" + "0000000000000003" + "00000000075bcd15"
      + "0000000000000002" + "0102030405060708" + "01" + "02" + "0162" + "0000000000000005"
      + "0163";
  private static final long DIGEST = 0x0102030405060708L;

  private static byte[] encode(WireCodec codec, WireMessage message, long incarnation,
      List<Rumor> rumors) {
    ByteBuf out = Unpooled.buffer();
    try {
      codec.encode(message, incarnation, DIGEST, rumors, out);
      return ByteBufUtil.getBytes(out);
    } finally {
      out.release();
    }
  }

  private static DropReason decode(WireCodec codec, byte[] bytes, WireFrame frame) {
    ByteBuf in = Unpooled.wrappedBuffer(bytes);
    try {
      return codec.decode(in, frame);
    } finally {
      in.release();
    }
  }

  @Test
  void rumorsRideOnHeartbeatsAndGossip_tagged_andComeBackTheSame() {
    WireCodec codec = new WireCodec(KeyRing.of(1, KEY), true);
    for (WireMessage message : List.of(HEARTBEAT, GOSSIP)) {
      byte[] bytes = encode(codec, message, 1_700_000_000_123L, RUMORS);
      WireFrame frame = new WireFrame();
      assertThat(decode(codec, bytes, frame)).isNull();
      assertThat(frame.type()).isEqualTo(message.type());
      assertThat(frame.sequence()).isEqualTo(message.sequence());
      assertThat(frame.hasClusterSection()).isTrue();
      assertThat(frame.clusterIncarnation()).isEqualTo(1_700_000_000_123L);
      assertThat(frame.viewDigest()).isEqualTo(DIGEST);
      List<Rumor> out = new ArrayList<>();
      assertThat(frame.rumors(out)).isTrue();
      assertThat(out).isEqualTo(RUMORS);
    }
  }

  @Test
  void theGoldenGossip_isByteForByteTheDocumentedOne() {
    WireCodec plain = new WireCodec(null, false);
    byte[] bytes = encode(plain, new WireMessage(MessageType.GOSSIP, "node-1", 7, 9, 3,
        123_456_789), 2, List.of(Rumor.suspect("b", 5, "c")));
    assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(GOLDEN_GOSSIP);
  }

  @Test
  void aFullMessage_eightRumorsOfLongestIds_fitsTheMaximum() {
    String id = "x".repeat(64);
    List<Rumor> rumors = new ArrayList<>();
    for (int i = 0; i < WireCodec.MAX_RUMORS; i++) {
      rumors.add(Rumor.suspect(id, i, id));
    }
    WireCodec codec = new WireCodec(KeyRing.of(1, KEY), true);
    byte[] bytes = encode(codec, new WireMessage(MessageType.HEARTBEAT, id, 1, 2, 3, 4), 5, rumors);
    assertThat(bytes.length).isLessThanOrEqualTo(WireCodec.MAX_MESSAGE_BYTES);
    assertThat(decode(codec, bytes, new WireFrame())).isNull();
  }

  @Test
  void everyMalformedSection_isDroppedWithItsReason() {
    WireCodec codec = new WireCodec(null, false);
    byte[] good = HexFormat.of().parseHex(GOLDEN_GOSSIP);
    // header and id (13), the fixed fields, cluster incarnation, view digest: the count
    int count = 13 + 32 + 8 + 8;
    int kind = count + 1;
    WireFrame frame = new WireFrame();
    assertThat(decode(codec, good, frame)).isNull();
    assertThat(decode(codec, Arrays.copyOf(good, good.length - 1), frame))
        .isEqualTo(DropReason.TRUNCATED);
    assertThat(decode(codec, Arrays.copyOf(good, good.length + 1), frame))
        .isEqualTo(DropReason.OVERSIZED);
    assertThat(decode(codec, with(good, kind, 4), frame)).isEqualTo(DropReason.BAD_RUMOR);
    assertThat(decode(codec, with(good, kind, 0), frame)).isEqualTo(DropReason.BAD_RUMOR);
    assertThat(decode(codec, with(good, kind + 1, 0), frame)).isEqualTo(DropReason.BAD_RUMOR);
    assertThat(decode(codec, with(good, kind + 1, 65), frame)).isEqualTo(DropReason.BAD_RUMOR);
    assertThat(decode(codec, with(good, count, 9), frame)).isEqualTo(DropReason.BAD_RUMOR);
    assertThat(decode(codec, with(good, count, 2), frame)).isEqualTo(DropReason.TRUNCATED);
    // A section on a GOODBYE, a GOSSIP without one.
    assertThat(decode(codec, with(good, 3, 2), frame)).isEqualTo(DropReason.BAD_RUMOR);
    assertThat(decode(codec, with(good, 4, 0), frame)).isEqualTo(DropReason.BAD_RUMOR);
    // Ids that are not UTF-8 parse, and are refused when the rumors are read.
    assertThat(decode(codec, with(good, kind + 2, 0xff), frame)).isNull();
    List<Rumor> out = new ArrayList<>();
    assertThat(frame.rumors(out)).isFalse();
    assertThat(out).isEmpty();
  }

  @Test
  void encoding_refusesWhatCouldNotBeDecoded() {
    WireCodec codec = new WireCodec(null, false);
    ByteBuf out = Unpooled.buffer();
    try {
      assertThatThrownBy(() -> codec.encode(GOSSIP, out))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("always on GOSSIP");
      assertThatThrownBy(() -> codec.encode(new WireMessage(MessageType.GOODBYE, "a", 1, 2, 3, 4),
          5, 0, List.of(), out)).isInstanceOf(IllegalArgumentException.class);
      List<Rumor> nine = new ArrayList<>();
      for (int i = 0; i < 9; i++) {
        nine.add(Rumor.alive("a", i));
      }
      assertThatThrownBy(() -> codec.encode(HEARTBEAT, 5, 0, nine, out))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("rumors must be at most 8 a message, got 9");
    } finally {
      out.release();
    }
  }

  private static byte[] with(byte[] bytes, int index, int value) {
    byte[] copy = bytes.clone();
    copy[index] = (byte) value;
    return copy;
  }
}
