package dev.failuredetector.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Rumors addressed to particular members (an accusation to the subject and its other observers, a
 * refutation to the refuter's observers), each sent {@code sends} times at most once per period:
 * on whatever message goes to the member first (a heartbeat), else on a message of its own when
 * due. One thread.
 */
final class DirectRumors {

  private static final class Entry {
    final Rumor rumor;
    int remaining;
    long dueNanos;

    Entry(Rumor rumor, int remaining, long dueNanos) {
      this.rumor = rumor;
      this.remaining = remaining;
      this.dueNanos = dueNanos;
    }
  }

  private final Map<Integer, List<Entry>> byDestination = new HashMap<>();
  private final long periodNanos;

  DirectRumors(long periodNanos) {
    this.periodNanos = periodNanos;
  }

  /** Queues {@code rumor} for {@code destination}, replacing one it supersedes. */
  void add(int destination, Rumor rumor, int sends, long nowNanos) {
    List<Entry> entries = byDestination.computeIfAbsent(destination, d -> new ArrayList<>(2));
    entries.removeIf(e -> rumor.supersedes(e.rumor));
    entries.add(new Entry(rumor, sends, nowNanos));
  }

  /** Adds the destinations with a rumor due by {@code nowNanos} to {@code out}. */
  void due(long nowNanos, List<Integer> out) {
    for (Map.Entry<Integer, List<Entry>> e : byDestination.entrySet()) {
      for (Entry entry : e.getValue()) {
        if (nowNanos - entry.dueNanos >= 0) {
          out.add(e.getKey());
          break;
        }
      }
    }
  }

  /**
   * Moves up to {@code max} rumors for {@code destination} into {@code out} (due or not: the
   * message goes anyway), counting a send each.
   */
  int take(int destination, List<Rumor> out, int max, long nowNanos) {
    List<Entry> entries = byDestination.get(destination);
    if (entries == null) {
      return 0;
    }
    int n = 0;
    for (Iterator<Entry> it = entries.iterator(); it.hasNext() && n < max; ) {
      Entry e = it.next();
      out.add(e.rumor);
      n++;
      e.dueNanos = nowNanos + periodNanos;
      if (--e.remaining == 0) {
        it.remove();
      }
    }
    if (entries.isEmpty()) {
      byDestination.remove(destination);
    }
    return n;
  }

  boolean isEmpty() {
    return byDestination.isEmpty();
  }

  /** Rumors waiting, over all destinations. */
  int size() {
    int n = 0;
    for (List<Entry> entries : byDestination.values()) {
      n += entries.size();
    }
    return n;
  }
}
