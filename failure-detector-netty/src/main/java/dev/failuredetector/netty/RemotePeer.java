package dev.failuredetector.netty;

import dev.failuredetector.MonitoredPeer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Everything a node keeps about one remote peer, in one object: its id (and the id's bytes, to
 * match received messages without decoding them), its address, the way to it ({@link PeerLink}),
 * the sequence of the messages this node sends it, and its registry handle, through which its
 * heartbeats are recorded. A received message costs one lookup ({@link RemotePeers#find}).
 */
final class RemotePeer {

  final String id;
  final byte[] idBytes;
  final int idHash;
  final InetSocketAddress address;
  final MonitoredPeer<String> handle;
  /** Set and used on the node's event loop; volatile for receivers on other loops. */
  volatile PeerLink link;
  /** Event loop only: the sequence number of the last message sent to this peer. */
  private long sentSequence;

  RemotePeer(String id, InetSocketAddress address, MonitoredPeer<String> handle) {
    this.id = id;
    this.idBytes = id.getBytes(StandardCharsets.UTF_8);
    this.idHash = WireFrame.hashOf(idBytes);
    this.address = address;
    this.handle = handle;
  }

  /** Event loop only: the sequence number of the next message to this peer (+1 each). */
  long nextSequence() {
    return ++sentSequence;
  }
}
