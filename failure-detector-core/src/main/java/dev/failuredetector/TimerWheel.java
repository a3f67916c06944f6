package dev.failuredetector;

/**
 * A hashed timing wheel of peers to look at again at a given time (Varghese and Lauck 1987), owned
 * by one thread. Each peer is in at most one bucket, linked through its own fields, so scheduling,
 * cancelling and expiring allocate nothing and cost O(1); a tick with nothing due visits one empty
 * bucket, whatever the number of peers.
 *
 * <p>Times are rounded up to the next tick, so a peer is handed back at most one tick after its
 * time, never before. Times further ahead than the wheel's span stay in their bucket for more
 * turns.
 */
final class TimerWheel {

  /** Receives the peers whose time has come. */
  interface Expiry {
    void expired(MonitoredPeer<?> peer, long nowNanos);
  }

  private final MonitoredPeer<?>[] buckets;
  private final int mask;
  private final long tickNanos;
  private final long originNanos;
  private long processedTick;

  TimerWheel(int bucketCount, long tickNanos, long originNanos) {
    if (Integer.bitCount(bucketCount) != 1) {
      throw new IllegalArgumentException("bucketCount must be a power of two, got " + bucketCount);
    }
    this.buckets = new MonitoredPeer<?>[bucketCount];
    this.mask = bucketCount - 1;
    this.tickNanos = tickNanos;
    this.originNanos = originNanos;
    this.processedTick = 0;
  }

  /** Schedules (or moves) {@code peer} to be handed back at {@code atNanos} or up to a tick later. */
  <K> void schedule(MonitoredPeer<K> peer, long atNanos) {
    cancel(peer);
    long elapsed = atNanos - originNanos;
    long tick = elapsed <= 0 ? 0 : (elapsed + tickNanos - 1) / tickNanos;
    if (tick <= processedTick) {
      tick = processedTick + 1; // due now: the next tick hands it back
    }
    int bucket = (int) (tick & mask);
    @SuppressWarnings("unchecked")
    MonitoredPeer<K> head = (MonitoredPeer<K>) buckets[bucket];
    peer.wheelTick = tick;
    peer.wheelBucket = bucket;
    peer.wheelPrev = null;
    peer.wheelNext = head;
    if (head != null) {
      head.wheelPrev = peer;
    }
    buckets[bucket] = peer;
    peer.scheduledAtNanos = originNanos + tick * tickNanos;
    peer.scheduled = true;
  }

  /** Removes {@code peer} from the wheel if it is scheduled. */
  <K> void cancel(MonitoredPeer<K> peer) {
    int bucket = peer.wheelBucket;
    if (bucket < 0) {
      return;
    }
    MonitoredPeer<K> next = peer.wheelNext;
    MonitoredPeer<K> prev = peer.wheelPrev;
    if (prev == null) {
      buckets[bucket] = next;
    } else {
      prev.wheelNext = next;
    }
    if (next != null) {
      next.wheelPrev = prev;
    }
    peer.wheelNext = null;
    peer.wheelPrev = null;
    peer.wheelBucket = -1;
    peer.scheduled = false;
  }

  /**
   * Hands every peer whose time is at or before {@code nowNanos} to {@code expiry}, after taking it
   * out of the wheel (so the handler may schedule it again).
   */
  void expire(long nowNanos, Expiry expiry) {
    long elapsed = nowNanos - originNanos;
    long nowTick = elapsed < 0 ? 0 : elapsed / tickNanos;
    if (nowTick <= processedTick) {
      return;
    }
    long first = processedTick + 1;
    // After a long stall visit each bucket once, not once per missed tick.
    long last = Math.min(nowTick, first + mask);
    processedTick = nowTick;
    for (long tick = first; tick <= last; tick++) {
      MonitoredPeer<?> peer = buckets[(int) (tick & mask)];
      while (peer != null) {
        MonitoredPeer<?> next = peer.wheelNext;
        if (peer.wheelTick <= nowTick) {
          cancel(peer);
          expiry.expired(peer, nowNanos);
        }
        peer = next;
      }
    }
  }
}
