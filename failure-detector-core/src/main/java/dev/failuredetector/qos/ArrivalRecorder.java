package dev.failuredetector.qos;

import dev.failuredetector.ArrivalObserver;

/**
 * The last {@code capacity} heartbeat arrivals of one peer (sequence number and arrival time), in
 * a ring: recording is two array stores, no allocation and no I/O on the event loop. A snapshot
 * becomes a {@link HeartbeatTrace} for the {@code tune} command. Thread-safe: the receiving event
 * loop records, any thread snapshots (under the same monitor, held for a copy of the arrays).
 */
final class ArrivalRecorder implements ArrivalObserver {

  private final long[] sequences;
  private final long[] arrivals;
  private int next;
  private int size;
  private long incarnation;

  private final ArrivalRecording owner;
  private final Object key;

  ArrivalRecorder(int capacity, ArrivalRecording owner, Object key) {
    this.owner = owner;
    this.key = key;
    this.sequences = new long[capacity];
    this.arrivals = new long[capacity];
  }

  /**
   * Records an arrival. A new incarnation (the peer restarted and numbers afresh) starts a new
   * recording: one trace describes one run of the sender.
   */
  @Override
  public synchronized void arrived(long incarnation, long sequence, long arrivalNanos) {
    if (size > 0 && incarnation != this.incarnation) {
      next = 0;
      size = 0;
    }
    this.incarnation = incarnation;
    if (size > 0) {
      int last = next == 0 ? sequences.length - 1 : next - 1;
      if (sequence <= sequences[last]) {
        return; // cannot happen after the peer's staleness check; keeps the trace valid regardless
      }
    }
    sequences[next] = sequence;
    arrivals[next] = arrivalNanos;
    next = next + 1 == sequences.length ? 0 : next + 1;
    if (size < sequences.length) {
      size++;
    }
  }

  @Override
  public void removed() {
    owner.forget(key, this);
  }

  /** The recorded arrivals, oldest first, or null if none. */
  synchronized HeartbeatTrace snapshot() {
    if (size == 0) {
      return null;
    }
    long[] seq = new long[size];
    long[] at = new long[size];
    int first = size < sequences.length ? 0 : next;
    for (int i = 0; i < size; i++) {
      int slot = (first + i) % sequences.length;
      seq[i] = sequences[slot];
      at[i] = arrivals[slot];
    }
    return HeartbeatTrace.ofArrivals(seq, at);
  }
}
