package dev.failuredetector.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Rumors waiting to be sent, each at most {@code limit} times (memberlist's transmit-limited
 * queue): revivals go first, then the least-sent; a newer rumor about the same thing replaces
 * the older, and the queue holds at most {@code capacity} (when it is full, the last in the send
 * order is dropped: a verdict before a revival, the most-sent first).
 * One thread.
 */
final class RumorQueue {

  /**
   * Revivals first (a live member held failed is traffic sent elsewhere for no reason, and a
   * verdict late by a message is only a detection later), then the least sent, then the newest.
   */
  private static final Comparator<Entry> SEND_ORDER =
      Comparator.comparingInt((Entry e) -> e.rumor.kind() == Rumor.Kind.ALIVE ? 0 : 1)
          .thenComparingInt(e -> e.sent).thenComparingLong(e -> -e.order);

  private static final class Entry {
    final Rumor rumor;
    final long order;
    int sent;

    Entry(Rumor rumor, long order) {
      this.rumor = rumor;
      this.order = order;
    }
  }

  private final int capacity;
  private final List<Entry> entries = new ArrayList<>();
  private long added;
  private long dropped;

  RumorQueue(int capacity) {
    this.capacity = capacity;
  }

  /** Queues a rumor, replacing any it supersedes; ignored if a queued one supersedes it. */
  void add(Rumor rumor) {
    for (int i = entries.size() - 1; i >= 0; i--) {
      Rumor queued = entries.get(i).rumor;
      if (queued.supersedes(rumor)) {
        return;
      }
      if (rumor.supersedes(queued)) {
        entries.remove(i);
      }
    }
    if (entries.size() >= capacity) {
      Entry last = entries.get(0);
      for (Entry e : entries) {
        if (SEND_ORDER.compare(e, last) > 0) {
          last = e;
        }
      }
      entries.remove(last);
      dropped++;
    }
    entries.add(new Entry(rumor, added++));
  }

  /**
   * Moves up to {@code max} rumors, in the send order, into {@code out}, counting a transmission
   * each; a rumor sent {@code limit} times leaves the queue.
   */
  int take(List<Rumor> out, int max, int limit) {
    if (entries.isEmpty() || max <= 0) {
      return 0;
    }
    entries.sort(SEND_ORDER);
    int n = Math.min(max, entries.size());
    for (int i = 0; i < n; i++) {
      Entry e = entries.get(i);
      out.add(e.rumor);
      e.sent++;
    }
    entries.removeIf(e -> e.sent >= limit);
    return n;
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  int size() {
    return entries.size();
  }

  /** Rumors dropped unsent (or sent fewer times than the limit) because the queue was full. */
  long dropped() {
    return dropped;
  }
}
