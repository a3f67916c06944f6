package dev.failuredetector.qos;

import dev.failuredetector.FailureDetector;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Replays a trace through a detector and measures its {@link QosReport}, event by event: the
 * detector is fed each heartbeat at its arrival time (with its sequence number) and asked for its
 * deadline ({@link FailureDetector#suspectAtNanos()}); mistakes and detection times follow from
 * comparing deadlines with the next arrivals. Nothing is sampled, so the result is exact for the
 * trace and the same on every run.
 */
public final class QosReplay {

  private QosReplay() {}

  /**
   * Replays {@code trace} through a fresh detector from {@code detector}, ignoring the first
   * {@code warmupHeartbeats} for the metrics (the detector still learns from them).
   *
   * @throws IllegalArgumentException if the trace has no arrival times, or not more heartbeats
   *     than the warm-up plus one
   */
  public static QosReport replay(HeartbeatTrace trace, Supplier<? extends FailureDetector> detector,
      int warmupHeartbeats) {
    Objects.requireNonNull(trace, "trace");
    Objects.requireNonNull(detector, "detector");
    if (!trace.hasArrivals()) {
      throw new IllegalArgumentException("the trace has send times only: add arrivals with a DelayModel");
    }
    if (warmupHeartbeats < 0) {
      throw new IllegalArgumentException("warmupHeartbeats must be >= 0, got " + warmupHeartbeats);
    }
    int n = trace.size();
    if (n < warmupHeartbeats + 2) {
      throw new IllegalArgumentException("the trace has " + n + " heartbeats: need more than the "
          + warmupHeartbeats + " of warm-up plus one");
    }
    FailureDetector subject = Objects.requireNonNull(detector.get(), "detector returned null");
    long[] deadlines = new long[n];
    for (int i = 0; i < n; i++) {
      subject.heartbeat(trace.sequence(i), trace.arrivalNanos(i));
      deadlines[i] = subject.suspectAtNanos();
    }
    return measure(trace, deadlines, warmupHeartbeats);
  }

  /** The metrics from the deadline after each heartbeat; {@code deadlines[i]} follows heartbeat i. */
  static QosReport measure(HeartbeatTrace trace, long[] deadlines, int warmup) {
    int n = trace.size();
    long[] detectionTimes = new long[n - warmup];
    double detectionSum = 0;
    long mistakes = 0;
    long suspectedNanos = 0;
    boolean suspecting = false;
    long start = trace.arrivalNanos(warmup);
    long observed = trace.arrivalNanos(n - 1) - start;
    long windowNanos = QosReport.windowNanosFor(observed);
    int windows = (int) Math.min(1 << 20, observed / windowNanos + 1);
    long[] perWindow = new long[windows];
    for (int i = warmup; i < n; i++) {
      long arrival = trace.arrivalNanos(i);
      long deadline = deadlines[i];
      long timeout = Math.max(0, deadline - arrival);
      detectionTimes[i - warmup] = timeout;
      detectionSum += timeout;
      if (i == n - 1) {
        break; // the trace ends: no next heartbeat to judge this deadline by
      }
      long next = trace.arrivalNanos(i + 1);
      if (deadline - next < 0) {
        // Suspected from the deadline (or at once, if it had already passed) until `next`.
        boolean continuing = suspecting && timeout == 0;
        if (!continuing) {
          mistakes++;
          long began = Math.max(deadline, arrival) - start;
          perWindow[(int) Math.min(windows - 1, Math.max(0, began) / windowNanos)]++;
        }
        suspectedNanos += next - Math.max(deadline, arrival);
        suspecting = true;
      } else {
        suspecting = false;
      }
    }
    long worstWindow = 0;
    for (long count : perWindow) {
      worstWindow = Math.max(worstWindow, count);
    }
    Arrays.sort(detectionTimes);
    int p99Index = (int) Math.ceil(0.99 * detectionTimes.length) - 1;
    double observedSeconds = observed / 1e9;
    return new QosReport(n - warmup, observed, detectionSum / detectionTimes.length,
        detectionTimes[Math.max(0, p99Index)], detectionTimes[detectionTimes.length - 1],
        mistakes, observedSeconds > 0 ? mistakes / observedSeconds : 0,
        mistakes > 0 ? (double) suspectedNanos / mistakes : 0,
        observed > 0 ? 1.0 - (double) suspectedNanos / observed : 1.0, windowNanos, worstWindow);
  }
}
