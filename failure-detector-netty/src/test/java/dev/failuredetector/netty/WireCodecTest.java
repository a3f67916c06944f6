package dev.failuredetector.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class WireCodecTest {

  /** Golden bytes from WIRE-FORMAT.md, computed independently with Python's hmac module. */
  /** WIRE-FORMAT.md, version 2 (computed with Python's struct and hmac). */
  private static final String PLAIN = "464402010000066e6f64652d31" + "0000000000000007"
      + "0000000000000009" + "000000000000002a" + "00000000075bcd15";
  private static final String TAGGED = "464402020103066e6f64652d31" + "0000000000000007"
      + "0000000000000009" + "000000000000002a" + "00000000075bcd15"
      + "b69da5cd62eee71b35cc2cc2050ca320c2f7e47cbdd8a90579db7c56b4ffc98b";
  /** The same heartbeat in version 1 (before the echoed incarnation): dropped as BAD_VERSION. */
  private static final String VERSION_1 =
      "464401010000066e6f64652d310000000000000007000000000000002a00000000075bcd15";

  private static final byte[] KEY_3 = sequentialKey(0);
  private static final byte[] KEY_9 = sequentialKey(100);

  private static byte[] sequentialKey(int start) {
    byte[] key = new byte[32];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) (start + i);
    }
    return key;
  }

  private static final WireMessage HEARTBEAT =
      new WireMessage(MessageType.HEARTBEAT, "node-1", 7, 9, 42, 123_456_789);
  private static final WireMessage GOODBYE =
      new WireMessage(MessageType.GOODBYE, "node-1", 7, 9, 42, 123_456_789);

  private static String encodeHex(WireCodec codec, WireMessage message) {
    ByteBuf out = Unpooled.buffer();
    try {
      codec.encode(message, out);
      return ByteBufUtil.hexDump(out);
    } finally {
      out.release();
    }
  }

  /**
   * A codec and the frame it decodes into, remembering the last drop reason: decoding as the
   * receiver does, including its check of the sender id's UTF-8 (BAD_SENDER_ID).
   */
  private static final class Decoding {
    final WireCodec codec;
    final WireFrame frame = new WireFrame();
    DropReason reason;

    Decoding(WireCodec codec) {
      this.codec = codec;
    }

    WireMessage decode(ByteBuf in) {
      reason = codec.decode(in, frame);
      if (reason != null) {
        return null;
      }
      String senderId = frame.senderId(); // the receive path decodes it only for strangers
      if (senderId == null) {
        reason = DropReason.BAD_SENDER_ID;
        return null;
      }
      return new WireMessage(frame.type(), senderId, frame.incarnation(),
          frame.echoIncarnation(), frame.sequence(), frame.sendTimeNanos());
    }

    DropReason lastDropReason() {
      return reason;
    }
  }

  private static Decoding decoding(KeyRing keys, boolean requireAuthentication) {
    return new Decoding(new WireCodec(keys, requireAuthentication));
  }

  private static <T> T withBytes(byte[] bytes, Function<ByteBuf, T> action) {
    ByteBuf in = Unpooled.wrappedBuffer(bytes);
    try {
      return action.apply(in);
    } finally {
      in.release();
    }
  }

  @Test
  void encode_matchesTheGoldenBytes() {
    assertThat(encodeHex(new WireCodec(null, false), HEARTBEAT)).isEqualTo(PLAIN);
    assertThat(encodeHex(new WireCodec(KeyRing.of(3, KEY_3), true), GOODBYE)).isEqualTo(TAGGED);
    assertThat(HexFormat.of().parseHex(TAGGED)).hasSize(77);
  }

  @Test
  void decode_theGoldenBytes() {
    Decoding plain = decoding(null, false);
    assertThat(withBytes(HexFormat.of().parseHex(PLAIN), plain::decode)).isEqualTo(HEARTBEAT);
    Decoding authenticated = decoding(KeyRing.of(3, KEY_3), true);
    ByteBuf in = Unpooled.wrappedBuffer(HexFormat.of().parseHex(TAGGED));
    try {
      assertThat(authenticated.decode(in)).isEqualTo(GOODBYE);
      assertThat(in.readerIndex()).as("decode leaves the buffer's indexes alone").isZero();
    } finally {
      in.release();
    }
    assertThat(authenticated.lastDropReason()).isNull();
  }

  @Test
  void decode_eachMalformation_isDroppedWithItsReason() {
    Decoding codec = decoding(KeyRing.of(3, KEY_3), true);
    byte[] good = HexFormat.of().parseHex(TAGGED);
    expectDrop(codec, new byte[0], DropReason.TRUNCATED);
    expectDrop(codec, Arrays.copyOf(good, 40), DropReason.TRUNCATED);
    expectDrop(codec, Arrays.copyOf(good, 78), DropReason.OVERSIZED);
    expectDrop(codec, new byte[WireCodec.MAX_MESSAGE_BYTES + 1], DropReason.OVERSIZED);
    expectDrop(codec, mutate(good, 0, 0x47), DropReason.BAD_MAGIC);
    expectDrop(codec, mutate(good, 2, 3), DropReason.BAD_VERSION);
    expectDrop(decoding(null, false), HexFormat.of().parseHex(VERSION_1), DropReason.BAD_VERSION);
    expectDrop(codec, mutate(good, 3, 9), DropReason.BAD_TYPE);
    expectDrop(codec, mutate(good, 4, 5), DropReason.BAD_FLAGS);
    expectDrop(codec, mutate(good, 6, 0), DropReason.BAD_SENDER_ID);
    expectDrop(codec, mutate(good, 6, 65), DropReason.BAD_SENDER_ID);
    expectDrop(codec, mutate(good, 5, 4), DropReason.UNKNOWN_KEY);
    expectDrop(codec, mutate(good, 20, 8), DropReason.BAD_TAG); // incarnation changed
    expectDrop(codec, mutate(good, 68, 0), DropReason.BAD_TAG); // tag changed
    expectDrop(codec, HexFormat.of().parseHex(PLAIN), DropReason.UNAUTHENTICATED);
    // A valid-looking frame with an invalid UTF-8 sender id, accepted by an unauthenticated node:
    expectDrop(decoding(null, false), mutate(HexFormat.of().parseHex(PLAIN), 7, 0xff),
        DropReason.BAD_SENDER_ID);
    // A tagged message at a node without keys:
    expectDrop(decoding(null, false), good, DropReason.UNKNOWN_KEY);
  }

  @Test
  void spoofedMessage_withTheRightFormatAndAWrongKey_isDropped() {
    WireCodec attacker = new WireCodec(KeyRing.of(3, KEY_9), true); // right id, wrong key
    ByteBuf forged = Unpooled.buffer();
    try {
      attacker.encode(HEARTBEAT, forged);
      Decoding receiver = decoding(KeyRing.of(3, KEY_3), true);
      assertThat(receiver.decode(forged)).isNull();
      assertThat(receiver.lastDropReason()).isEqualTo(DropReason.BAD_TAG);
    } finally {
      forged.release();
    }
  }

  @Test
  void keyRotation_acceptsCurrentAndPrevious_signsWithCurrent() {
    KeyRing old = KeyRing.of(3, KEY_3);
    KeyRing rotated = old.rotateTo(9, KEY_9);
    assertThat(rotated.currentId()).isEqualTo(9);
    WireCodec oldSender = new WireCodec(old, true);
    WireCodec newSender = new WireCodec(rotated, true);
    Decoding receiver = new Decoding(new WireCodec(rotated, true));
    assertThat(roundTrip(oldSender, receiver, HEARTBEAT)).isEqualTo(HEARTBEAT);
    assertThat(roundTrip(newSender, receiver, HEARTBEAT)).isEqualTo(HEARTBEAT);
    Decoding retired = new Decoding(new WireCodec(rotated.without(3), true));
    assertThat(roundTrip(oldSender, retired, HEARTBEAT)).isNull();
    assertThat(retired.lastDropReason()).isEqualTo(DropReason.UNKNOWN_KEY);
    assertThat(rotated.toString()).isEqualTo("KeyRing[current=9, accepted=3,9]");
  }

  @Test
  void badConfiguration_isRejectedNamingTheValue() {
    assertThatThrownBy(() -> KeyRing.of(0, KEY_3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key id must be 1 to 255, got 0");
    assertThatThrownBy(() -> KeyRing.of(1, new byte[16])).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key 1 must be at least 32 bytes, got 16");
    assertThatThrownBy(() -> KeyRing.of(3, KEY_3).rotateTo(3, KEY_9))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("key id 3 is already in the ring");
    assertThatThrownBy(() -> KeyRing.of(3, KEY_3).without(3))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("cannot remove the current key 3");
    assertThatThrownBy(() -> new WireCodec(null, true)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("requireAuthentication needs a key ring");
    assertThatThrownBy(() -> new WireMessage(MessageType.PING, "", 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("senderId must be 1 to 64 bytes of UTF-8, got 0: ''");
    assertThatThrownBy(() -> new WireMessage(MessageType.PING, "x".repeat(65), 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("senderId must be");
  }

  /**
   * 100,000 random datagrams and 100,000 mutations of valid authenticated ones: nothing throws,
   * no mutated frame is accepted, every input gets exactly one answer.
   */
  @Test
  void fuzz_randomAndMutatedDatagrams_neverThrow_neverAcceptForgeries() {
    Decoding codec = decoding(KeyRing.of(3, KEY_3), true);
    WireCodec sender = new WireCodec(KeyRing.of(3, KEY_3), true);
    SplittableRandom random = new SplittableRandom(2026);
    Map<DropReason, Integer> reasons = new EnumMap<>(DropReason.class);
    int accepted = 0;
    for (int i = 0; i < 100_000; i++) {
      byte[] bytes = new byte[random.nextInt(200)];
      random.nextBytes(bytes);
      if (random.nextInt(4) == 0 && bytes.length > 7) { // a plausible header, to get further in
        bytes[0] = 0x46;
        bytes[1] = 0x44;
        bytes[2] = 1;
        bytes[3] = (byte) (1 + random.nextInt(4));
      }
      WireMessage decoded = withBytes(bytes, codec::decode);
      if (decoded == null) {
        reasons.merge(codec.lastDropReason(), 1, Integer::sum);
      } else {
        accepted++;
      }
    }
    assertThat(accepted).as("random bytes that pass a 256-bit HMAC").isZero();
    for (int i = 0; i < 100_000; i++) {
      WireMessage message = new WireMessage(MessageType.HEARTBEAT, "n" + random.nextInt(1000),
          random.nextLong(), random.nextLong(), random.nextLong());
      ByteBuf valid = Unpooled.buffer();
      byte[] bytes;
      try {
        sender.encode(message, valid);
        bytes = ByteBufUtil.getBytes(valid);
      } finally {
        valid.release();
      }
      byte[] mutated = switch (random.nextInt(3)) {
        case 0 -> mutate(bytes, random.nextInt(bytes.length), random.nextInt(256));
        case 1 -> Arrays.copyOf(bytes, random.nextInt(bytes.length));
        default -> Arrays.copyOf(bytes, bytes.length + 1 + random.nextInt(8));
      };
      if (Arrays.equals(mutated, bytes)) {
        continue; // the flip left the byte as it was
      }
      WireMessage decoded = withBytes(mutated, codec::decode);
      assertThat(decoded).as("mutated frame %s", HexFormat.of().formatHex(mutated)).isNull();
      reasons.merge(codec.lastDropReason(), 1, Integer::sum);
    }
    assertThat(reasons.keySet()).contains(DropReason.TRUNCATED, DropReason.OVERSIZED,
        DropReason.BAD_MAGIC, DropReason.BAD_TAG);
  }

  private static WireMessage roundTrip(WireCodec sender, Decoding receiver, WireMessage message) {
    ByteBuf buffer = Unpooled.buffer();
    try {
      sender.encode(message, buffer);
      return receiver.decode(buffer);
    } finally {
      buffer.release();
    }
  }

  private static void expectDrop(Decoding codec, byte[] bytes, DropReason reason) {
    assertThat(withBytes(bytes, codec::decode)).as("%s", reason).isNull();
    assertThat(codec.lastDropReason()).isEqualTo(reason);
  }

  private static byte[] mutate(byte[] bytes, int index, int value) {
    byte[] copy = bytes.clone();
    copy[index] = (byte) value;
    return copy;
  }
}
