package dev.failuredetector.netty;

import dev.failuredetector.MonitoredPeer;
import dev.failuredetector.NanoClock;
import dev.failuredetector.PeerSnapshot;
import dev.failuredetector.PeerState;
import dev.failuredetector.TransitionReason;
import dev.failuredetector.probe.ProbeSchedule;
import io.netty.channel.EventLoop;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Probes one target on its {@link ProbeSchedule} with one {@link TargetProbe}, and turns outcomes
 * into what the target's registry handle learns: an answer is an arrival numbered with the probe
 * (so unanswered probes are gaps), a refused connection or an unhealthy status marks it FAILED at
 * once, silence is left to the detector's timeout. All on the node's event loop; the counters are
 * read from any thread ({@link #stats()}).
 */
final class ProbeRunner {

  final String id;
  final ProbeTarget target;
  final MonitoredPeer<String> handle;
  private final NanoClock clock;
  // Set once by start(), on the event loop.
  private volatile ProbeSchedule schedule;
  private EventLoop loop;
  private TargetProbe probe;
  private ScheduledFuture<?> next;
  private boolean closed;
  /** Where answer times go (nanoseconds): Micrometer timers once metrics are bound. */
  private volatile LongConsumer answerTimes = nanos -> { };

  // Written on the event loop only; volatile for readers of stats().
  private volatile long answered;
  private volatile long late;
  private volatile long refused;
  private volatile long unhealthy;
  private volatile int lastStatus;

  ProbeRunner(String id, ProbeTarget target, MonitoredPeer<String> handle, NanoClock clock) {
    this.id = id;
    this.target = target;
    this.handle = handle;
    this.clock = clock;
  }

  /** Whether {@link #start} ran. Event loop only. */
  boolean started() {
    return schedule != null;
  }

  /** Event loop {@code loop}: starts probing with {@code kind} on {@code schedule}, once. */
  void start(EventLoop loop, ProbeSchedule schedule, TargetProbe kind) {
    if (closed || this.schedule != null) {
      return;
    }
    this.loop = loop;
    this.schedule = schedule;
    this.probe = kind;
    scheduleNext();
  }

  private void scheduleNext() {
    if (closed) {
      return;
    }
    long delay = Math.max(0, schedule.nextDueNanos() - clock.nanoTime());
    next = loop.schedule(this::fire, delay, TimeUnit.NANOSECONDS);
  }

  private void fire() {
    if (closed) {
      return;
    }
    long number = schedule.send(clock.nanoTime());
    if (number != ProbeSchedule.SKIP) {
      probe.send(number);
    }
    scheduleNext();
  }

  /**
   * Probe {@code number} was answered now (TCP, HTTP: no incarnation). Returns whether it was
   * outstanding (and so counted).
   */
  boolean answered(long number) {
    return answered(number, false, 0);
  }

  /** Probe {@code number} was answered now by a node in life {@code incarnation} (UDP). */
  boolean answered(long number, long incarnation) {
    return answered(number, true, incarnation);
  }

  private boolean answered(long number, boolean withIncarnation, long incarnation) {
    if (closed || schedule == null) {
      return false;
    }
    long now = clock.nanoTime();
    long roundTrip = schedule.answered(number, now);
    if (roundTrip < 0) {
      return false;
    }
    if (isSuspectedByTimeout()) {
      late++;
    }
    answered++;
    if (withIncarnation) {
      handle.heartbeat(incarnation, number, now);
    } else {
      handle.heartbeat(number, now);
    }
    answerTimes.accept(roundTrip);
    return true;
  }

  private boolean isSuspectedByTimeout() {
    PeerState state = handle.state();
    if (state == PeerState.SUSPECTED) {
      return true;
    }
    if (state != PeerState.FAILED) {
      return false;
    }
    PeerSnapshot<String> snapshot = handle.snapshot(); // rare: only a failed target's answer
    return snapshot.reason() == TransitionReason.TIMEOUT;
  }

  /** Probe {@code number}'s connection was refused: the target is down, we know at once. */
  void refused(long number) {
    if (closed || schedule == null || schedule.answered(number, clock.nanoTime()) < 0) {
      return;
    }
    refused++;
    handle.markFailed(TransitionReason.CONNECTION_REFUSED);
  }

  /** Probe {@code number} was answered with {@code status}, which says the target is unhealthy. */
  void unhealthy(long number, int status) {
    lastStatus = status;
    if (closed || schedule == null || schedule.answered(number, clock.nanoTime()) < 0) {
      return;
    }
    unhealthy++;
    handle.markFailed(TransitionReason.UNHEALTHY);
  }

  /** A healthy HTTP status was received (before {@link #answered(long)} counts it). */
  void status(int status) {
    lastStatus = status;
  }

  /** Event loop: stops probing and closes the probe's connections. Idempotent. */
  void close() {
    closed = true;
    if (next != null) {
      next.cancel(false);
    }
    if (probe != null) {
      probe.close();
    }
  }

  /** Adds a receiver of answer times, in nanoseconds (on the event loop). */
  synchronized void addAnswerTimes(LongConsumer receiver) {
    answerTimes = answerTimes.andThen(receiver);
  }

  /** The counters now (any thread). */
  ProbeStats stats() {
    ProbeSchedule current = schedule; // published by the volatile counters' writes and reads
    return current == null ? new ProbeStats(id, target, 0, 0, 0, 0, 0, 0, 0, 0)
        : new ProbeStats(id, target, current.sent(), answered, late, refused, unhealthy,
            current.abandoned(), current.skipped(), lastStatus);
  }
}
