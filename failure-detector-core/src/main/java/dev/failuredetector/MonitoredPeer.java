package dev.failuredetector;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * One peer monitored by a {@link FailureDetectorRegistry}, as returned by {@link
 * FailureDetectorRegistry#register}: keep it and record the peer's heartbeats through it, with no
 * lookup by key. It holds the peer's detector, state and staleness check; each of its methods
 * says what became of the message ({@link HeartbeatOutcome}) and the registry counts it.
 *
 * <p><b>Staleness is checked here, once</b> ({@code SequenceGuard}). A message with a sequence
 * number not above the last one of its incarnation is dropped, as is one whose number runs further
 * ahead than the sender could have got since its last message (4 + 2 per heartbeat interval).
 * Incarnations are compared for equality only: a different one is a restart (a fresh detector,
 * {@link TransitionReason#RESTARTED}) and numbers from 1, but the last few are remembered, so a
 * recording of an earlier life is stale rather than a restart back to it. A different incarnation
 * is a restart only once confirmed: its first message is held ({@link
 * HeartbeatOutcome#UNCONFIRMED_INCARNATION}) and its second makes the restart, unless a message of
 * the current incarnation came in between, so one forged message of a made-up incarnation changes
 * nothing. Sequence numbers compare as signed {@code long}s.
 *
 * <p><b>Threads.</b> The {@code heartbeat} and {@link #leave} methods are for one thread at a time
 * (one event loop); one that overlaps another for the same peer is dropped as {@link
 * HeartbeatOutcome#COALESCED} rather than waited for. For an available peer they take no lock and
 * allocate nothing. Queries are for any thread. After {@link FailureDetectorRegistry#remove} the
 * handle answers {@link HeartbeatOutcome#UNKNOWN_PEER} and {@link PeerState#REMOVED}; registering
 * the key again makes a new handle.
 *
 * @param <K> the key type
 */
public final class MonitoredPeer<K> extends SequenceGuard {

  /*
   * Who touches what:
   * - the heartbeat path takes the writer guard (tryBeginHeartbeat, a CAS that never waits),
   *   checks staleness, records into the detector, then hands over to SuspicionTimer.onHeartbeat,
   *   the heartbeat half of the fence protocol documented there;
   * - state changes happen only while holding this object's monitor (rare: a transition), and
   *   publish `state` last, so lock-free readers see the reason and time with it;
   * - the wheel* fields belong to the registry's timer thread alone.
   */

  private static final VarHandle WRITING;
  private static final VarHandle QUEUED;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      WRITING = lookup.findVarHandle(MonitoredPeer.class, "writing", int.class);
      QUEUED = lookup.findVarHandle(MonitoredPeer.class, "queued", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final K key;
  private final FailureDetectorRegistry<K> registry;
  /** The plug-ins' observer of this peer's arrivals; null when none watches it. */
  private final ArrivalObserver observer;
  volatile FailureDetector detector;

  // State, changed under the monitor; `state` is written last.
  volatile PeerState state = PeerState.UNKNOWN;
  volatile TransitionReason reason = TransitionReason.REGISTERED;
  volatile long stateSinceNanos;
  /** The current incarnation as readers see it (the guard's own copy is the writer's). */
  volatile long incarnation = NONE;
  volatile boolean removed;

  // Heartbeat writer guard and what only the writer reads (and the staleness state inherited
  // from SequenceGuard: extended rather than held, so that a heartbeat reads one object).
  @SuppressWarnings("unused") // through WRITING
  private volatile int writing;
  /** Heartbeats recorded: numbers those that come without one. */
  private long heartbeats;

  /** Set while the peer waits in the timer's request queue. */
  @SuppressWarnings("unused") // through QUEUED
  private volatile int queued;
  /** The next peer in the timer's request list while queued (SuspicionTimer). */
  MonitoredPeer<K> queueNext;
  /** When the timer will next look at this peer; read by the heartbeat path. */
  volatile long scheduledAtNanos;
  volatile boolean scheduled;

  // Timer thread only: intrusive links of the timing wheel.
  MonitoredPeer<K> wheelNext;
  MonitoredPeer<K> wheelPrev;
  int wheelBucket = -1;
  long wheelTick;

  MonitoredPeer(K key, FailureDetectorRegistry<K> registry, FailureDetector detector,
      ArrivalObserver observer, long intervalNanos, long nowNanos) {
    super(intervalNanos, nowNanos);
    this.key = key;
    this.registry = registry;
    this.detector = detector;
    this.observer = observer;
    this.stateSinceNanos = nowNanos;
  }

  /** The peer's key. */
  public K key() {
    return key;
  }

  /** Records a heartbeat that arrived at {@code nowNanos}, numbered by arrival. */
  public HeartbeatOutcome heartbeat(long nowNanos) {
    return record(false, 0, false, 0, nowNanos);
  }

  /**
   * Records heartbeat number {@code sequence} (the sender's count, +1 per heartbeat it sends to
   * this node, from 1), arrived at {@code nowNanos}.
   */
  public HeartbeatOutcome heartbeat(long sequence, long nowNanos) {
    return record(false, 0, true, sequence, nowNanos);
  }

  /**
   * Records heartbeat number {@code sequence} of incarnation {@code incarnation} (a number the
   * peer picks anew each time it starts, a random one is best), arrived at {@code nowNanos}. An
   * incarnation other than the current one is a restart at its second fresh message (the first is
   * held: {@link HeartbeatOutcome#UNCONFIRMED_INCARNATION}), unless it is one of the last few and
   * the message is not newer than that incarnation's last one (stale).
   */
  public HeartbeatOutcome heartbeat(long incarnation, long sequence, long nowNanos) {
    return record(true, incarnation, true, sequence, nowNanos);
  }

  /**
   * The peer said goodbye in message {@code sequence} of {@code incarnation}: if that is fresh by
   * the same rule as heartbeats, the peer is marked FAILED ({@link TransitionReason#LEFT}) at
   * once, and a later heartbeat of a higher sequence revives it. A stale goodbye changes nothing.
   *
   * @return {@link HeartbeatOutcome#RECORDED} if the goodbye was fresh (the peer left, or had
   *     already failed), otherwise why it was dropped
   */
  public HeartbeatOutcome leave(long incarnation, long sequence, long nowNanos) {
    if (removed) {
      return registry.counters().count(HeartbeatOutcome.UNKNOWN_PEER);
    }
    if (!tryBeginHeartbeat()) {
      return registry.counters().count(HeartbeatOutcome.COALESCED);
    }
    try {
      HeartbeatOutcome stale = check(true, incarnation, sequence, nowNanos);
      if (stale != null) {
        return registry.counters().count(stale);
      }
      // A goodbye of a newer run: later heartbeats of that run are a recovery, not a restart.
      accept(true, incarnation, sequence, nowNanos);
      this.incarnation = incarnation;
    } finally {
      WRITING.setRelease(this, 0);
    }
    registry.transitions().apply(this, PeerEvent.LEFT, nowNanos);
    return HeartbeatOutcome.RECORDED;
  }

  /**
   * Declares the peer failed now, from a clue faster than a timeout: {@link
   * TransitionReason#CONNECTION_REFUSED}, {@link TransitionReason#UNHEALTHY}, {@link
   * TransitionReason#LEFT} or {@link TransitionReason#EXTERNAL}. A later heartbeat makes it
   * available again.
   *
   * @return true if the peer changed to FAILED; false if removed or already failed
   * @throws IllegalArgumentException if {@code reason} is not one of the four above
   */
  public boolean markFailed(TransitionReason reason) {
    Objects.requireNonNull(reason, "reason must not be null");
    PeerEvent event = switch (reason) {
      case CONNECTION_REFUSED -> PeerEvent.CONNECTION_REFUSED;
      case UNHEALTHY -> PeerEvent.UNHEALTHY;
      case LEFT -> PeerEvent.LEFT;
      case EXTERNAL -> PeerEvent.EXTERNAL;
      default -> throw new IllegalArgumentException(
          "reason must be CONNECTION_REFUSED, UNHEALTHY, LEFT or EXTERNAL, got " + reason);
    };
    return registry.transitions().apply(this, event, registry.clock().nanoTime());
  }

  /** The peer's state; {@link PeerState#REMOVED} once removed. */
  public PeerState state() {
    return removed ? PeerState.REMOVED : state;
  }

  /** Whether the peer is registered and {@link PeerState#AVAILABLE}. */
  public boolean isAvailable() {
    return state() == PeerState.AVAILABLE;
  }

  /** The peer's suspicion level now, for accrual detectors; empty for the others. */
  public OptionalDouble phi() {
    return detector instanceof AccrualFailureDetector accrual
        ? OptionalDouble.of(accrual.phi(registry.clock().nanoTime())) : OptionalDouble.empty();
  }

  /** The detector's current timeout in nanoseconds (how long after a heartbeat it suspects). */
  public long timeoutNanos() {
    return detector.timeoutNanos();
  }

  /** What is known about the peer now (allocates: for health pages and tools). */
  public PeerSnapshot<K> snapshot() {
    return snapshot(registry.clock().nanoTime());
  }

  PeerSnapshot<K> snapshot(long now) {
    FailureDetector current = detector;
    PeerState currentState = state();
    OptionalDouble phi = current instanceof AccrualFailureDetector accrual
        ? OptionalDouble.of(accrual.phi(now)) : OptionalDouble.empty();
    long last = current.lastHeartbeatNanos();
    long sinceLast = last == FailureDetector.NO_DEADLINE ? -1 : now - last;
    double mean = Double.NaN;
    double deviation = Double.NaN;
    if (current instanceof PhiAccrualFailureDetector phiDetector) {
      mean = phiDetector.meanIntervalNanos();
      deviation = phiDetector.intervalStdDeviationNanos();
    }
    return new PeerSnapshot<>(key, currentState, reason, now - stateSinceNanos, phi, sinceLast,
        current.timeoutNanos(), mean, deviation, incarnation);
  }

  @Override
  long intervalNanos() {
    return registry.intervalNanos();
  }

  /** The observer plug-ins gave this peer, null if none: for {@code removed}. */
  ArrivalObserver observer() {
    return observer;
  }

  private HeartbeatOutcome record(boolean withIncarnation, long newIncarnation,
      boolean withSequence, long sequence, long nowNanos) {
    if (removed) {
      return registry.counters().count(HeartbeatOutcome.UNKNOWN_PEER);
    }
    if (!tryBeginHeartbeat()) {
      return registry.counters().count(HeartbeatOutcome.COALESCED);
    }
    FailureDetector current;
    long number;
    try {
      // A heartbeat without a number is numbered by the detector and takes no part in staleness.
      number = withSequence ? sequence : heartbeats + 1;
      if (withSequence) {
        HeartbeatOutcome stale =
            check(withIncarnation, newIncarnation, sequence, nowNanos);
        if (stale != null) {
          WRITING.setRelease(this, 0);
          return registry.counters().count(stale);
        }
        boolean restart = changes(withIncarnation, newIncarnation);
        accept(withIncarnation, newIncarnation, sequence, nowNanos);
        if (restart) {
          restart(newIncarnation, number, nowNanos);
          WRITING.setRelease(this, 0);
          return HeartbeatOutcome.RESTARTED;
        }
        if (withIncarnation) {
          incarnation = newIncarnation; // the first incarnation seen (or the same)
        }
      }
      current = detector;
      if (withSequence) {
        current.heartbeat(number, nowNanos);
      } else {
        current.heartbeat(nowNanos);
      }
      arrived(number, nowNanos, HeartbeatOutcome.RECORDED);
    } catch (RuntimeException | Error e) {
      WRITING.setRelease(this, 0); // a detector never throws; keep the peer usable if one does
      throw e;
    }
    // Releasing the guard with getAndSet is also the full fence that makes the new deadline
    // visible before the state is read (SuspicionTimer's protocol).
    WRITING.getAndSet(this, 0);
    registry.timer().onHeartbeat(this, current, nowNanos);
    return HeartbeatOutcome.RECORDED;
  }

  /** Writer only: counts an arrival and tells the observer. */
  private void arrived(long number, long nowNanos, HeartbeatOutcome outcome) {
    heartbeats++;
    registry.counters().count(outcome);
    if (observer != null) {
      observer.arrived(incarnation, number, nowNanos);
    }
  }

  /** Writer only: a new incarnation gets a fresh detector. */
  private void restart(long newIncarnation, long number, long nowNanos) {
    FailureDetector fresh = registry.newDetector();
    fresh.heartbeat(number, nowNanos);
    synchronized (this) {
      if (removed) {
        return;
      }
      registry.retuneIfStale(fresh); // a reconfigure may have run since it was built
      detector = fresh;
      incarnation = newIncarnation;
      if (observer != null) {
        observer.restarted(newIncarnation);
      }
      arrived(number, nowNanos, HeartbeatOutcome.RESTARTED);
      registry.transitions().applyLocked(this, PeerEvent.RESTART, nowNanos);
    }
    registry.timer().requestEvaluation(this);
  }

  /** Takes the heartbeat writer guard; false if another thread is recording a heartbeat now. */
  private boolean tryBeginHeartbeat() {
    return WRITING.compareAndSet(this, 0, 1);
  }

  /** Marks the peer as waiting for the timer; false if it already was. */
  boolean tryMarkQueued() {
    return QUEUED.compareAndSet(this, 0, 1);
  }

  void clearQueued() {
    QUEUED.setVolatile(this, 0);
  }

  /** Caller holds the monitor: from now on the handle answers UNKNOWN_PEER and REMOVED. */
  void markRemoved() {
    removed = true;
  }

  /** Changes state; caller holds the monitor. */
  void setState(PeerState newState, TransitionReason newReason, long nowNanos) {
    reason = newReason;
    stateSinceNanos = nowNanos;
    state = newState;
  }

  @Override
  public String toString() {
    return "MonitoredPeer[" + key + ", " + state() + "]";
  }
}
