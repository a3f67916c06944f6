package dev.failuredetector.netty;

import dev.failuredetector.MonitoredPeer;
import dev.failuredetector.cluster.Rumor;
import java.util.ArrayList;
import java.util.List;
import dev.failuredetector.HeartbeatOutcome;
import dev.failuredetector.NanoClock;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * Turns received messages (a UDP datagram's or a TCP frame's bytes) into heartbeats and goodbyes
 * of the sender's {@link dev.failuredetector.MonitoredPeer}: decode, one lookup of the sender,
 * one call on its handle, which checks staleness. Over UDP it also answers PINGs with an ACK
 * (from anyone with the key: the prober need not be a peer) and gives ACKs to the node's
 * {@code udp://} probes ({@link UdpProbes}). Bytes that are not a valid, authentic message
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
    /**
     * Valid and authentic, but stale, not echoing this node, held as an unconfirmed incarnation,
     * or of a type this node does not take.
     */
    IGNORED,
    /** Valid, but from a node that is not a registered peer. */
    STRANGER,
    /** A PING answered, or an ACK that answered an outstanding probe. */
    PROBE
  }

  private final WireCodec codec;
  private final WireFrame frame = new WireFrame();
  private final RemotePeers peers;
  private final NanoClock clock;
  private final TransportCounters counters;
  private final Consumer<RemotePeer> heard;
  private final long localIncarnation;
  private final String localId;
  private final UdpProbes probes;
  private final boolean answerPings;
  private final ClusterOverlay overlay;
  private final List<Rumor> rumors = new ArrayList<>(WireCodec.MAX_RUMORS);

  /**
   * @param localIncarnation this node's incarnation: only messages that echo it are counted
   * @param heard told each peer a fresh message was accepted from
   * @param localId this node's id, the sender of its ACKs
   * @param probes where ACKs go
   * @param answerPings whether PINGs received over UDP are answered
   */
  HeartbeatReceiver(WireCodec codec, RemotePeers peers, NanoClock clock,
      TransportCounters counters, long localIncarnation, Consumer<RemotePeer> heard,
      String localId, UdpProbes probes, boolean answerPings, ClusterOverlay overlay) {
    this.overlay = overlay;
    this.localIncarnation = localIncarnation;
    this.localId = localId;
    this.probes = probes;
    this.answerPings = answerPings;
    this.codec = codec;
    this.peers = peers;
    this.clock = clock;
    this.counters = counters;
    this.heard = heard;
  }

  /** A TCP frame: PINGs and ACKs are not taken over TCP. */
  Outcome receive(ByteBuf content) {
    return receive(content, null, null);
  }

  /**
   * A message; {@code from} and {@code socket} are the datagram's source and the UDP socket to
   * answer a PING on, null for a TCP frame.
   */
  Outcome receive(ByteBuf content, InetSocketAddress from, Channel socket) {
    long now = clock.nanoTime();
    DropReason malformed = codec.decode(content, frame);
    if (malformed != null) {
      counters.drop(malformed);
      return Outcome.MALFORMED;
    }
    if (frame.type() == MessageType.PING || frame.type() == MessageType.ACK) {
      return probeMessage(from, socket);
    }
    RemotePeer sender = peers.find(frame);
    if (sender == null) {
      if (frame.senderId() == null) { // only strangers pay for decoding the id
        counters.drop(DropReason.BAD_SENDER_ID);
        return Outcome.MALFORMED;
      }
      counters.drop(DropReason.UNKNOWN_SENDER);
      return Outcome.STRANGER;
    }
    boolean echoesUs = frame.echoIncarnation() == localIncarnation;
    if (!echoesUs) {
      sender.heard(frame.incarnation(), false);
      if (frame.echoIncarnation() == 0 && !sender.confirmed(frame.incarnation())) {
        // A new life saying hello: it cannot echo us until our messages reach it, so a TCP link
        // waiting out a backoff to it should try now (else it waits up to the backoff's max).
        heard.accept(sender);
      }
      if (overlay != null) {
        // With the overlay nothing else may go back to it (it heartbeats us, we do not heartbeat
        // it): tell it our incarnation, at most once an interval.
        overlay.echoWanted(sender);
      }
      // Sent before it heard this life of this node (a fresh start: it will echo us next), or
      // meant for another node or an earlier life of this one (a replay). It teaches the sender's
      // incarnation at most, and counts for nothing.
      counters.drop(DropReason.UNECHOED);
      return Outcome.IGNORED;
    }
    if (frame.type() == MessageType.GOSSIP) {
      return gossip(sender);
    }
    MonitoredPeer<String> handle = sender.handle;
    if (handle == null) {
      // Not observed here (the overlay): heartbeats of it go to its observers. A moment of
      // differing membership, or a sender that does not run the overlay.
      counters.drop(DropReason.UNOBSERVED);
      return Outcome.IGNORED;
    }
    if (frame.type() == MessageType.GOODBYE && !sender.confirmed(frame.incarnation())) {
      // A goodbye counts only from the life this node has heard heartbeats of: a forged one of a
      // made-up incarnation must not take a live peer down.
      counters.drop(DropReason.UNCONFIRMED_GOODBYE);
      return Outcome.IGNORED;
    }
    HeartbeatOutcome outcome = switch (frame.type()) {
      case HEARTBEAT -> handle.heartbeat(frame.incarnation(), frame.sequence(), now);
      case GOODBYE -> handle.leave(frame.incarnation(), frame.sequence(), now);
      default -> throw new AssertionError(frame.type()); // PING, ACK: dropped above
    };
    if (!outcome.recorded()) {
      return Outcome.IGNORED; // the registry counted it
    }
    sender.heard(frame.incarnation(), true); // fresh, and it echoed us: a proof of this life
    sender.confirm(frame.incarnation());
    counters.accepted.increment();
    heard.accept(sender);
    if (frame.hasClusterSection()) {
      clusterNews(sender); // believed only now that the heartbeat proved fresh
    }
    return Outcome.ACCEPTED;
  }

  /**
   * A GOSSIP that echoes this node: counted if fresh ({@link RemotePeer#freshGossip}), then its
   * rumors go to the overlay. It feeds no detector.
   */
  private Outcome gossip(RemotePeer sender) {
    if (overlay == null) {
      counters.drop(DropReason.UNEXPECTED_TYPE);
      return Outcome.IGNORED;
    }
    if (!sender.freshGossip(frame.incarnation(), frame.sequence())) {
      counters.drop(DropReason.STALE_GOSSIP);
      return Outcome.IGNORED;
    }
    sender.heard(frame.incarnation(), true);
    counters.accepted.increment();
    clusterNews(sender);
    return Outcome.ACCEPTED;
  }

  private void clusterNews(RemotePeer sender) {
    if (overlay == null) {
      return;
    }
    rumors.clear();
    if (!frame.rumors(rumors)) {
      counters.drop(DropReason.BAD_RUMOR); // its heartbeat counted; the news does not
      return;
    }
    overlay.received(sender.id, frame.clusterIncarnation(), frame.viewDigest(), rumors);
  }

  /**
   * An authentic PING or ACK. A PING is answered with an ACK echoing its incarnation and sequence
   * (so only the prober, in that life, can match it), to the address it came from: one datagram
   * of the same size per authentic PING, so no amplification. An ACK goes to the probe of the
   * address it came from if it echoes this node's life.
   */
  private Outcome probeMessage(InetSocketAddress from, Channel socket) {
    if (from == null) {
      counters.drop(DropReason.UNEXPECTED_TYPE); // over TCP: probes are answered over UDP
      return Outcome.IGNORED;
    }
    if (frame.type() == MessageType.PING) {
      if (!answerPings) {
        counters.drop(DropReason.UNEXPECTED_TYPE);
        return Outcome.IGNORED;
      }
      WireMessage ack = new WireMessage(MessageType.ACK, localId, localIncarnation,
          frame.incarnation(), frame.sequence(), frame.sendTimeNanos());
      socket.writeAndFlush(new DatagramPacket(codec.encode(ack, socket.alloc()), from));
      counters.pingsAnswered.increment();
      return Outcome.PROBE;
    }
    if (probes.isEmpty()) {
      counters.drop(DropReason.UNEXPECTED_TYPE);
      return Outcome.IGNORED;
    }
    if (frame.echoIncarnation() != localIncarnation
        || !probes.acknowledged(from, frame.sequence(), frame.incarnation())) {
      counters.drop(frame.echoIncarnation() != localIncarnation ? DropReason.UNECHOED
          : DropReason.UNMATCHED_ACK);
      return Outcome.IGNORED;
    }
    counters.accepted.increment();
    return Outcome.PROBE;
  }
}
