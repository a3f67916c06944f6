package dev.failuredetector;

import java.time.Duration;

/**
 * Bertier, Marin and Sens's failure detector: Chen's expected arrival plus a safety margin that
 * adapts like TCP's retransmission timeout (Jacobson's algorithm), growing with the recent error
 * and its variability instead of being fixed.
 *
 * <pre>
 *   suspectAt(k+1) = EA(k+1) + alpha(k+1),   alpha = beta * delay + phi * var
 *   error(k)   = A(k) - EA(k) - delay(k)
 *   delay(k+1) = delay(k) + gamma * error(k)
 *   var(k+1)   = var(k) + gamma * (|error(k)| - var(k))
 * </pre>
 * where EA is Chen's estimate over the last {@code windowSize} heartbeats ({@link
 * ChenFailureDetector}) and A(k) the arrival of heartbeat k. Before the first error is measured,
 * delay is 0 and var is half the heartbeat interval (as TCP starts its deviation at half the first
 * sample), so the detector starts cautious and tightens as it learns.
 *
 * <p><b>Settings and their trade-offs:</b>
 * <ul>
 *   <li>{@code heartbeatInterval} (1 s): the sender's eta.
 *   <li>{@code windowSize} (1000): heartbeats averaged by Chen's estimate.
 *   <li>{@code delayWeight} (beta, 1), {@code varianceWeight} (phi, 4): the margin is beta times the
 *       mean lateness plus phi times its mean deviation; raise phi for fewer wrong suspicions at the
 *       cost of detection time. phi is changeable at run time.
 *   <li>{@code gain} (gamma, 0.1): how fast delay and var follow new errors.
 *   <li>{@code minMargin} (2 s): the least margin. Without it (0, the paper's detector), on a
 *       quiet network the margin shrinks to a few deviations of the jitter: about one interval
 *       in all, so one late heartbeat is a wrong suspicion (2 in 20 s over loopback TCP at 100 ms
 *       heartbeats). With it, the timeout is at least an interval plus two seconds (3 intervals
 *       at 1 s heartbeats), as phi's acceptable pause and Chen's margin keep theirs; the adaptive
 *       margin shows only above it.
 * </ul>
 *
 * <p><b>Thread safety.</b> As {@link FailureDetector}: one writer, any number of readers, no lock,
 * no allocation on heartbeat or query.
 */
public final class BertierFailureDetector extends SequencedFailureDetector {

  /*
   * References
   * [1] M. Bertier, O. Marin, P. Sens. Implementation and performance evaluation of an adaptable
   *     failure detector. DSN 2002. (beta = 1, phi = 4, gamma = 0.1 as in the paper.)
   * [2] V. Jacobson. Congestion avoidance and control. SIGCOMM 1988.
   */

  private final int windowSize;
  private final double delayWeight;
  private final double gain;
  private volatile double varianceWeight;
  private final long minMarginNanos;

  /** Writer-owned. */
  private final ExpectedArrivalEstimator estimator;
  private double writerDelayNanos;
  private double writerVarianceNanos;

  // Published.
  private double delayNanos;
  private double varianceNanos;

  BertierFailureDetector(DetectorSpec.Bertier spec, NanoClock clock) {
    super(clock, spec.interval().toNanos());
    this.windowSize = spec.window();
    this.delayWeight = spec.delayWeight();
    this.gain = spec.gain();
    this.varianceWeight = spec.varianceWeight();
    this.minMarginNanos = spec.minMargin().toNanos();
    this.estimator = new ExpectedArrivalEstimator(heartbeatIntervalNanos, windowSize);
    this.varianceNanos = heartbeatIntervalNanos / 2.0;
  }


