package dev.failuredetector.netty;

import dev.failuredetector.HeartbeatOutcome;
import dev.failuredetector.NanoClock;
import io.netty.buffer.ByteBuf;
import java.util.function.Consumer;

/**
 * Turns received messages (a UDP datagram's or a TCP frame's bytes) into heartbeats and goodbyes
 * of the sender's {@link dev.failuredetector.MonitoredPeer}: decode, one lookup of the sender,
 * one call on its handle, which checks staleness. Bytes that are not a valid, authentic message
 * from a known peer are counted by reason and dropped; stale messages are counted by the registry
 * ({@link dev.failuredetector.RegistryStats}). Nothing is thrown, nothing is logged per message.
 * It reads the buffer but never releases it (the Netty handler does).
 *
 * <p>Not thread-safe (its codec and frame are scratch space): one per thread or per channel.
 */
final class HeartbeatReceiver {

  /** What became of a message. */
  enum Outcome {
    /** A fresh heartbeat or goodbye from a registered peer. */
    ACCEPTED,
    /** Not a valid, authentic message (see {@link WireCodec}). */
    MALFORMED,
    /** Valid and authentic, but stale or from a peer that is not registered. */
    IGNORED
  }

  private final WireCodec codec;
  private final WireFrame frame = new WireFrame();
  private final RemotePeers peers;
  private final NanoClock clock;
  private final TransportCounters counters;
  private final Consumer<RemotePeer> heard;

  /** @param heard told each peer a fresh message was accepted from */
  HeartbeatReceiver(WireCodec codec, RemotePeers peers, NanoClock clock,
      TransportCounters counters, Consumer<RemotePeer> heard) {
    this.codec = codec;
    this.peers = peers;
    this.clock = clock;
    this.counters = counters;
    this.heard = heard;
  }

  Outcome receive(ByteBuf content) {
    long now = clock.nanoTime();
    DropReason malformed = codec.decode(content, frame);
    if (malformed != null) {
      counters.drop(malformed);
      return Outcome.MALFORMED;
    }
    RemotePeer sender = peers.find(frame);
    if (sender == null) {
      if (frame.senderId() == null) { // only strangers pay for decoding the id
        counters.drop(DropReason.BAD_SENDER_ID);
        return Outcome.MALFORMED;
      }
      counters.drop(DropReason.UNKNOWN_SENDER);
      return Outcome.IGNORED;
    }
    HeartbeatOutcome outcome = switch (frame.type()) {
      case HEARTBEAT -> sender.handle.heartbeat(frame.incarnation(), frame.sequence(), now);
      case GOODBYE -> sender.handle.leave(frame.incarnation(), frame.sequence(), now);
      default -> HeartbeatOutcome.RECORDED; // PING, ACK: reserved by the format, unused yet
    };
    if (!outcome.recorded()) {
      return Outcome.IGNORED; // the registry counted it
    }
    counters.accepted.increment();
    heard.accept(sender);
    return Outcome.ACCEPTED;
  }
}
