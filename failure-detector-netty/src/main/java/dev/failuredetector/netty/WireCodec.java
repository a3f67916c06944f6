package dev.failuredetector.netty;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encodes and decodes the wire format of WIRE-FORMAT.md, with HMAC-SHA256 authentication.
 *
 * <p>Decoding never throws on any input: it returns the message, or null and sets {@link
 * #lastDropReason()}. It reads the buffer without changing its indexes and never releases it (the
 * caller owns it).
 *
 * <p><b>Not thread-safe</b> (it keeps a {@link Mac} per key and scratch space): use one per thread,
 * for example one per event loop. Not {@code @Sharable}.
 */
public final class WireCodec {

  /** Largest message: header 7 + sender id 64 + 24 + tag 32. */
  public static final int MAX_MESSAGE_BYTES = 127;

  static final int MAGIC_0 = 0x46;
  static final int MAGIC_1 = 0x44;
  static final int VERSION = 1;
  static final int FLAG_TAG = 1;
  static final int HEADER_BYTES = 7;
  static final int FIXED_TAIL_BYTES = 24;
  static final int TAG_BYTES = 32;

  private final KeyRing keys;
  private final boolean requireAuthentication;
  private final Mac[] macs = new Mac[256];
  private final byte[] scratch = new byte[MAX_MESSAGE_BYTES];
  private final byte[] tag = new byte[TAG_BYTES];
  private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
  private DropReason lastDropReason;
  // The last message parse() accepted.
  private MessageType type;
  private int idLength;
  private long incarnation;
  private long sequence;
  private long sendTimeNanos;

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

  /** Why the last {@link #decode} returned null; null after a success. */
  public DropReason lastDropReason() {
    return lastDropReason;
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
        .putLong(message.incarnation()).putLong(message.sequence())
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
   * Decodes the readable bytes of {@code in} as exactly one message.
   *
   * @return the message, or null (see {@link #lastDropReason()})
   */
  public WireMessage decode(ByteBuf in) {
    if (!parse(in)) {
      return null;
    }
    String senderId = senderId();
    return senderId == null ? null
        : new WireMessage(type, senderId, incarnation, sequence, sendTimeNanos);
  }

  /**
   * Checks and parses one message without allocating: on success the fields are read with {@link
   * #type()}, {@link #incarnation()}, {@link #sequence()}, and the sender id is matched with
   * {@link #senderIdHash()} and {@link #senderIdEquals}, or decoded with {@link #senderId()}. The
   * sender id's UTF-8 is not checked here ({@link #senderId()} does).
   *
   * @return whether it is a valid, authentic message; if not, see {@link #lastDropReason()}
   */
  boolean parse(ByteBuf in) {
    lastDropReason = null;
    int length = in.readableBytes();
    if (length > MAX_MESSAGE_BYTES) {
      return fail(DropReason.OVERSIZED);
    }
    if (length < HEADER_BYTES) {
      return fail(DropReason.TRUNCATED);
    }
    in.getBytes(in.readerIndex(), scratch, 0, length);
    if ((scratch[0] & 0xff) != MAGIC_0 || (scratch[1] & 0xff) != MAGIC_1) {
      return fail(DropReason.BAD_MAGIC);
    }
    if ((scratch[2] & 0xff) != VERSION) {
      return fail(DropReason.BAD_VERSION);
    }
    MessageType parsedType = MessageType.ofCode(scratch[3] & 0xff);
    if (parsedType == null) {
      return fail(DropReason.BAD_TYPE);
    }
    int flags = scratch[4] & 0xff;
    if ((flags & ~FLAG_TAG) != 0) {
      return fail(DropReason.BAD_FLAGS);
    }
    boolean tagged = (flags & FLAG_TAG) != 0;
    int keyId = scratch[5] & 0xff;
    if (!tagged && keyId != 0) {
      return fail(DropReason.BAD_FLAGS);
    }
    int parsedIdLength = scratch[6] & 0xff;
    if (parsedIdLength < 1 || parsedIdLength > WireMessage.MAX_SENDER_ID_BYTES) {
      return fail(DropReason.BAD_SENDER_ID);
    }
    int bodyLength = HEADER_BYTES + parsedIdLength + FIXED_TAIL_BYTES;
    int expected = bodyLength + (tagged ? TAG_BYTES : 0);
    if (length < expected) {
      return fail(DropReason.TRUNCATED);
    }
    if (length > expected) {
      return fail(DropReason.OVERSIZED);
    }
    if (tagged) {
      if (keys == null || !keys.accepts(keyId)) {
        return fail(DropReason.UNKNOWN_KEY);
      }
      Mac mac = mac(keyId);
      mac.update(scratch, 0, bodyLength);
      try {
        mac.doFinal(tag, 0);
      } catch (GeneralSecurityException e) {
        return fail(DropReason.BAD_TAG);
      }
      int difference = 0; // constant time, as MessageDigest.isEqual, without copying the tag
      for (int i = 0; i < TAG_BYTES; i++) {
        difference |= tag[i] ^ scratch[bodyLength + i];
      }
      if (difference != 0) {
        return fail(DropReason.BAD_TAG);
      }
    } else if (requireAuthentication) {
      return fail(DropReason.UNAUTHENTICATED);
    }
    type = parsedType;
    idLength = parsedIdLength;
    int tail = HEADER_BYTES + parsedIdLength;
    incarnation = getLong(tail);
    sequence = getLong(tail + 8);
    sendTimeNanos = getLong(tail + 16);
    return true;
  }

  private long getLong(int at) {
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = (value << 8) | (scratch[at + i] & 0xff);
    }
    return value;
  }

  /** After a successful {@link #parse}: the message type. */
  MessageType type() {
    return type;
  }

  /** After a successful {@link #parse}: the sender's incarnation. */
  long incarnation() {
    return incarnation;
  }

  /** After a successful {@link #parse}: the sequence number. */
  long sequence() {
    return sequence;
  }

  /** After a successful {@link #parse}: a hash of the sender id's bytes, as {@link #hashOf}. */
  int senderIdHash() {
    int hash = 1;
    for (int i = HEADER_BYTES; i < HEADER_BYTES + idLength; i++) {
      hash = 31 * hash + scratch[i];
    }
    return hash;
  }

  /** The hash {@link #senderIdHash()} gives for a sender id of these UTF-8 bytes. */
  static int hashOf(byte[] utf8Id) {
    return java.util.Arrays.hashCode(utf8Id);
  }

  /** After a successful {@link #parse}: whether the sender id is these UTF-8 bytes. */
  boolean senderIdEquals(byte[] utf8Id) {
    return java.util.Arrays.equals(scratch, HEADER_BYTES, HEADER_BYTES + idLength,
        utf8Id, 0, utf8Id.length);
  }

  /**
   * After a successful {@link #parse}: the sender id, decoded (allocates).
   *
   * @return the id, or null if it is not UTF-8 ({@link #lastDropReason()} is then BAD_SENDER_ID)
   */
  String senderId() {
    try {
      return utf8.reset().decode(ByteBuffer.wrap(scratch, HEADER_BYTES, idLength)).toString();
    } catch (CharacterCodingException e) {
      lastDropReason = DropReason.BAD_SENDER_ID;
      return null;
    }
  }

  private boolean fail(DropReason reason) {
    lastDropReason = reason;
    return false;
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
