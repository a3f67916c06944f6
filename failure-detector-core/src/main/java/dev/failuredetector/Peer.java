package dev.failuredetector;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One monitored peer of a {@link FailureDetectorRegistry}: its detector, its state, and the
 * registry's bookkeeping for it.
 *
 * <p>Who touches what:
 * <ul>
 *   <li>the heartbeat path takes the writer guard ({@link #tryBeginHeartbeat()}, a non-blocking
 *       try; a concurrent second writer gives up), records into the detector and the interval
 *       statistics, and reads {@link #state};
 *   <li>state changes happen only while holding this object's monitor (rare: a transition), and
 *       publish {@link #state} last, so lock-free readers see the reason and time with it;
 *   <li>the {@code wheel*} fields belong to the registry's timer thread alone.
 * </ul>
 */
final class Peer<K> {

  private static final VarHandle WRITING;
  private static final VarHandle QUEUED;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      WRITING = lookup.findVarHandle(Peer.class, "writing", int.class);
      QUEUED = lookup.findVarHandle(Peer.class, "queued", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Exponential weight of a new interval in the mean and variance. */
  private static final double INTERVAL_WEIGHT = 1.0 / 16;

  final K key;
  volatile FailureDetector detector;

  // State, changed under the monitor; `state` is written last.
  volatile PeerState state = PeerState.UNKNOWN;
  volatile TransitionReason reason = TransitionReason.REGISTERED;
  volatile long stateSinceNanos;
  volatile long incarnation = Long.MIN_VALUE;
  volatile boolean removed;

  // Heartbeat writer guard and the writer's interval statistics (published opaque).
  @SuppressWarnings("unused") // through WRITING
  private volatile int writing;
  private long lastArrivalNanos;
  private boolean heardOnce;
  private long intervals;
  private volatile double meanIntervalNanos;
  private volatile double intervalVarianceNanos2;

  /** Set while the peer waits in the registry's request queue (timer re-evaluation). */
  @SuppressWarnings("unused") // through QUEUED
  private volatile int queued;
  /** When the timer will next look at this peer; read by the heartbeat path. */
  volatile long scheduledAtNanos;
  volatile boolean scheduled;

  // Timer thread only: intrusive links of the timing wheel.
  Peer<K> wheelNext;
  Peer<K> wheelPrev;
  int wheelBucket = -1;
  long wheelTick;

  Peer(K key, FailureDetector detector, long nowNanos) {
    this.key = key;
    this.detector = detector;
    this.stateSinceNanos = nowNanos;
  }

  /** Takes the heartbeat writer guard; false if another thread is recording a heartbeat now. */
  boolean tryBeginHeartbeat() {
    return WRITING.compareAndSet(this, 0, 1);
  }

  void endHeartbeat() {
    WRITING.setRelease(this, 0);
  }

  /** Writer only (guard held): updates the interval statistics with an arrival. */
  void recordArrival(long nowNanos) {
    if (heardOnce) {
      double interval = (double) (nowNanos - lastArrivalNanos);
      if (interval >= 0) {
        if (intervals++ == 0) {
          meanIntervalNanos = interval;
        } else {
          double diff = interval - meanIntervalNanos;
          double mean = meanIntervalNanos + INTERVAL_WEIGHT * diff;
          double variance = (1 - INTERVAL_WEIGHT)
              * (intervalVarianceNanos2 + INTERVAL_WEIGHT * diff * diff);
          meanIntervalNanos = mean;
          intervalVarianceNanos2 = variance;
        }
      }
    }
    heardOnce = true;
    lastArrivalNanos = nowNanos;
  }

  /** Writer only: forgets the interval statistics (a restart). */
  void resetIntervals() {
    heardOnce = false;
    intervals = 0;
    meanIntervalNanos = 0;
    intervalVarianceNanos2 = 0;
  }

  double meanIntervalNanos() {
    return meanIntervalNanos;
  }

  double intervalStdDeviationNanos() {
    return Math.sqrt(intervalVarianceNanos2);
  }

  /** Marks the peer as waiting for the timer; false if it already was. */
  boolean tryMarkQueued() {
    return QUEUED.compareAndSet(this, 0, 1);
  }

  void clearQueued() {
    QUEUED.setVolatile(this, 0);
  }

  /** Changes state; caller holds the monitor. */
  void setState(PeerState newState, TransitionReason newReason, long nowNanos) {
    reason = newReason;
    stateSinceNanos = nowNanos;
    state = newState;
  }
}
