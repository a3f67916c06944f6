package dev.failuredetector;

import java.time.Duration;

/**
 * Chen, Toueg and Aguilera's failure detector (NFD-E): it expects heartbeat number {@code l+1}
 * at the arrival time estimated from the last {@code windowSize} heartbeats and their sequence
 * numbers, and suspects the peer once that expected time plus a fixed safety margin has passed.
 *
 * <pre>  suspectAt = EA(l+1) + safetyMargin,  EA(l+1) = mean(A_i - eta * s_i) + (l+1) * eta</pre>
 *
 * <p>Because the estimate works on offsets from the sending schedule, a lost heartbeat leaves it
 * unchanged: use {@link #heartbeat(long, long)} with the sender's sequence numbers (the
 * number-less {@link #heartbeat(long)} assumes no loss and numbers heartbeats consecutively). A
 * heartbeat whose number is not above the last one seen (duplicate or reordered) is ignored.
 *
 * <p><b>Settings and their trade-offs:</b>
 * <ul>
 *   <li>{@code heartbeatInterval} (1 s): eta, the interval at which the peer sends. It must match
 *       the sender; the estimate absorbs a small mismatch.
 *   <li>{@code windowSize} (1000): heartbeats averaged. Larger is steadier and slower to follow a
 *       change in delay.
 *   <li>{@code safetyMargin} (3 s): alpha, added to the expected arrival. The single knob trading
 *       detection time (about eta + alpha after a crash) against wrong suspicions; changeable at
 *       run time with {@link #setSafetyMargin(Duration)}.
 * </ul>
 *
 * <p><b>Thread safety.</b> As {@link FailureDetector}: one writer, any number of readers, no lock,
 * no allocation on heartbeat or query.
 */
public final class ChenFailureDetector extends SequencedFailureDetector {

  /*
   * References
   * [1] W. Chen, S. Toueg, M. K. Aguilera. On the quality of service of failure detectors.
   *     IEEE Transactions on Computers 51(5), 2002. Section 6 (NFD-E).
   */

  private final int windowSize;
  private volatile long safetyMarginNanos;

  /** Writer-owned. */
  private final ExpectedArrivalEstimator estimator;

  ChenFailureDetector(DetectorSpec.Chen spec, NanoClock clock) {
    super(clock, spec.interval().toNanos());
    this.windowSize = spec.window();
    this.safetyMarginNanos = spec.margin().toNanos();
    this.estimator = new ExpectedArrivalEstimator(heartbeatIntervalNanos, windowSize);
  }


  /** Returns a builder with the defaults: interval 1 s, window 1000, safety margin 3 s. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  long startEstimate(long sequence, long nowNanos) {
    estimator.start(sequence, nowNanos);
    return estimator.expectedNextDelayNanos();
  }

  @Override
  long updateEstimate(long sequence, long nowNanos) {
    estimator.record(sequence, nowNanos);
    return estimator.expectedNextDelayNanos();
  }

  /** Returns alpha, the margin added to the expected arrival. */
  public Duration safetyMargin() {
    return Duration.ofNanos(safetyMarginNanos);
  }

  /**
   * Changes the safety margin for every later query, from any thread.
   *
   * @throws IllegalArgumentException if negative or more than one day
   */
  public void setSafetyMargin(Duration safetyMargin) {
    this.safetyMarginNanos = SpecText.nonNegative("chen", "margin", safetyMargin);
  }

  @Override
  void retune(DetectorSpec spec) {
    setSafetyMargin(((DetectorSpec.Chen) spec).margin());
  }

  /** Returns the number of heartbeats averaged. */
  public int windowSize() {
    return windowSize;
  }

  @Override
  long publishedTimeoutNanos() {
    return clampTimeout((double) expectedDelayNanos + safetyMarginNanos);
  }

  @Override
  public String toString() {
    return "ChenFailureDetector[heartbeatInterval=" + heartbeatInterval() + ", safetyMargin="
        + safetyMargin() + ", timeout=" + Duration.ofNanos(timeoutNanos()) + "]";
  }

  /**
   * A view over {@link DetectorSpec.Chen}: each setter sets one of the spec's settings (named in
   * brackets), checked by the spec, whose errors name the spec's key ({@code "chen margin must be >= 0 and <= 1d, got -1s"}). Defaults
   * are the spec's. Reusable: each {@link #build()} makes an independent detector. Not
   * thread-safe.
   */
  public static final class Builder {
    private DetectorSpec.Chen spec = DetectorSpec.chen();
    private NanoClock clock = NanoClock.system();

    private Builder() {}

    /** The sender's heartbeat interval, eta ({@code interval}); default 1 s. */
    public Builder heartbeatInterval(Duration heartbeatInterval) {
      spec = spec.withInterval(heartbeatInterval);
      return this;
    }

    /** Heartbeats averaged ({@code window}); default 1000. */
    public Builder windowSize(int windowSize) {
      spec = spec.withWindow(windowSize);
      return this;
    }

    /** Margin added to the expected arrival, alpha ({@code margin}); default 3 s. */
    public Builder safetyMargin(Duration safetyMargin) {
      spec = spec.withMargin(safetyMargin);
      return this;
    }

    /** Clock used by methods without a time argument; default {@link NanoClock#system()}. */
    public Builder clock(NanoClock clock) {
      this.clock = Preconditions.notNull("clock", clock);
      return this;
    }

    /** Returns a new detector with these settings. */
    public ChenFailureDetector build() {
      return new ChenFailureDetector(spec, clock);
    }
  }
}
