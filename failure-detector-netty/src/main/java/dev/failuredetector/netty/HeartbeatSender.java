package dev.failuredetector.netty;

import dev.failuredetector.cluster.Rumor;
import dev.failuredetector.NanoClock;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sends a node's messages: a HEARTBEAT to every remote peer each round, on the {@link
 * SendSchedule}, and a GOODBYE to each when the node closes. Every message to a peer echoes that
 * peer's incarnation as last heard and carries the peer's own next sequence number ({@link
 * RemotePeer#nextSequence}): +1 per slot of the schedule, so a receiver sees consecutive numbers
 * however many peers the node has, and a slot the node missed (a pause) as a gap, which
 * sequence-based detectors read as a loss. Event loop only.
 */
final class HeartbeatSender {

  private final String localId;
  private final long incarnation;
  private final WireCodec codec;
  private final RemotePeers peers;
  private final ByteBufAllocator allocator;
  private final EventLoop eventLoop;
  private final SendSchedule schedule;
  private final TransportCounters counters;
  private final NanoClock clock;
  private final ClusterOverlay overlay;
  private boolean stopped;

  HeartbeatSender(String localId, long incarnation, WireCodec codec, RemotePeers peers,
      ByteBufAllocator allocator, EventLoop eventLoop, SendSchedule schedule,
      TransportCounters counters, NanoClock clock, ClusterOverlay overlay) {
    this.overlay = overlay;
    this.localId = localId;
    this.incarnation = incarnation;
    this.codec = codec;
    this.peers = peers;
    this.allocator = allocator;
    this.eventLoop = eventLoop;
    this.schedule = schedule;
    this.counters = counters;
    this.clock = clock;
  }

  /** Event loop: sends a round now and schedules the next. */
  void round() {
    if (stopped) {
      return;
    }
    sendToAll(MessageType.HEARTBEAT, schedule.currentSlot(clock.nanoTime()), null);
    eventLoop.schedule(this::round, schedule.nextDelayNanos(clock.nanoTime()),
        TimeUnit.NANOSECONDS);
  }

  /**
   * Event loop: stops the rounds (no heartbeat can follow, which would make the peers take the
   * node back) and sends GOODBYE to every peer, adding each write's future to {@code writes}.
   */
  void stopWithGoodbye(List<ChannelFuture> writes) {
    stopped = true;
    sendToAll(MessageType.GOODBYE, schedule.currentSlot(clock.nanoTime()), writes);
  }

  /**
   * Event loop: a GOSSIP message to {@code peer} (cluster rumors, numbered on a sequence of their
   * own so they leave the heartbeats' numbering, which detectors read, alone).
   */
  void sendGossip(RemotePeer peer, long clusterIncarnation, long viewDigest, List<Rumor> rumors) {
    PeerLink link = peer.link;
    if (link == null || stopped) {
      return;
    }
    WireMessage message = new WireMessage(MessageType.GOSSIP, localId, incarnation,
        peer.heardIncarnation(), peer.nextGossipSequence(), clock.nanoTime());
    if (link.send(codec.encode(message, clusterIncarnation, viewDigest, rumors, allocator)) != null) {
      counters.sent.increment();
      counters.gossipSent.increment();
    }
  }

  /** Rounds skipped because the event loop ran more than an interval late. */
  long skippedRounds() {
    return schedule.skippedSlots();
  }

  private void sendToAll(MessageType type, long slot, List<ChannelFuture> writes) {
    for (RemotePeer peer : peers.all()) {
      PeerLink link = peer.link;
      if (link == null) {
        continue; // added a moment ago: its link opens on this loop next
      }
      if (overlay != null && !overlay.heartbeatsTo(peer.id)) {
        continue; // the overlay: only the members that observe this node hear its heartbeats
      }
      long echo = peer.heardIncarnation();
      WireMessage message = new WireMessage(type, localId, incarnation, echo,
          peer.nextSequence(echo, slot), clock.nanoTime());
      ChannelFuture write = link.send(overlay != null && type == MessageType.HEARTBEAT
          ? codec.encode(message, overlay.incarnation(), overlay.viewDigest(),
              overlay.rumorsFor(peer.id), allocator)
          : codec.encode(message, allocator)); // owns the buffer
      if (write != null) {
        counters.sent.increment();
        if (writes != null) {
          writes.add(write);
        }
      }
    }
  }
}
