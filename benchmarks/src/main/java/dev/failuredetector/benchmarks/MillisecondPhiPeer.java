package dev.failuredetector.benchmarks;

import dev.failuredetector.FailureDetector;

/**
 * A peer library's phi detector (which works in milliseconds and exposes no deadline) seen
 * through our {@link FailureDetector} interface, so a QoS replay can judge it event by event.
 * Times are converted to whole milliseconds since the first heartbeat, as the peer's own clock
 * would give them; the deadline is the first whole millisecond at which the peer's phi reaches
 * its threshold, found by bisection (phi never decreases between heartbeats).
 */
abstract class MillisecondPhiPeer implements FailureDetector {

  private static final long NANOS_PER_MILLI = 1_000_000L;
  private static final long SEARCH_LIMIT_MILLIS = 86_400_000L; // a day: "never" for a replay

  private long originNanos;
  private boolean started;
  private long lastMillis;

  /** Records a heartbeat at {@code millis} on the peer. */
  abstract void peerHeartbeat(long millis);

  /** The peer's phi at {@code millis}. */
  abstract double peerPhi(long millis);

  abstract double threshold();

  @Override
  public void heartbeat() {
    throw new UnsupportedOperationException("replays pass explicit times");
  }

  @Override
  public void heartbeat(long nowNanos) {
    if (!started) {
      originNanos = nowNanos;
      started = true;
    }
    lastMillis = Math.floorDiv(nowNanos - originNanos, NANOS_PER_MILLI);
    peerHeartbeat(lastMillis);
  }

  @Override
  public boolean isAvailable() {
    throw new UnsupportedOperationException("replays pass explicit times");
  }

  @Override
  public boolean isAvailable(long nowNanos) {
    return !started || peerPhi(Math.floorDiv(nowNanos - originNanos, NANOS_PER_MILLI)) < threshold();
  }

  @Override
  public boolean isMonitoring() {
    return started;
  }

  @Override
  public long suspectAtNanos() {
    if (!started) {
      return NO_DEADLINE;
    }
    if (peerPhi(lastMillis) >= threshold()) {
      return originNanos + lastMillis * NANOS_PER_MILLI; // suspected at the heartbeat itself
    }
    long low = lastMillis; // phi(low) < threshold
    long high = lastMillis + SEARCH_LIMIT_MILLIS;
    while (high - low > 1) {
      long middle = low + (high - low) / 2;
      if (peerPhi(middle) >= threshold()) {
        high = middle;
      } else {
        low = middle;
      }
    }
    return originNanos + high * NANOS_PER_MILLI;
  }

  @Override
  public long timeoutNanos() {
    return started ? suspectAtNanos() - lastHeartbeatNanos() : 0;
  }

  @Override
  public long lastHeartbeatNanos() {
    return started ? originNanos + lastMillis * NANOS_PER_MILLI : NO_DEADLINE;
  }
}
