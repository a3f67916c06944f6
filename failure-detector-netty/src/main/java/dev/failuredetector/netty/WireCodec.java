package dev.failuredetector.netty;

import dev.failuredetector.cluster.Rumor;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * Encodes and decodes the wire format of WIRE-FORMAT.md, with HMAC-SHA256 authentication.
 *
 * <p>Decoding never throws on any input: {@link #decode(ByteBuf, WireFrame)} fills a reusable
 * {@link WireFrame} and returns null, or returns why the bytes were dropped. It reads the buffer
 * without changing its indexes and never releases it (the caller owns it), and allocates nothing.
 *
 * <p><b>Not thread-safe</b> (it keeps an HMAC state per key and scratch space): use one per thread,
 * for example one per channel handler. Not {@code @Sharable}.
 */
public final class WireCodec {

  /**
   * Largest message: a HEARTBEAT with a cluster section of {@value #MAX_RUMORS} rumors with 64-byte
   * ids, under a 1500-byte MTU with IP and UDP headers. Without a cluster section a message is at
   * most {@value #MAX_PLAIN_MESSAGE_BYTES} bytes.
   */
  public static final int MAX_MESSAGE_BYTES = 1400;
  /** Largest message without a cluster section: header 7 + sender id 64 + 32 + tag 32. */
  public static final int MAX_PLAIN_MESSAGE_BYTES = 135;
  /** Most rumors on one message. */
  public static final int MAX_RUMORS = 8;

  static final int MAGIC_0 = 0x46;
  static final int MAGIC_1 = 0x44;
  static final int VERSION = 2;
  static final int FLAG_TAG = 1;
  static final int FLAG_CLUSTER = 2;
  static final int HEADER_BYTES = 7;
  static final int FIXED_TAIL_BYTES = 32;
  static final int TAG_BYTES = 32;
  /** A cluster section before its rumors: cluster incarnation 8, view digest 8, rumor count 1. */
  static final int CLUSTER_SECTION_BYTES = 17;
  /** Largest rumor: kind 1, subject 1 + 64, incarnation 8, accuser 1 + 64. */
  static final int MAX_RUMOR_BYTES = 139;

  private final KeyRing keys;
  private final boolean requireAuthentication;
  private final HmacSha256[] macs = new HmacSha256[256];
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
    return encode(message, 0, 0, List.of(), out);
  }

  /**
   * Writes {@code message} with a cluster section (WIRE-FORMAT.md, "Cluster overlay") to {@code
   * out}, tagged with the current key if there is a ring.
   *
   * @param clusterIncarnation the sender's cluster incarnation; 0 for no cluster section (then
   *     {@code rumors} must be empty)
   * @param viewDigest the sender's view digest ({@code ClusterNode.viewDigest()}); ignored
   *     without a cluster section
   * @param rumors at most {@value #MAX_RUMORS}
   * @return the number of bytes written
   * @throws IllegalArgumentException if a section is asked of a type that takes none, a GOSSIP
   *     has none, or there are too many rumors or a rumor's id is not a valid member id
   */
  public int encode(WireMessage message, long clusterIncarnation, long viewDigest,
      List<Rumor> rumors, ByteBuf out) {
    Objects.requireNonNull(message, "message");
    boolean cluster = clusterIncarnation != 0;
    if (cluster ? message.type() != MessageType.HEARTBEAT && message.type() != MessageType.GOSSIP
        : message.type() == MessageType.GOSSIP || !rumors.isEmpty()) {
      throw new IllegalArgumentException("a cluster section goes on HEARTBEAT and GOSSIP (always"
          + " on GOSSIP), got " + message.type() + " with cluster incarnation " + clusterIncarnation
          + " and " + rumors.size() + " rumors");
    }
    if (rumors.size() > MAX_RUMORS) {
      throw new IllegalArgumentException(
          "rumors must be at most " + MAX_RUMORS + " a message, got " + rumors.size());
    }
    byte[] id = message.senderId().getBytes(StandardCharsets.UTF_8);
    ByteBuffer body = ByteBuffer.wrap(scratch);
    body.put((byte) MAGIC_0).put((byte) MAGIC_1).put((byte) VERSION)
        .put((byte) message.type().code())
        .put((byte) ((keys != null ? FLAG_TAG : 0) | (cluster ? FLAG_CLUSTER : 0)))
        .put((byte) (keys != null ? keys.currentId() : 0))
        .put((byte) id.length).put(id)
        .putLong(message.incarnation()).putLong(message.echoIncarnation())
        .putLong(message.sequence())
        .putLong(message.sendTimeNanos());
    if (cluster) {
      body.putLong(clusterIncarnation).putLong(viewDigest).put((byte) rumors.size());
      for (Rumor rumor : rumors) {
        body.put((byte) (rumor.kind().ordinal() + 1));
        putId(body, rumor.subject());
        body.putLong(rumor.incarnation());
        if (rumor.accuser() != null) {
          putId(body, rumor.accuser());
        }
      }
    }
    int length = body.position();
    out.writeBytes(scratch, 0, length);
    if (keys != null) {
      mac(keys.currentId()).tag(scratch, 0, length, tag, 0);
      out.writeBytes(tag);
      length += TAG_BYTES;
    }
    return length;
  }

  private static void putId(ByteBuffer body, String id) {
    byte[] bytes = WireMessage.checkSenderId(id).getBytes(StandardCharsets.UTF_8);
    body.put((byte) bytes.length).put(bytes);
  }

  /**
   * {@code message}, encoded into a new buffer from {@code allocator} (released if encoding
   * fails): the caller owns it.
   */
  ByteBuf encode(WireMessage message, io.netty.buffer.ByteBufAllocator allocator) {
    return encode(message, 0, 0, List.of(), allocator);
  }

  /** As {@link #encode(WireMessage, io.netty.buffer.ByteBufAllocator)}, with a cluster section. */
  ByteBuf encode(WireMessage message, long clusterIncarnation, long viewDigest,
      List<Rumor> rumors, io.netty.buffer.ByteBufAllocator allocator) {
    ByteBuf buffer = allocator.buffer(MAX_PLAIN_MESSAGE_BYTES + (clusterIncarnation == 0 ? 0
        : CLUSTER_SECTION_BYTES + rumors.size() * MAX_RUMOR_BYTES));
    try {
      encode(message, clusterIncarnation, viewDigest, rumors, buffer);
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
    if ((flags & ~(FLAG_TAG | FLAG_CLUSTER)) != 0) {
      return DropReason.BAD_FLAGS;
    }
    boolean tagged = (flags & FLAG_TAG) != 0;
    boolean cluster = (flags & FLAG_CLUSTER) != 0;
    int keyId = bytes[5] & 0xff;
    if (!tagged && keyId != 0) {
      return DropReason.BAD_FLAGS;
    }
    int idLength = bytes[6] & 0xff;
    if (idLength < 1 || idLength > WireMessage.MAX_SENDER_ID_BYTES) {
      return DropReason.BAD_SENDER_ID;
    }
    int bodyLength = HEADER_BYTES + idLength + FIXED_TAIL_BYTES;
    if (cluster ? parsedType != MessageType.HEARTBEAT && parsedType != MessageType.GOSSIP
        : parsedType == MessageType.GOSSIP) {
      return DropReason.BAD_RUMOR; // a section where none goes, or a GOSSIP without one
    }
    int rumorCount = 0;
    if (cluster) {
      if (length < bodyLength + CLUSTER_SECTION_BYTES) {
        return DropReason.TRUNCATED;
      }
      rumorCount = bytes[bodyLength + CLUSTER_SECTION_BYTES - 1] & 0xff;
      if (rumorCount > MAX_RUMORS) {
        return DropReason.BAD_RUMOR;
      }
      int at = bodyLength + CLUSTER_SECTION_BYTES;
      for (int i = 0; i < rumorCount; i++) {
        if (at >= length) {
          return DropReason.TRUNCATED;
        }
        int kind = bytes[at] & 0xff;
        if (kind < 1 || kind > 3) {
          return DropReason.BAD_RUMOR;
        }
        at = skipId(bytes, at + 1, length);
        if (at >= 0) {
          at = at + 8 > length ? -1 : at + 8;
        }
        if (at >= 0 && kind == 2) { // SUSPECT: the accuser
          at = skipId(bytes, at, length);
        }
        if (at < 0) {
          return at == -1 ? DropReason.TRUNCATED : DropReason.BAD_RUMOR;
        }
      }
      frame.rumorsStart = bodyLength + CLUSTER_SECTION_BYTES;
      bodyLength = at;
    }
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
      mac(keyId).tag(bytes, 0, bodyLength, tag, 0);
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
    frame.cluster = cluster;
    frame.rumorCount = rumorCount;
    frame.clusterIncarnation = cluster ? getLong(bytes, tail + 32) : 0;
    frame.viewDigest = cluster ? getLong(bytes, tail + 40) : 0;
    return null;
  }

  /**
   * The offset after an id (a length byte, 1 to 64, then the bytes) at {@code at}: -1 if it runs
   * past {@code length}, -2 if its length is out of range.
   */
  private static int skipId(byte[] bytes, int at, int length) {
    if (at >= length) {
      return -1;
    }
    int idLength = bytes[at] & 0xff;
    if (idLength < 1 || idLength > WireMessage.MAX_SENDER_ID_BYTES) {
      return -2;
    }
    return at + 1 + idLength > length ? -1 : at + 1 + idLength;
  }

  static long getLong(byte[] bytes, int at) {
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = (value << 8) | (bytes[at + i] & 0xff);
    }
    return value;
  }

  private HmacSha256 mac(int keyId) {
    HmacSha256 mac = macs[keyId];
    if (mac == null) {
      mac = new HmacSha256(keys.key(keyId));
      macs[keyId] = mac;
    }
    return mac;
  }
}
