package dev.failuredetector.netty;

import dev.failuredetector.cluster.Rumor;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * One decoded message, written by {@link WireCodec#decode(io.netty.buffer.ByteBuf, WireFrame)} and
 * read without allocating: a reusable holder (a flyweight), so that a receive path decodes every
 * message into the same frame. The sender id is compared by its bytes ({@link #senderIdEquals})
 * or decoded on demand ({@link #senderId()}, which allocates).
 *
 * <p>Valid only after a decode that returned null (no drop reason), and until the next decode into
 * it. Not thread-safe: one per thread, as the codec.
 */
public final class WireFrame {

  final byte[] bytes = new byte[WireCodec.MAX_MESSAGE_BYTES];
  private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
  MessageType type;
  int idLength;
  long incarnation;
  long echoIncarnation;
  long sequence;
  long sendTimeNanos;
  boolean cluster;
  int rumorCount;
  int rumorsStart;
  long clusterIncarnation;
  long viewDigest;

  /** An empty frame to decode into. */
  public WireFrame() {}

  /** The message type. */
  public MessageType type() {
    return type;
  }

  /** The sender's incarnation. */
  public long incarnation() {
    return incarnation;
  }

  /**
   * The recipient's incarnation as the sender last heard it (0: it has not heard the recipient).
   */
  public long echoIncarnation() {
    return echoIncarnation;
  }

  /** The message's sequence number (per recipient: +1 per message the sender sent this node). */
  public long sequence() {
    return sequence;
  }

  /** The sender's clock when it sent the message, in nanoseconds (not comparable with ours). */
  public long sendTimeNanos() {
    return sendTimeNanos;
  }

  /** Whether the message has a cluster section (rumors). */
  public boolean hasClusterSection() {
    return cluster;
  }

  /** The sender's cluster incarnation (0 without a cluster section). */
  public long clusterIncarnation() {
    return clusterIncarnation;
  }

  /** The sender's view digest (0 without a cluster section, or with no failures). */
  public long viewDigest() {
    return viewDigest;
  }

  /** Number of rumors in the cluster section. */
  public int rumorCount() {
    return rumorCount;
  }

  /**
   * Decodes the rumors into {@code out} (allocates: call it once the message is known fresh).
   *
   * @return false if an id in them is not UTF-8 (then nothing was added)
   */
  public boolean rumors(List<Rumor> out) {
    int at = rumorsStart;
    int before = out.size();
    for (int i = 0; i < rumorCount; i++) {
      Rumor.Kind kind = Rumor.Kind.values()[(bytes[at] & 0xff) - 1];
      String subject = id(at + 1);
      at += 2 + (bytes[at + 1] & 0xff);
      long incarnation = WireCodec.getLong(bytes, at);
      at += 8;
      String accuser = null;
      if (kind == Rumor.Kind.SUSPECT) {
        accuser = id(at);
        at += 1 + (bytes[at] & 0xff);
        if (accuser == null) {
          subject = null;
        }
      }
      if (subject == null) {
        out.subList(before, out.size()).clear();
        return false;
      }
      out.add(new Rumor(kind, subject, incarnation, accuser));
    }
    return true;
  }

  private String id(int at) {
    try {
      return utf8.reset().decode(ByteBuffer.wrap(bytes, at + 1, bytes[at] & 0xff)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** A hash of the sender id's bytes, equal to {@link #hashOf} of the same bytes. */
  public int senderIdHash() {
    int hash = 1;
    for (int i = WireCodec.HEADER_BYTES; i < WireCodec.HEADER_BYTES + idLength; i++) {
      hash = 31 * hash + bytes[i];
    }
    return hash;
  }

  /** Whether the sender id is exactly these UTF-8 bytes. */
  public boolean senderIdEquals(byte[] utf8Id) {
    return Arrays.equals(bytes, WireCodec.HEADER_BYTES, WireCodec.HEADER_BYTES + idLength,
        utf8Id, 0, utf8Id.length);
  }

  /** The hash {@link #senderIdHash()} gives for a sender id of these UTF-8 bytes. */
  public static int hashOf(byte[] utf8Id) {
    return Arrays.hashCode(utf8Id);
  }

  /** The sender id, decoded (allocates), or null if its bytes are not UTF-8. */
  public String senderId() {
    try {
      return utf8.reset().decode(ByteBuffer.wrap(bytes, WireCodec.HEADER_BYTES, idLength))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
