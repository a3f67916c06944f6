package dev.failuredetector.netty;

import dev.failuredetector.MonitoredPeer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Everything a node keeps about one remote peer, in one object: its id (and the id's bytes, to
 * match received messages without decoding them), its address, the way to it ({@link PeerLink}),
 * its incarnation as this node last heard it (echoed in every message to it), the sequence of the
 * messages this node sends it, and its registry handle, through which its heartbeats are recorded.
 * A received message costs one lookup ({@link RemotePeers#find}).
 *
 * <p><b>Learning the peer's incarnation</b> (what this node echoes to it, WIRE-FORMAT.md). Until a
 * message from the peer has been counted with an incarnation, any authentic message teaches it
 * (a fresh start: the peer cannot echo this node yet); once counted, only a counted message may
 * change it: one that echoes this node's own incarnation (proof that it was sent after hearing
 * this life of this node) and that the registry recorded, which for a new incarnation of the peer
 * means its second message, confirming it ({@link
 * dev.failuredetector.HeartbeatOutcome#UNCONFIRMED_INCARNATION}): one forged message of a made-up
 * incarnation changes neither the echo nor the numbering. So a replayed old message cannot turn the echo away from the live peer for good, and
 * two nodes that both restarted still find each other: each learns from the other's first message.
 */
final class RemotePeer {

  final String id;
  final byte[] idBytes;
  final int idHash;
  final InetSocketAddress address;
  /**
   * Its registry handle; null while this node does not observe it (cluster overlay: heartbeats
   * come from the members it observes only). Changed on the event loop.
   */
  volatile MonitoredPeer<String> handle;
  /** Set and used on the node's event loop; volatile for receivers on other loops. */
  volatile PeerLink link;
  /** The peer's incarnation as last heard, echoed to it; 0 until heard. */
  private volatile long heardIncarnation;
  /** Whether a message with {@link #heardIncarnation} was counted (it echoed this node). */
  private volatile boolean confirmed;
  /** Event loop only: the numbering of the messages to this peer. */
  private final OutgoingSequences sequences = new OutgoingSequences();
  /** Event loop only: the number of the last GOSSIP message sent to this peer. */
  private long gossipSent;
  /** Receiving loop: the incarnation and number of the last GOSSIP counted from this peer. */
  private long gossipIncarnation;
  private long gossipReceived;
  /** Event loop only: when this node last told the peer its incarnation unasked (overlay). */
  long echoNudgedAtNanos = Long.MIN_VALUE;

  RemotePeer(String id, InetSocketAddress address, MonitoredPeer<String> handle) {
    this.id = id;
    this.idBytes = id.getBytes(StandardCharsets.UTF_8);
    this.idHash = WireFrame.hashOf(idBytes);
    this.address = address;
    this.handle = handle;
  }

  /** The incarnation to echo to this peer (0: not heard yet). */
  long heardIncarnation() {
    return heardIncarnation;
  }

  /**
   * Event loop only: the sequence number of the next message to this peer, which echoes {@code
   * echo} and is sent in slot {@code slot} of the schedule: +1 per slot, from 1 for each new
   * incarnation of the peer (the numbers restart with the recipient's life, so a receiver can
   * bound how far they may advance), resumed where they stood for a recent one
   * ({@link OutgoingSequences}).
   */
  long nextSequence(long echo, long slot) {
    return sequences.next(echo, slot);
  }

  /**
   * An authentic message from the peer, of {@code incarnation}: learn it as the class comment says.
   * {@code echoesUs}: it echoed this node's current incarnation.
   */
  void heard(long incarnation, boolean echoesUs) {
    if (incarnation == heardIncarnation) {
      return;
    }
    if (!confirmed || echoesUs) {
      heardIncarnation = incarnation;
      confirmed = false;
    }
  }

  /** Event loop only: the number of the next GOSSIP message to this peer (+1 each, from 1). */
  long nextGossipSequence() {
    return ++gossipSent;
  }

  /**
   * A GOSSIP from the peer that echoed this node: whether it is fresh, its number above the last
   * counted of the same incarnation of the sender (a new incarnation starts afresh, unless this
   * node counts heartbeats of another one: then it is a replay or made up).
   */
  synchronized boolean freshGossip(long incarnation, long sequence) {
    if (confirmed && incarnation != heardIncarnation) {
      return false;
    }
    if (incarnation == gossipIncarnation && sequence <= gossipReceived) {
      return false;
    }
    gossipIncarnation = incarnation;
    gossipReceived = sequence;
    return true;
  }

  /** Whether a message of {@code incarnation} was counted: the peer is known to live it. */
  boolean confirmed(long incarnation) {
    return confirmed && incarnation == heardIncarnation;
  }

  /** A message of {@code incarnation} was counted: the peer is known to live it now. */
  void confirm(long incarnation) {
    if (incarnation == heardIncarnation) {
      confirmed = true;
    }
  }
}
