package dev.failuredetector.netty;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A node's remote peers, by id and by the bytes of their id. Lookups ({@link #find}, {@link #get})
 * take no lock and allocate nothing, from any thread; changes (rare) are serialised and rebuild an
 * open-addressing table that readers see whole (copy on write), so a receive path on any event
 * loop finds the sender of a message in one probe sequence.
 */
final class RemotePeers {

  /** An immutable open-addressing table from id bytes to peers. */
  private static final class Table {
    static final Table EMPTY = new Table(16);
    final RemotePeer[] slots;
    final int mask;

    Table(int capacity) {
      this.slots = new RemotePeer[capacity];
      this.mask = capacity - 1;
    }
  }

  private final ConcurrentHashMap<String, RemotePeer> byId = new ConcurrentHashMap<>();
  private volatile Table table = Table.EMPTY;

  /** Adds {@code peer} unless its id is known; returns the peer now known by that id. */
  synchronized RemotePeer add(RemotePeer peer) {
    RemotePeer existing = byId.putIfAbsent(peer.id, peer);
    if (existing != null) {
      return existing;
    }
    rebuild();
    return peer;
  }

  /** Removes the peer with this id; returns it, or null. */
  synchronized RemotePeer remove(String id) {
    RemotePeer removed = byId.remove(id);
    if (removed != null) {
      rebuild();
    }
    return removed;
  }

  RemotePeer get(String id) {
    return byId.get(id);
  }

  Collection<RemotePeer> all() {
    return byId.values();
  }

  /** The peer that sent the message in {@code frame}, or null for a stranger. */
  RemotePeer find(WireFrame frame) {
    Table current = table;
    int hash = frame.senderIdHash();
    for (int slot = mix(hash) & current.mask; ; slot = (slot + 1) & current.mask) {
      RemotePeer peer = current.slots[slot];
      if (peer == null) {
        return null;
      }
      if (peer.idHash == hash && frame.senderIdEquals(peer.idBytes)) {
        return peer;
      }
    }
  }

  private void rebuild() {
    int capacity = 16;
    while (capacity < byId.size() * 2) {
      capacity <<= 1;
    }
    Table next = new Table(capacity);
    for (RemotePeer peer : byId.values()) {
      int slot = mix(peer.idHash) & next.mask;
      while (next.slots[slot] != null) {
        slot = (slot + 1) & next.mask;
      }
      next.slots[slot] = peer;
    }
    table = next; // published whole: readers see the old table or this one
  }

  private static int mix(int hash) {
    return hash ^ (hash >>> 16);
  }
}
