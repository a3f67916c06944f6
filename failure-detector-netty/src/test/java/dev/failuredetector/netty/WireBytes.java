package dev.failuredetector.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Messages as bytes, for tests that play a peer or an attacker with plain sockets. */
final class WireBytes {

  private WireBytes() {}

  static byte[] encode(WireCodec codec, WireMessage message) {
    ByteBuf buffer = Unpooled.buffer();
    try {
      codec.encode(message, buffer);
      return ByteBufUtil.getBytes(buffer);
    } finally {
      buffer.release();
    }
  }

  /** A copy of {@code valid} that differs from it: bytes changed, cut short or extended. */
  static byte[] mutate(byte[] valid, SplittableRandom random) {
    switch (random.nextInt(3)) {
      case 0 -> {
        byte[] copy = valid.clone();
        for (int n = random.nextInt(1, 5); n > 0; n--) {
          int at = random.nextInt(copy.length);
          copy[at] ^= (byte) random.nextInt(1, 256); // never xor with 0: always a change
        }
        return copy;
      }
      case 1 -> {
        return Arrays.copyOf(valid, random.nextInt(valid.length));
      }
      default -> {
        byte[] longer = Arrays.copyOf(valid, valid.length + random.nextInt(1, 200));
        for (int i = valid.length; i < longer.length; i++) {
          longer[i] = (byte) random.nextInt(256);
        }
        return longer;
      }
    }
  }
}
