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
 * </ul>
 * On a quiet network the margin shrinks to a few deviations of the jitter: the detector is fast
 * and, when the network hiccups, wrong more often than the others.
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

  /** Writer-owned. */
  private final ExpectedArrivalEstimator estimator;
  private double writerDelayNanos;
  private double writerVarianceNanos;

  // Published.
  private double delayNanos;
  private double varianceNanos;

  private BertierFailureDetector(Builder builder) {
    super(builder.clock, builder.heartbeatIntervalNanos);
    this.windowSize = builder.windowSize;
    this.delayWeight = builder.delayWeight;
    this.gain = builder.gain;
    this.varianceWeight = builder.varianceWeight;
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
    this.varianceWeight = Preconditions.nonNegativeFinite("varianceWeight", varianceWeight);
  }

  /** Returns beta, the weight of the mean lateness in the margin. */
  public double delayWeight() {
    return delayWeight;
  }

  /** Returns gamma, the smoothing gain. */
  public double gain() {
    return gain;
  }

  /** Returns the number of heartbeats averaged. */
  public int windowSize() {
    return windowSize;
  }

  @Override
  long publishedTimeoutNanos() {
    double margin = delayWeight * delayNanos + varianceWeight * varianceNanos;
    return clampTimeout(expectedDelayNanos + margin);
  }

  @Override
  public String toString() {
    return "BertierFailureDetector[heartbeatInterval=" + heartbeatInterval() + ", timeout="
        + Duration.ofNanos(timeoutNanos()) + "]";
  }

  /**
   * Settings for {@link BertierFailureDetector}; each setter checks its value at once. Reusable.
   * Not thread-safe.
   */
  public static final class Builder {
    private long heartbeatIntervalNanos = Duration.ofSeconds(1).toNanos();
    private int windowSize = 1000;
    private double delayWeight = 1.0;
    private double varianceWeight = 4.0;
    private double gain = 0.1;
    private NanoClock clock = NanoClock.system();

    private Builder() {}

    /**
     * The sender's heartbeat interval (eta); default 1 s.
     *
     * @throws IllegalArgumentException if not above zero and at most one day
     */
    public Builder heartbeatInterval(Duration heartbeatInterval) {
      this.heartbeatIntervalNanos =
          Preconditions.positiveNanos("heartbeatInterval", heartbeatInterval);
      return this;
    }

    /**
     * Heartbeats averaged by Chen's estimate; default 1000.
     *
     * @throws IllegalArgumentException if not between 1 and {@link HeartbeatHistory#MAX_CAPACITY}
     */
    public Builder windowSize(int windowSize) {
      this.windowSize = Preconditions.windowSize("windowSize", windowSize);
      return this;
    }

    /**
     * Beta, the weight of the mean lateness in the margin; default 1.
     *
     * @throws IllegalArgumentException if not a finite number >= 0
     */
    public Builder delayWeight(double delayWeight) {
      this.delayWeight = Preconditions.nonNegativeFinite("delayWeight", delayWeight);
      return this;
    }

    /**
     * Phi, the weight of the mean deviation in the margin; default 4.
     *
     * @throws IllegalArgumentException if not a finite number >= 0
     */
    public Builder varianceWeight(double varianceWeight) {
      this.varianceWeight = Preconditions.nonNegativeFinite("varianceWeight", varianceWeight);
      return this;
    }

    /**
     * Gamma, how fast delay and deviation follow new errors; default 0.1.
     *
     * @throws IllegalArgumentException if not above 0 and at most 1
     */
    public Builder gain(double gain) {
      this.gain = Preconditions.inUnitInterval("gain", gain);
      return this;
    }

    /** Clock used by methods without a time argument; default {@link NanoClock#system()}. */
    public Builder clock(NanoClock clock) {
      this.clock = Preconditions.notNull("clock", clock);
      return this;
    }

    /** Returns a new detector with these settings. */
    public BertierFailureDetector build() {
      return new BertierFailureDetector(this);
    }
  }
}
