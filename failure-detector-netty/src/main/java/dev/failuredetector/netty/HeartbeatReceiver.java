package dev.failuredetector.netty;

import dev.failuredetector.FailureDetectorRegistry;
import dev.failuredetector.NanoClock;
import dev.failuredetector.TransitionReason;
import io.netty.buffer.ByteBuf;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Turns received messages (a UDP datagram's or a TCP frame's bytes) into registry heartbeats and
 * goodbyes. Every bad message is counted by reason and dropped: nothing is thrown, nothing is
 * logged per message. It reads the buffer but never releases it (the Netty handler does).
 *
 * <p>Not thread-safe: every channel of a node runs on the node's single event loop.
 */
final class HeartbeatReceiver {

  /** What became of a message. */
  enum Outcome {
    /** A new heartbeat or goodbye from a registered peer. */
    ACCEPTED,
    /** Not a valid, authentic message (see {@link WireCodec}). */
    MALFORMED,
    /** Valid and authentic, but replayed or from a peer that is not registered. */
    IGNORED
  }

  private final WireCodec codec;
  private final ReplayGuard replayGuard = new ReplayGuard();
  private final SenderIds senderIds = new SenderIds();
  private final FailureDetectorRegistry<String> registry;
  private final NanoClock clock;
  private final TransportCounters counters;
  private final Function<String, ArrivalRecorder> recorders;
  private final Consumer<String> heard;

  /**
   * @param recorders the arrival recorder of a peer, or null
   * @param heard told the id of each peer a message was accepted from
   */
  HeartbeatReceiver(WireCodec codec, FailureDetectorRegistry<String> registry, NanoClock clock,
      TransportCounters counters, Function<String, ArrivalRecorder> recorders,
      Consumer<String> heard) {
    this.heard = heard;
    this.codec = codec;
    this.registry = registry;
    this.clock = clock;
    this.counters = counters;
    this.recorders = recorders;
  }

  Outcome receive(ByteBuf content) {
    long now = clock.nanoTime();
    if (!codec.parse(content)) {
      counters.drop(codec.lastDropReason());
      return Outcome.MALFORMED;
    }
    String sender = senderIds.find(codec); // a registered peer, found without allocating
    if (sender == null) {
      sender = codec.senderId(); // slow path: a peer being added right now, or a stranger
      if (sender == null) {
        counters.drop(DropReason.BAD_SENDER_ID);
        return Outcome.MALFORMED;
      }
    }
    if (!registry.contains(sender)) {
      counters.drop(DropReason.UNKNOWN_SENDER);
      return Outcome.IGNORED;
    }
    long incarnation = codec.incarnation();
    long sequence = codec.sequence();
    if (!replayGuard.accept(sender, incarnation, sequence)) {
      counters.drop(DropReason.REPLAYED);
      return Outcome.IGNORED;
    }
    counters.accepted.increment();
    heard.accept(sender);
    switch (codec.type()) {
      case HEARTBEAT -> {
        registry.heartbeat(sender, incarnation, sequence, now);
        ArrivalRecorder recorder = recorders.apply(sender);
        if (recorder != null) {
          recorder.record(incarnation, sequence, now);
        }
      }
      case GOODBYE -> registry.markFailed(sender, TransitionReason.LEFT);
      default -> { } // PING and ACK: reserved by the wire format, not used by the transport yet
    }
    return Outcome.ACCEPTED;
  }

  /** Event loop only: a peer was registered. */
  void know(String peerId) {
    senderIds.add(peerId);
  }

  void forget(String peerId) {
    replayGuard.forget(peerId);
    senderIds.remove(peerId);
  }
}
