package dev.failuredetector;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Turns passing deadlines into suspicions and confirmations: a timing wheel of peers keyed by
 * when they must next be looked at, a queue of peers to look at again now, and the tick that
 * serves both. A tick with nothing due costs the same for 10 or 100,000 peers; heartbeats do not
 * touch the wheel (an entry that comes due re-reads the detector's current deadline).
 *
 * <p><b>The fence protocol</b>, between the heartbeat path (any thread, no lock) and the timer
 * thread, is all in this class:
 * <ol>
 *   <li>Heartbeat ({@link #onHeartbeat}): the detector records the arrival; a full fence (the
 *       writer guard's release in {@link MonitoredPeer}); then the peer's state is read. If it is
 *       not AVAILABLE the heartbeat makes the transition (under the peer's monitor). If the new
 *       deadline is earlier than the wheel entry (the timeout shrank), the peer is queued for
 *       re-evaluation, so a suspicion is never late by more than a tick.
 *   <li>Timer ({@link #suspect}): under the peer's monitor it writes SUSPECTED, a full fence, then
 *       re-reads the detector's deadline; if a heartbeat slipped in, it reverts silently.
 * </ol>
 * This is Dekker's pattern: either the timer sees the new deadline or the heartbeat sees
 * SUSPECTED (and recovers the peer), never neither. Scheduling a deadline uses the same pairing:
 * schedule, fence, re-read, and move the entry earlier if the deadline moved meanwhile.
 *
 * <p>{@link #tick} runs on one thread at a time (the registry's {@link TickScheduler}); the wheel
 * is that thread's alone. {@link #requestEvaluation} is for any thread.
 */
final class SuspicionTimer<K> {

  private static final int WHEEL_BUCKETS = 4096;

  private final PeerTransitions<K> transitions;
  private final LocalPauseGuard pauseGuard;
  private final NanoClock clock;
  private final long tickNanos;
  private final long confirmationNanos;
  /**
   * Peers waiting to be looked at, linked through {@code MonitoredPeer.queueNext}: a request
   * allocates nothing (a queue node per request was 24 B on the heartbeat path whenever a
   * deadline moved earlier). Any thread pushes; the timer takes the whole list at once. A peer is
   * in it at most once ({@code tryMarkQueued}), so the links never clash.
   */
  private final AtomicReference<MonitoredPeer<K>> evaluationRequests = new AtomicReference<>();

  // Timer thread only.
  private final TimerWheel wheel;
  private final TimerWheel.Expiry evaluateOnExpiry = this::evaluate;
  private long lastTickNanos;

  private volatile long lastTickAtNanos;
  private volatile long lastTickLagNanos;
  private volatile long maxTickLagNanos;

  SuspicionTimer(PeerTransitions<K> transitions, LocalPauseGuard pauseGuard, NanoClock clock,
      long tickNanos, long confirmationNanos) {
    this.transitions = transitions;
    this.pauseGuard = pauseGuard;
    this.clock = clock;
    this.tickNanos = tickNanos;
    this.confirmationNanos = confirmationNanos;
    long now = clock.nanoTime();
    this.wheel = new TimerWheel(WHEEL_BUCKETS, tickNanos, now);
    this.lastTickNanos = now;
    this.lastTickAtNanos = now;
  }

  /** One tick: detect a local pause, serve re-evaluation requests, expire due deadlines. */
  void tick() {
    long now = clock.nanoTime();
    long lag = Math.max(0, now - lastTickNanos - tickNanos);
    lastTickNanos = now;
    lastTickAtNanos = now;
    lastTickLagNanos = lag;
    if (lag > maxTickLagNanos) {
      maxTickLagNanos = lag;
    }
    pauseGuard.tick(lag, now);
    MonitoredPeer<K> requested = evaluationRequests.getAndSet(null);
    while (requested != null) {
      MonitoredPeer<K> next = requested.queueNext;
      requested.queueNext = null; // before clearQueued: a new request may link it again after
      requested.clearQueued();
      evaluate(requested, now);
      requested = next;
    }
    wheel.expire(now, evaluateOnExpiry);
  }

  /** Any thread: look at {@code peer} again at the next tick. */
  void requestEvaluation(MonitoredPeer<K> peer) {
    if (peer.tryMarkQueued()) {
      MonitoredPeer<K> head;
      do { // the CAS publishes queueNext to the timer's getAndSet
        head = evaluationRequests.get();
        peer.queueNext = head;
      } while (!evaluationRequests.compareAndSet(head, peer));
    }
  }

  /** Heartbeat path, after the detector recorded an arrival and the full fence: step 1 above. */
  void onHeartbeat(MonitoredPeer<K> peer, FailureDetector detector, long nowNanos) {
    if (peer.state != PeerState.AVAILABLE) {
      if (stillDue(peer, detector, nowNanos)) {
        return; // the detector suspects it again at once: no flap, the suspicion goes on
      }
      transitions.apply(peer, PeerEvent.HEARTBEAT, nowNanos);
      requestEvaluation(peer); // it now waits for its deadline
    } else if (!peer.scheduled || detector.suspectAtNanos() - peer.scheduledAtNanos < 0) {
      requestEvaluation(peer); // the deadline moved earlier than the timer's entry
    }
  }

  /**
   * Whether a peer suspected by timeout stays suspected after this heartbeat: the detector's
   * deadline after it has already passed (a late heartbeat of an old number, as Chen's freshness
   * points define it: only a message that reaches a fresh deadline restores trust). Making it
   * AVAILABLE would only suspect it again at the next tick, a flap per heartbeat, which neither
   * the shadow candidates nor {@code tune}'s replay count: one continuing mistake for all three.
   */
  private static boolean stillDue(MonitoredPeer<?> peer, FailureDetector detector,
      long nowNanos) {
    boolean byTimeout = peer.state == PeerState.SUSPECTED
        || (peer.state == PeerState.FAILED && peer.reason == TransitionReason.TIMEOUT);
    return byTimeout && detector.isMonitoring() && detector.suspectAtNanos() - nowNanos <= 0;
  }

  /** Timer thread: decides what a peer is waiting for, acts if it is due, schedules otherwise. */
  @SuppressWarnings("unchecked")
  private void evaluate(MonitoredPeer<?> anyPeer, long now) {
    MonitoredPeer<K> peer = (MonitoredPeer<K>) anyPeer;
    if (peer.removed) {
      wheel.cancel(peer);
      return;
    }
    switch (peer.state) {
      case AVAILABLE -> {
        FailureDetector detector = peer.detector;
        if (!detector.isMonitoring()) {
          return;
        }
        long deadline = detector.suspectAtNanos();
        long holdUntil = pauseGuard.holdSuspicionUntil(now);
        if (now - deadline < 0) {
          scheduleDeadline(peer, detector, deadline);
        } else if (holdUntil != now) {
          wheel.schedule(peer, holdUntil);
        } else {
          suspect(peer, detector, now);
        }
      }
      case SUSPECTED -> {
        long confirmAt = peer.stateSinceNanos + confirmationNanos;
        if (now - confirmAt >= 0) {
          confirm(peer, now);
        } else {
          wheel.schedule(peer, confirmAt);
        }
      }
      default -> wheel.cancel(peer); // UNKNOWN, FAILED: nothing to wait for
    }
  }

  private void scheduleDeadline(MonitoredPeer<K> peer, FailureDetector detector, long deadline) {
    wheel.schedule(peer, deadline);
    VarHandle.fullFence(); // pairs with the heartbeat path's fence: see the class comment
    long latest = detector.suspectAtNanos();
    if (latest - deadline < 0) {
      wheel.schedule(peer, latest);
    }
  }

  /** Step 2 of the protocol. */
  private void suspect(MonitoredPeer<K> peer, FailureDetector detector, long now) {
    synchronized (peer) {
      if (peer.removed || peer.state != PeerState.AVAILABLE || peer.detector != detector) {
        return;
      }
      TransitionReason previousReason = peer.reason;
      long previousSince = peer.stateSinceNanos;
      PeerStateMachine.Step step = PeerStateMachine.next(PeerState.AVAILABLE, previousReason,
          PeerEvent.DEADLINE_PASSED);
      peer.setState(step.to(), step.reason(), now);
      VarHandle.fullFence(); // pairs with the heartbeat path's fence: see the class comment
      long deadline = detector.suspectAtNanos();
      if (now - deadline < 0) {
        peer.setState(PeerState.AVAILABLE, previousReason, previousSince); // a heartbeat won
        scheduleDeadline(peer, detector, deadline);
        return;
      }
      transitions.announce(peer, PeerState.AVAILABLE, step, now);
      wheel.schedule(peer, now + confirmationNanos);
    }
  }

  private void confirm(MonitoredPeer<K> peer, long now) {
    synchronized (peer) {
      if (!peer.removed && peer.state == PeerState.SUSPECTED
          && now - (peer.stateSinceNanos + confirmationNanos) >= 0) {
        transitions.applyLocked(peer, PeerEvent.CONFIRMATION_PASSED, now);
      }
    }
  }

  /** When the last tick ran (or the timer started), on the registry's clock. */
  long lastTickAtNanos() {
    return lastTickAtNanos;
  }

  /** How late the last tick ran, in nanoseconds, compared to its schedule. */
  long lastTickLagNanos() {
    return lastTickLagNanos;
  }

  /** The largest tick lag seen, in nanoseconds. */
  long maxTickLagNanos() {
    return maxTickLagNanos;
  }
}
