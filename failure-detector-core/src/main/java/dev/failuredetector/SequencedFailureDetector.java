package dev.failuredetector;

import java.time.Duration;

/**
 * The detectors that predict the next arrival from the sender's sequence numbers (Chen, Bertier,
 * 2W-FD): this class owns the sequence bookkeeping and the publication, the subclass its estimate.
 *
 * <p>Rules shared by all of them: a heartbeat whose number is not above the last one seen
 * (duplicate or reordered) is ignored, as is one earlier in time than the last; the number-less
 * {@link #heartbeat(long)} numbers heartbeats consecutively. The published state is the expected
 * delay from the last heartbeat to the next one; subclasses add their margin in {@link
 * #publishedTimeoutNanos()}.
 */
abstract class SequencedFailureDetector extends SingleWriterFailureDetector {

  final long heartbeatIntervalNanos;

  /** Writer-owned. */
  private long lastSequence;

  /** Published: expected arrival of the next heartbeat minus the last heartbeat's time. */
  long expectedDelayNanos;

  SequencedFailureDetector(NanoClock clock, long heartbeatIntervalNanos) {
    super(clock);
    this.heartbeatIntervalNanos = heartbeatIntervalNanos;
    this.expectedDelayNanos = heartbeatIntervalNanos;
  }

  /** Writer only: starts the estimate from the first heartbeat; returns the expected delay. */
  abstract long startEstimate(long sequence, long nowNanos);

  /**
   * Writer only: adds a heartbeat newer than the last one (which {@link
   * #writerLastHeartbeatNanos()} still returns) to the estimate; returns the expected delay.
   */
  abstract long updateEstimate(long sequence, long nowNanos);

  /** Writer only, inside a publication: publishes any state of the subclass's own. */
  void publishEstimate() {}

  // Each subclass writes its own publishedTimeoutNanos() (expected delay + its margin), though
  // the three look alike: computing it here behind an abstract margin method made Bertier's
  // isAvailable 2.1 -> 4.5 ns (DetectorHotPathBenchmark, 2 forks), so it stays in the subclasses.

  @Override
  public final void heartbeat(long nowNanos) {
    heartbeat(writerMonitoring() ? lastSequence + 1 : 0, nowNanos);
  }

  @Override
  public final void heartbeat(long sequence, long nowNanos) {
    long expectedDelay;
    if (!writerMonitoring()) {
      expectedDelay = startEstimate(sequence, nowNanos);
    } else {
      if (sequence - lastSequence <= 0 || isStale(nowNanos)) {
        return;
      }
      expectedDelay = updateEstimate(sequence, nowNanos);
    }
    lastSequence = sequence;
    beginPublish();
    publishHeartbeat(nowNanos);
    expectedDelayNanos = expectedDelay;
    publishEstimate();
    endPublish();
  }

  /** Returns eta, the sender's heartbeat interval. */
  public final Duration heartbeatInterval() {
    return Duration.ofNanos(heartbeatIntervalNanos);
  }
}
