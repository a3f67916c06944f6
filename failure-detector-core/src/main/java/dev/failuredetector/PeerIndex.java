package dev.failuredetector;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * The registry's map from key to handle: open addressing with linear probing over two parallel
 * arrays, the keys' hash codes and the handles. A lookup reads the key's hash code, then the slot
 * (its hash and handle, side by side in two arrays: two loads that overlap rather than wait for
 * each other), then the handle it returns. A {@code ConcurrentHashMap} reads a table slot, then a
 * node, then the handle: one more dependent load per heartbeat by key, and 32 bytes of node per
 * peer.
 *
 * <p><b>Threads.</b> {@link #get} and {@link #forEach} are for any thread and take no lock; {@link
 * #put} and {@link #remove} for one thread at a time (the registry calls them under its membership
 * lock). A handle is published with a release store after its hash; a reader acquires the handle
 * first, so it never sees one without its hash. Slots are never reused within a table: a removed
 * handle leaves a tombstone until the next rebuild, which copies the live handles into a new table
 * and publishes it whole, so a reader holding the old table reads a consistent (if older) map.
 * Every answer is checked against the handle's own key, so a lookup that races a change returns
 * the handle of the key asked for or null, never another key's.
 *
 * <p>The table keeps at least half its slots empty, so a lookup of an absent key ends at an empty
 * slot after about 2.5 probes on average, and shrinks when removals leave it under an eighth full.
 * Keys with equal hash codes share one run of slots, so a lookup among {@code n} of them reads up
 * to {@code n} handles ({@code ConcurrentHashMap} would make a tree of {@code Comparable} ones):
 * keys are registered by the application, never taken from the network, so only a key type with
 * a poor {@code hashCode} gets there.
 *
 * @param <K> the key type
 */
final class PeerIndex<K> {

  private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Object[].class);
  /** Marks a removed handle's slot: probing goes on past it. */
  private static final Object TOMBSTONE = new Object();
  private static final int MIN_CAPACITY = 16;
  /** Largest table: 2^30 slots, for at most 2^29 keys. */
  private static final int MAX_CAPACITY = 1 << 30;

  private static final class Table {
    final int[] hashes;
    final Object[] handles;
    final int mask;

    Table(int capacity) {
      hashes = new int[capacity];
      handles = new Object[capacity];
      mask = capacity - 1;
    }
  }

  private volatile Table table = new Table(MIN_CAPACITY);
  private volatile int size;
  /** Writer only: slots holding a handle or a tombstone. */
  private int used;

  /** The handle of {@code key}, or null; any thread. */
  @SuppressWarnings("unchecked")
  MonitoredPeer<K> get(K key) {
    int hash = key.hashCode();
    Table current = table;
    Object[] handles = current.handles;
    int mask = current.mask;
    for (int i = slot(hash, mask); ; i = (i + 1) & mask) {
      Object found = SLOTS.getAcquire(handles, i);
      if (found == null) {
        return null;
      }
      if (found != TOMBSTONE && current.hashes[i] == hash) {
        MonitoredPeer<K> peer = (MonitoredPeer<K>) found;
        if (peer.key == key || peer.key.equals(key)) {
          return peer;
        }
      }
    }
  }

  /** Adds the handle of a key that is not in the index; one writer at a time. */
  void put(MonitoredPeer<K> peer) {
    if (2L * (used + 1) > table.handles.length) {
      rebuild(size + 1);
    }
    Table current = table;
    int hash = peer.key.hashCode();
    int i = slot(hash, current.mask);
    while (current.handles[i] != null) {
      i = (i + 1) & current.mask;
    }
    current.hashes[i] = hash;
    SLOTS.setRelease(current.handles, i, peer);
    used++;
    size = size + 1;
  }

  /** Removes and returns the handle of {@code key}, or null; one writer at a time. */
  MonitoredPeer<K> remove(K key) {
    MonitoredPeer<K> peer = get(key);
    if (peer == null) {
      return null;
    }
    Table current = table;
    int i = slot(peer.key.hashCode(), current.mask);
    while (current.handles[i] != peer) {
      i = (i + 1) & current.mask;
    }
    SLOTS.setRelease(current.handles, i, TOMBSTONE);
    size = size - 1;
    if (current.handles.length > MIN_CAPACITY && 8L * size < current.handles.length) {
      rebuild(size); // most peers left: give the memory back (amortized over the removals)
    }
    return peer;
  }

  /** The number of handles; any thread. */
  int size() {
    return size;
  }

  /** Slots in the current table: for tests. */
  int capacity() {
    return table.handles.length;
  }

  /**
   * Calls {@code action} with every handle, in no particular order; any thread. Weakly
   * consistent: handles added or removed meanwhile may be seen or not.
   */
  @SuppressWarnings("unchecked")
  void forEach(Consumer<? super MonitoredPeer<K>> action) {
    Object[] handles = table.handles;
    for (int i = 0; i < handles.length; i++) {
      Object found = SLOTS.getAcquire(handles, i);
      if (found != null && found != TOMBSTONE) {
        action.accept((MonitoredPeer<K>) found);
      }
    }
  }

  /** Copies the live handles into a table with room for {@code expected} at most a quarter full. */
  private void rebuild(int expected) {
    long wanted = Math.max(MIN_CAPACITY, 4L * expected);
    if (wanted > MAX_CAPACITY) {
      wanted = MAX_CAPACITY;
      if (2L * expected > MAX_CAPACITY) {
        throw new IllegalStateException("the peer index holds at most " + MAX_CAPACITY / 2
            + " peers");
      }
    }
    Table next = new Table(Integer.highestOneBit((int) wanted - 1) << 1);
    Table old = table;
    int live = 0;
    for (int j = 0; j < old.handles.length; j++) {
      Object found = old.handles[j];
      if (found != null && found != TOMBSTONE) {
        int hash = old.hashes[j];
        int i = slot(hash, next.mask);
        while (next.handles[i] != null) {
          i = (i + 1) & next.mask;
        }
        next.hashes[i] = hash;
        next.handles[i] = found;
        live++;
      }
    }
    used = live;
    table = next; // the volatile store publishes the filled table whole
  }

  /**
   * The first slot for {@code hash}: Fibonacci hashing, so that keys whose hash codes differ only
   * in their low bits (sequential ids, "peer-1", "peer-2", ...) do not form runs.
   */
  private static int slot(int hash, int mask) {
    int mixed = hash * 0x9E3779B9;
    return (mixed ^ (mixed >>> 16)) & mask;
  }
}
