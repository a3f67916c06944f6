package dev.failuredetector.netty;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The registered peers' ids by their UTF-8 bytes, so that a received message's sender is found
 * without decoding it into a new String (the receive path then allocates nothing of its own).
 * Open addressing with linear probing; rebuilt on removal, which is rare. A cache: a miss is
 * answered by the slow path, so an id added on another thread a moment ago is still found.
 *
 * <p>Not thread-safe: the node's event loop only.
 */
final class SenderIds {

  private final Map<String, byte[]> members = new LinkedHashMap<>();
  private byte[][] keys = new byte[16][];
  private String[] ids = new String[16];
  private int[] hashes = new int[16];

  void add(String id) {
    if (members.containsKey(id)) {
      return;
    }
    byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
    members.put(id, utf8);
    if (members.size() * 2 > keys.length) {
      rebuild(keys.length * 2);
    } else {
      insert(id, utf8);
    }
  }

  void remove(String id) {
    if (members.remove(id) != null) {
      rebuild(keys.length);
    }
  }

  /** The registered id the codec's last parsed message came from, or null. */
  String find(WireCodec codec) {
    int hash = codec.senderIdHash();
    int mask = keys.length - 1;
    for (int slot = mix(hash) & mask; keys[slot] != null; slot = (slot + 1) & mask) {
      if (hashes[slot] == hash && codec.senderIdEquals(keys[slot])) {
        return ids[slot];
      }
    }
    return null;
  }

  private void rebuild(int capacity) {
    keys = new byte[capacity][];
    ids = new String[capacity];
    hashes = new int[capacity];
    members.forEach(this::insert);
  }

  private void insert(String id, byte[] utf8) {
    int hash = WireCodec.hashOf(utf8);
    int mask = keys.length - 1;
    int slot = mix(hash) & mask;
    while (keys[slot] != null) {
      slot = (slot + 1) & mask;
    }
    keys[slot] = utf8;
    ids[slot] = id;
    hashes[slot] = hash;
  }

  private static int mix(int hash) {
    return hash ^ (hash >>> 16);
  }
}
