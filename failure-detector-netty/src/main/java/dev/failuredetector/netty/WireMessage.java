package dev.failuredetector.netty;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One message of the wire format (WIRE-FORMAT.md), decoded or to be encoded.
 *
 * @param type what it is
 * @param senderId the sending node's id: 1 to 64 bytes of UTF-8
 * @param incarnation picked at random by the sender at each start (never 0)
 * @param echoIncarnation the recipient's incarnation as the sender last heard it, 0 if it has not
 *     heard the recipient yet: binds the message to the recipient and to its current life
 * @param sequence per recipient: +1 per message to it, from 1 in each life of the recipient
 * @param sendTimeNanos the sender's clock when sent (not comparable with the receiver's)
 */
public record WireMessage(MessageType type, String senderId, long incarnation,
    long echoIncarnation, long sequence, long sendTimeNanos) {

  /** Most bytes of a sender id. */
  public static final int MAX_SENDER_ID_BYTES = 64;

  /**
   * @throws IllegalArgumentException if the sender id is empty or longer than 64 bytes in UTF-8
   */
  public WireMessage {
    Objects.requireNonNull(type, "type");
    checkSenderId(senderId);
  }

  /** A message that echoes no incarnation (its sender has not heard the recipient yet). */
  public WireMessage(MessageType type, String senderId, long incarnation, long sequence,
      long sendTimeNanos) {
    this(type, senderId, incarnation, 0, sequence, sendTimeNanos);
  }

  /**
   * Returns {@code id} if it can travel as a sender id.
   *
   * @throws IllegalArgumentException if it is empty or longer than 64 bytes in UTF-8
   */
  public static String checkSenderId(String id) {
    Objects.requireNonNull(id, "senderId");
    int length = id.getBytes(StandardCharsets.UTF_8).length;
    if (length < 1 || length > MAX_SENDER_ID_BYTES) {
      throw new IllegalArgumentException("senderId must be 1 to " + MAX_SENDER_ID_BYTES
          + " bytes of UTF-8, got " + length + ": '" + id + "'");
    }
    return id;
  }
}
