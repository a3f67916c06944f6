package dev.failuredetector;

/**
 * Monitors one peer from the heartbeats it sends and says whether it is still believed alive.
 *
 * <p><b>Time.</b> Every time is a {@code long} of nanoseconds from the detector's {@link NanoClock};
 * methods without a time argument read that clock. Times are compared by subtraction, so the
 * clock's origin does not matter.
 *
 * <p><b>Thread safety.</b> One thread at a time records heartbeats (the single-writer contract:
 * calls to the {@code heartbeat} methods must not overlap, for example because they all run on one
 * event loop, or the caller serialises them). Any number of threads may query at the same time as
 * the writer. Queries see a consistent snapshot of the last completed heartbeat, take no lock,
 * allocate nothing and never throw.
 *
 * <p><b>Stale heartbeats.</b> A heartbeat whose time is earlier than the last recorded heartbeat
 * (a clock that stepped back, or out-of-order calls) is ignored: the last arrival never moves
 * backwards. Two heartbeats with the same time are both recorded (an interval of zero).
 *
 * <p><b>Before the first heartbeat</b> the peer is not monitored: it is reported available,
 * {@link #suspectAtNanos()} returns {@link #NO_DEADLINE}, and {@link #timeoutNanos()} returns the
 * timeout that will apply after the first heartbeat.
 */
public interface FailureDetector {

  /**
   * Returned by {@link #suspectAtNanos()} while nothing has been heard: there is no deadline. It is
   * a marker to test for with {@code ==}, not a time to compare against.
   */
  long NO_DEADLINE = Long.MAX_VALUE;

  /** Records a heartbeat arriving now (reads the clock). Writer thread only. */
  void heartbeat();

  /** Records a heartbeat that arrived at {@code nowNanos}. Writer thread only. */
  void heartbeat(long nowNanos);

  /**
   * Records heartbeat number {@code sequence} (as numbered by the sender, increasing by one per
   * heartbeat sent) that arrived at {@code nowNanos}. Detectors that estimate arrivals from
   * sequence numbers ({@link ChenFailureDetector} and its relatives) use it so that a lost heartbeat
   * does not skew their estimate, and ignore a sequence number not above the last one seen; the
   * others ignore the number and behave as {@link #heartbeat(long)}. Writer thread only.
   */
  default void heartbeat(long sequence, long nowNanos) {
    heartbeat(nowNanos);
  }

  /** Returns whether the peer is believed alive now (reads the clock). */
  boolean isAvailable();

  /**
   * Returns whether the peer is believed alive at {@code nowNanos}: true before the first
   * heartbeat, otherwise exactly when {@code nowNanos - suspectAtNanos() < 0}.
   */
  boolean isAvailable(long nowNanos);

  /** Returns whether at least one heartbeat has been recorded. */
  boolean isMonitoring();

  /**
   * Returns the time at which the peer will stop being available if no further heartbeat arrives:
   * the last heartbeat's time plus the current adaptive timeout. Returns {@link #NO_DEADLINE}
   * before the first heartbeat.
   */
  long suspectAtNanos();

  /**
   * Returns the current adaptive timeout in nanoseconds: how long after the last heartbeat the
   * peer becomes suspected. Never negative. Before the first heartbeat, the timeout the detector
   * will start with.
   */
  long timeoutNanos();

  /**
   * Returns the time of the last recorded heartbeat, or {@link #NO_DEADLINE} before the first
   * one.
   */
  long lastHeartbeatNanos();
}
