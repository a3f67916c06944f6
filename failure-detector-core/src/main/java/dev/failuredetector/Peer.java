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
  private static final VarHandle MEAN;
  private static final VarHandle VARIANCE;
  private static final VarHandle HEARTBEATS;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      WRITING = lookup.findVarHandle(Peer.class, "writing", int.class);
      QUEUED = lookup.findVarHandle(Peer.class, "queued", int.class);
      MEAN = lookup.findVarHandle(Peer.class, "meanIntervalNanos", double.class);
      VARIANCE = lookup.findVarHandle(Peer.class, "intervalVarianceNanos2", double.class);
      HEARTBEATS = lookup.findVarHandle(Peer.class, "heartbeats", long.class);
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

  // Heartbeat writer guard and the writer's statistics. The statistics are published with opaque
  // stores: readers (snapshots, metrics) need them eventually, not ordered, and a volatile store
  // would cost a full fence per heartbeat.
  @SuppressWarnings("unused") // through WRITING
  private volatile int writing;
  private long lastArrivalNanos;
  private boolean heardOnce;
  private long intervals;
  private double meanIntervalNanos;
  private double intervalVarianceNanos2;
  private long heartbeats;

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

  /**
   * Releases the writer guard with a full fence: what the writer recorded (the detector's new
   * deadline) is visible to every thread before anything this thread reads next (the state).
   */
  void endHeartbeatWithFence() {
    WRITING.getAndSet(this, 0);
  }

  /** Releases the writer guard (release ordering only). */
  void endHeartbeat() {
    WRITING.setRelease(this, 0);
  }

  /** Writer only (guard held): counts the heartbeat and updates the interval statistics. */
  void recordArrival(long nowNanos) {
    HEARTBEATS.setOpaque(this, heartbeats + 1);
    if (heardOnce) {
      double interval = (double) (nowNanos - lastArrivalNanos);
      if (interval >= 0) {
        if (intervals++ == 0) {
          MEAN.setOpaque(this, interval);
        } else {
          double diff = interval - meanIntervalNanos;
          double mean = meanIntervalNanos + INTERVAL_WEIGHT * diff;
          double variance = (1 - INTERVAL_WEIGHT)
              * (intervalVarianceNanos2 + INTERVAL_WEIGHT * diff * diff);
          MEAN.setOpaque(this, mean);
          VARIANCE.setOpaque(this, variance);
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
    MEAN.setOpaque(this, 0.0);
    VARIANCE.setOpaque(this, 0.0);
  }

  double meanIntervalNanos() {
    return (double) MEAN.getOpaque(this);
  }

  double intervalStdDeviationNanos() {
    return Math.sqrt((double) VARIANCE.getOpaque(this));
  }

  /** Heartbeats recorded for this peer. */
  long heartbeats() {
    return (long) HEARTBEATS.getOpaque(this);
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