  /** Returns a builder with the paper's defaults and a 1 s interval, window 1000. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  long startEstimate(long sequence, long nowNanos) {
    estimator.start(sequence, nowNanos);
    writerDelayNanos = 0.0;
    writerVarianceNanos = heartbeatIntervalNanos / 2.0;
    return estimator.expectedNextDelayNanos();
  }

  @Override
  long updateEstimate(long sequence, long nowNanos) {
    double lateness = (double) (nowNanos - writerLastHeartbeatNanos())
        - estimator.expectedDelayNanos(sequence);
    double error = lateness - writerDelayNanos;
    writerDelayNanos += gain * error;
    writerVarianceNanos += gain * (Math.abs(error) - writerVarianceNanos);
    estimator.record(sequence, nowNanos);
    return estimator.expectedNextDelayNanos();
  }

  @Override
  void publishEstimate() {
    delayNanos = writerDelayNanos;
    varianceNanos = writerVarianceNanos;
  }

  /** Returns phi, the weight of the error's mean deviation in the margin. */
  public double varianceWeight() {
    return varianceWeight;
  }

  /**
   * Changes phi, the weight of the mean deviation in the margin, from any thread.
   *
   * @throws IllegalArgumentException if not a finite number >= 0
   */
  public void setVarianceWeight(double varianceWeight) {
    this.varianceWeight = SpecText.nonNegativeFinite("bertier", "variance-weight",
        varianceWeight);
  }

  @Override
  void retune(DetectorSpec spec) {
    setVarianceWeight(((DetectorSpec.Bertier) spec).varianceWeight());
  }

  /** Returns beta, the weight of the mean lateness in the margin. */
  public double delayWeight() {
    return delayWeight;
  }

  /** Returns gamma, the smoothing gain. */
  /** Returns the least margin. */
  public Duration minMargin() {
    return Duration.ofNanos(minMarginNanos);
  }

  public double gain() {
    return gain;
  }

  /** Returns the number of heartbeats averaged. */
  public int windowSize() {
    return windowSize;
  }

  @Override
  long publishedTimeoutNanos() {
    double margin = Math.max(minMarginNanos,
        delayWeight * delayNanos + varianceWeight * varianceNanos);
    return clampTimeout(expectedDelayNanos + margin);
  }

  @Override
  public String toString() {
    return "BertierFailureDetector[heartbeatInterval=" + heartbeatInterval() + ", timeout="
        + Duration.ofNanos(timeoutNanos()) + "]";
  }

  /**
   * A view over {@link DetectorSpec.Bertier}: each setter sets one of the spec's settings (named in
   * brackets), checked by the spec, whose errors name the spec's key ({@code "bertier gain must be > 0 and <= 1, got 2"}). Defaults
   * are the spec's. Reusable: each {@link #build()} makes an independent detector. Not
   * thread-safe.
   */
  public static final class Builder {
    private DetectorSpec.Bertier spec = DetectorSpec.bertier();
    private NanoClock clock = NanoClock.system();

    private Builder() {}

    /** The sender's heartbeat interval ({@code interval}); default 1 s. */
    public Builder heartbeatInterval(Duration heartbeatInterval) {
      spec = spec.withInterval(heartbeatInterval);
      return this;
    }

    /** Heartbeats averaged for the expected arrival ({@code window}); default 1000. */
    public Builder windowSize(int windowSize) {
      spec = spec.withWindow(windowSize);
      return this;
    }

    /** Beta, the weight of the mean lateness in the margin ({@code delay-weight}); default 1. */
    public Builder delayWeight(double delayWeight) {
      spec = spec.withDelayWeight(delayWeight);
      return this;
    }

    /**
     * Phi, the weight of the mean deviation in the margin ({@code variance-weight}); default 4.
     */
    public Builder varianceWeight(double varianceWeight) {
      spec = spec.withVarianceWeight(varianceWeight);
      return this;
    }

    /** The least margin ({@code min-margin}); default 2 s, 0 for the paper's detector. */
    public Builder minMargin(Duration minMargin) {
      spec = spec.withMinMargin(minMargin);
      return this;
    }

    /** Gamma, the gain of the moving averages ({@code gain}); default 0.1. */
    public Builder gain(double gain) {
      spec = spec.withGain(gain);
      return this;
    }

    /** Clock used by methods without a time argument; default {@link NanoClock#system()}. */
    public Builder clock(NanoClock clock) {
      this.clock = Preconditions.notNull("clock", clock);
      return this;
    }

    /** Returns a new detector with these settings. */
    public BertierFailureDetector build() {
      return new BertierFailureDetector(spec, clock);
    }
  }
}
