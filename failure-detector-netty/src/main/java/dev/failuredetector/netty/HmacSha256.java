package dev.failuredetector.netty;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * HMAC-SHA256 (RFC 2104) computed into the caller's array, allocating nothing per message: the
 * JDK's {@code Mac.doFinal(byte[], int)} allocates the inner digest on every call (about a third
 * of what a node allocated per received heartbeat). The result is byte for byte the JDK's
 * ({@code HmacSha256Test}); the work is the same (the key's padded block hashed into the inner and
 * the outer digest each time).
 *
 * <p><b>Not thread-safe</b>: one per thread, as {@link WireCodec}.
 */
final class HmacSha256 {

  /** Bytes of a tag. */
  static final int TAG_BYTES = 32;
  private static final int BLOCK_BYTES = 64;

  private final MessageDigest digest;
  private final byte[] innerPad = new byte[BLOCK_BYTES];
  private final byte[] outerPad = new byte[BLOCK_BYTES];
  private final byte[] innerHash = new byte[TAG_BYTES];

  /** @param key any length (longer than a block is hashed first, as RFC 2104 says) */
  HmacSha256(byte[] key) {
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e); // every JDK has it
    }
    byte[] k = key.length > BLOCK_BYTES ? digest.digest(key) : key;
    for (int i = 0; i < BLOCK_BYTES; i++) {
      byte b = i < k.length ? k[i] : 0;
      innerPad[i] = (byte) (b ^ 0x36);
      outerPad[i] = (byte) (b ^ 0x5c);
    }
    if (k != key) {
      Arrays.fill(k, (byte) 0);
    }
  }

  /** Writes the tag of {@code data[offset, offset + length)} to {@code out[outOffset, +32)}. */
  void tag(byte[] data, int offset, int length, byte[] out, int outOffset) {
    try {
      digest.update(innerPad);
      digest.update(data, offset, length);
      digest.digest(innerHash, 0, TAG_BYTES);
      digest.update(outerPad);
      digest.update(innerHash);
      digest.digest(out, outOffset, TAG_BYTES);
    } catch (DigestException e) {
      throw new IllegalStateException("SHA-256 failed", e); // cannot happen: sized buffers
    }
  }
}
