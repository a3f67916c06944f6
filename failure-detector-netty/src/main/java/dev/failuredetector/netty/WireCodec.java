package dev.failuredetector.netty;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encodes and decodes the wire format of WIRE-FORMAT.md, with HMAC-SHA256 authentication.
 *
 * <p>Decoding never throws on any input: {@link #decode(ByteBuf, WireFrame)} fills a reusable
 * {@link WireFrame} and returns null, or returns why the bytes were dropped. It reads the buffer
 * without changing its indexes and never releases it (the caller owns it), and allocates nothing.
 *
 * <p><b>Not thread-safe</b> (it keeps a {@link Mac} per key and scratch space): use one per thread,
 * for example one per channel handler. Not {@code @Sharable}.
 */
public final class WireCodec {

  /** Largest message: header 7 + sender id 64 + 32 + tag 32. */
  public static final int MAX_MESSAGE_BYTES = 135;

  static final int MAGIC_0 = 0x46;
  static final int MAGIC_1 = 0x44;
  static final int VERSION = 2;
  static final int FLAG_TAG = 1;
  static final int HEADER_BYTES = 7;
  static final int FIXED_TAIL_BYTES = 32;
  static final int TAG_BYTES = 32;

  private final KeyRing keys;
  private final boolean requireAuthentication;
  private final Mac[] macs = new Mac[256];
  private final byte[] scratch = new byte[MAX_MESSAGE_BYTES];
  private final byte[] tag = new byte[TAG_BYTES];

  /**
   * @param keys the key ring, or null to send untagged messages (then {@code
   *     requireAuthentication} must be false)
   * @param requireAuthentication whether untagged messages are dropped
   * @throws IllegalArgumentException if authentication is required without keys
   */
  public WireCodec(KeyRing keys, boolean requireAuthentication) {
    if (requireAuthentication && keys == null) {
      throw new IllegalArgumentException("requireAuthentication needs a key ring");
    }
    this.keys = keys;
    this.requireAuthentication = requireAuthentication;
  }

  /**
   * Writes {@code message} to {@code out}, tagged with the current key if there is a ring.
   *
   * @return the number of bytes written
   */
  public int encode(WireMessage message, ByteBuf out) {
    Objects.requireNonNull(message, "message");
    byte[] id = message.senderId().getBytes(StandardCharsets.UTF_8);
    ByteBuffer body = ByteBuffer.wrap(scratch);
    body.put((byte) MAGIC_0).put((byte) MAGIC_1).put((byte) VERSION)
        .put((byte) message.type().code())
        .put((byte) (keys != null ? FLAG_TAG : 0))
        .put((byte) (keys != null ? keys.currentId() : 0))
        .put((byte) id.length).put(id)
        .putLong(message.incarnation()).putLong(message.echoIncarnation())
        .putLong(message.sequence())
        .putLong(message.sendTimeNanos());
    int length = body.position();
    out.writeBytes(scratch, 0, length);
    if (keys != null) {
      Mac mac = mac(keys.currentId());
      mac.update(scratch, 0, length);
      try {
        mac.doFinal(tag, 0);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HMAC-SHA256 failed", e); // cannot happen: sized buffer
      }
      out.writeBytes(tag);
      length += TAG_BYTES;
    }
    return length;
  }

  /**
   * {@code message}, encoded into a new buffer from {@code allocator} (released if encoding
   * fails): the caller owns it.
   */
  ByteBuf encode(WireMessage message, io.netty.buffer.ByteBufAllocator allocator) {
    ByteBuf buffer = allocator.buffer(MAX_MESSAGE_BYTES);
    try {
      encode(message, buffer);
      return buffer;
    } catch (RuntimeException e) {
      buffer.release();
      throw e;
    }
  }

  /**
   * Checks and decodes the readable bytes of {@code in} as exactly one message into {@code frame}.
   * The sender id's UTF-8 is not checked here ({@link WireFrame#senderId()} does, when asked).
   *
   * @return null if it is a valid, authentic message (then {@code frame} holds it), otherwise why
   *     it was dropped ({@code frame} is then unspecified)
   */
  public DropReason decode(ByteBuf in, WireFrame frame) {
    int length = in.readableBytes();
    if (length > MAX_MESSAGE_BYTES) {
      return DropReason.OVERSIZED;
    }
    if (length < HEADER_BYTES) {
      return DropReason.TRUNCATED;
    }
    byte[] bytes = frame.bytes;
    in.getBytes(in.readerIndex(), bytes, 0, length);
    if ((bytes[0] & 0xff) != MAGIC_0 || (bytes[1] & 0xff) != MAGIC_1) {
      return DropReason.BAD_MAGIC;
    }
    if ((bytes[2] & 0xff) != VERSION) {
      return DropReason.BAD_VERSION;
    }
    MessageType parsedType = MessageType.ofCode(bytes[3] & 0xff);
    if (parsedType == null) {
      return DropReason.BAD_TYPE;
    }
    int flags = bytes[4] & 0xff;
    if ((flags & ~FLAG_TAG) != 0) {
      return DropReason.BAD_FLAGS;
    }
    boolean tagged = (flags & FLAG_TAG) != 0;
    int keyId = bytes[5] & 0xff;
    if (!tagged && keyId != 0) {
      return DropReason.BAD_FLAGS;
    }
    int idLength = bytes[6] & 0xff;
    if (idLength < 1 || idLength > WireMessage.MAX_SENDER_ID_BYTES) {
      return DropReason.BAD_SENDER_ID;
    }
    int bodyLength = HEADER_BYTES + idLength + FIXED_TAIL_BYTES;
    int expected = bodyLength + (tagged ? TAG_BYTES : 0);
    if (length < expected) {
      return DropReason.TRUNCATED;
    }
    if (length > expected) {
      return DropReason.OVERSIZED;
    }
    if (tagged) {
      if (keys == null || !keys.accepts(keyId)) {
        return DropReason.UNKNOWN_KEY;
      }
      Mac mac = mac(keyId);
      mac.update(bytes, 0, bodyLength);
      try {
        mac.doFinal(tag, 0);
      } catch (GeneralSecurityException e) {
        return DropReason.BAD_TAG;
      }
      int difference = 0; // constant time, as MessageDigest.isEqual, without copying the tag
      for (int i = 0; i < TAG_BYTES; i++) {
        difference |= tag[i] ^ bytes[bodyLength + i];
      }
      if (difference != 0) {
        return DropReason.BAD_TAG;
      }
    } else if (requireAuthentication) {
      return DropReason.UNAUTHENTICATED;
    }
    frame.type = parsedType;
    frame.idLength = idLength;
    int tail = HEADER_BYTES + idLength;
    frame.incarnation = getLong(bytes, tail);
    frame.echoIncarnation = getLong(bytes, tail + 8);
    frame.sequence = getLong(bytes, tail + 16);
    frame.sendTimeNanos = getLong(bytes, tail + 24);
    return null;
  }

  private static long getLong(byte[] bytes, int at) {
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = (value << 8) | (bytes[at + i] & 0xff);
    }
    return value;
  }

  private Mac mac(int keyId) {
    Mac mac = macs[keyId];
    if (mac == null) {
      try {
        mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(keys.key(keyId), "HmacSHA256"));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 is not available", e); // every JDK has it
      }
      macs[keyId] = mac;
    }
    return mac;
  }
}
