package dev.failuredetector.probe;

import java.time.Duration;
import java.util.Objects;

/**
 * When to probe one target, and which answers count: the decisions of an active probe (a UDP
 * ping, a TCP connect, an HTTP GET), with no I/O. The transport sends and receives; this says
 * when, and turns answers into the arrivals a detector learns from. One per target, used by one
 * thread at a time (the target's event loop); the counters may be read from any thread.
 *
 * <p><b>Schedule.</b> Probe {@code k} (from 1) is due at {@code origin + phase + (k - 1) x
 * interval}, where the phase is an offset in {@code [0, interval)} drawn once per target: targets
 * probed from one node do not all go out at once, and each target's answers arrive {@code interval
 * + (change in round-trip time)} apart, the distribution the detectors learn. A caller that runs
 * late by more than an interval sends the slot that is due now; the slots it missed are skipped
 * (counted), so there is never a burst of catch-up probes.
 *
 * <p><b>Bounded.</b> At most {@code maxOutstanding} probes wait for an answer; a slot that comes
 * while that many wait is skipped (counted): a slow target is never sent more. A probe unanswered
 * for {@code cap} is abandoned: silence, not an arrival, and its place is free again.
 *
 * <p><b>Answers.</b> The answer to an outstanding probe is an arrival numbered with the probe's
 * number (so a detector that reads numbers sees unanswered probes as gaps), at the time the answer
 * came. One that comes after the detector's deadline but within the cap still counts: a late
 * arrival, which is how a suspicion ends. An answer to a probe that is not outstanding (never
 * sent, answered already, abandoned) proves nothing: ignored and counted.
 */
public final class ProbeSchedule {

  /** What {@link #send} returns for a skipped slot. */
  public static final long SKIP = 0;
  /** The most probes a target may have outstanding. */
  public static final int MAX_OUTSTANDING = 16;

  private final long intervalNanos;
  private final long capNanos;
  private final long firstDueNanos;
  private final int maxOutstanding;
  // Outstanding probes, oldest first, in a ring: numbers increase, so the oldest expires first.
  private final long[] outstandingNumbers;
  private final long[] outstandingSentAt;
  private int head;
  private int outstanding;
  private long nextNumber = 1;

  // Counters, written by the one user thread, read by any (volatile: not a hot path).
  private volatile long sent;
  private volatile long answered;
  private volatile long abandoned;
  private volatile long skipped;
  private volatile long unmatched;

  /**
   * A schedule starting at {@code nowNanos + phaseNanos}.
   *
   * @param interval between two probes, 1 ms to 1 h
   * @param maxOutstanding probes waiting for an answer at once, 1 to {@value #MAX_OUTSTANDING}
   * @param cap how long a probe may wait for its answer before it is abandoned, 1 ms to 1 h
   * @param phaseNanos the offset of the first probe, in {@code [0, interval)}: draw it at random
   *     per target
   * @throws IllegalArgumentException naming the setting and the value
   */
  public ProbeSchedule(Duration interval, int maxOutstanding, Duration cap, long phaseNanos,
      long nowNanos) {
    this.intervalNanos = between("probe interval", interval);
    this.capNanos = between("probe cap", cap);
    if (maxOutstanding < 1 || maxOutstanding > MAX_OUTSTANDING) {
      throw new IllegalArgumentException("probe maxOutstanding must be between 1 and "
          + MAX_OUTSTANDING + ", got " + maxOutstanding);
    }
    if (phaseNanos < 0 || phaseNanos >= intervalNanos) {
      throw new IllegalArgumentException("probe phase must be in [0, interval), got "
          + phaseNanos + " ns for an interval of " + intervalNanos + " ns");
    }
    this.maxOutstanding = maxOutstanding;
    this.outstandingNumbers = new long[maxOutstanding];
    this.outstandingSentAt = new long[maxOutstanding];
    this.firstDueNanos = nowNanos + phaseNanos;
  }

  private static long between(String setting, Duration value) {
    Objects.requireNonNull(value, () -> setting + " must not be null");
    if (value.compareTo(Duration.ofMillis(1)) < 0 || value.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException(setting + " must be between 1 ms and 1 h, got " + value);
    }
    return value.toNanos();
  }

  /** When the next probe is due. */
  public long nextDueNanos() {
    return firstDueNanos + (nextNumber - 1) * intervalNanos;
  }

  /**
   * At or after {@link #nextDueNanos()}: abandons the probes past their cap, then returns the
   * number of the probe to send now, or {@link #SKIP} if {@code maxOutstanding} are waiting.
   * Either way the schedule moves to the slot after the one due now (slots missed by a late
   * caller are skipped and counted). Before the next slot is due, returns {@link #SKIP} and
   * changes nothing.
   */
  public long send(long nowNanos) {
    long due = nextDueNanos();
    if (nowNanos - due < 0) {
      return SKIP;
    }
    long late = (nowNanos - due) / intervalNanos; // whole slots missed before the one due now
    if (late > 0) {
      skipped += late;
      nextNumber += late;
    }
    long number = nextNumber++;
    abandonExpired(nowNanos);
    if (outstanding == maxOutstanding) {
      skipped++;
      return SKIP;
    }
    int slot = (head + outstanding) % maxOutstanding;
    outstandingNumbers[slot] = number;
    outstandingSentAt[slot] = nowNanos;
    outstanding++;
    sent++;
    return number;
  }

  /**
   * The answer to probe {@code number} came at {@code nowNanos}. If that probe was outstanding, it
   * is answered (with any older ones still waiting: an answer to a later probe shows the earlier
   * ones were lost, not slow) and its round-trip time is returned: record an arrival numbered
   * {@code number} at {@code nowNanos}. Otherwise returns -1 and counts it as unmatched.
   */
  public long answered(long number, long nowNanos) {
    for (int i = 0; i < outstanding; i++) {
      int slot = (head + i) % maxOutstanding;
      if (outstandingNumbers[slot] == number) {
        long roundTrip = Math.max(0, nowNanos - outstandingSentAt[slot]);
        // The older ones are given up: their answers, if they come, no longer count.
        abandoned += i;
        head = (slot + 1) % maxOutstanding;
        outstanding -= i + 1;
        answered++;
        return roundTrip;
      }
    }
    unmatched++;
    return -1;
  }

  /** Abandons the outstanding probes sent {@code cap} or more ago; returns how many. */
  public int abandonExpired(long nowNanos) {
    int expired = 0;
    while (outstanding > 0 && nowNanos - outstandingSentAt[head] >= capNanos) {
      head = (head + 1) % maxOutstanding;
      outstanding--;
      expired++;
    }
    abandoned += expired;
    return expired;
  }

  /** Probes waiting for an answer now. */
  public int outstanding() {
    return outstanding;
  }

  /** Probes sent. */
  public long sent() {
    return sent;
  }

  /** Probes answered in time (within the cap). */
  public long answered() {
    return answered;
  }

  /** Probes given up: unanswered for the cap, or overtaken by the answer to a later one. */
  public long abandoned() {
    return abandoned;
  }

  /** Slots not sent: the caller ran late, or {@code maxOutstanding} were waiting. */
  public long skipped() {
    return skipped;
  }

  /** Answers that matched no outstanding probe (duplicates, too late, never sent). */
  public long unmatched() {
    return unmatched;
  }
}
