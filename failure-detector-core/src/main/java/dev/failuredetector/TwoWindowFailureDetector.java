package dev.failuredetector;

import java.time.Duration;

/**
 * 2W-FD (Tomsic, Sens, Garcia, Arantes, Sopena 2015): Chen's estimate computed over two windows,
 * a short one that reacts at once to a sudden rise in delay and a long one that remembers the
 * usual behaviour; the peer is suspected once the later of the two expected arrivals plus a
 * safety margin has passed.
 *
 * <pre>  suspectAt = max(EA_short(l+1), EA_long(l+1)) + safetyMargin</pre>
 *
 * <p>With the short window, a burst of late heartbeats raises the timeout immediately instead of
 * after many samples, which avoids the run of wrong suspicions a single long window makes when the
 * network changes regime; the long window keeps the timeout from collapsing after one early
 * heartbeat. Uses sequence numbers like {@link ChenFailureDetector} (same rules for loss,
 * duplicates and number-less heartbeats).
 *
 * <p><b>Settings:</b> {@code heartbeatInterval} (1 s, the sender's eta), {@code shortWindowSize}
 * (1, as in the paper), {@code longWindowSize} (1000), {@code safetyMargin} (3 s, alpha; the
 * detection-time versus mistakes knob, changeable at run time).
 *
 * <p><b>Thread safety.</b> As {@link FailureDetector}: one writer, any number of readers, no lock,
 * no allocation on heartbeat or query.
 */
public final class TwoWindowFailureDetector extends SequencedFailureDetector {

  /*
   * References
   * [1] A. Tomsic, P. Sens, J. Garcia, L. Arantes, J. Sopena. 2W-FD: A failure detector algorithm
   *     with QoS. IPDPS 2015.
   * [2] Chen, Toueg, Aguilera 2002 (the estimate used for each window).
   */

  private final int shortWindowSize;
  private final int longWindowSize;
  private volatile long safetyMarginNanos;

  /** Writer-owned. */
  private final ExpectedArrivalEstimator shortWindow;
  private final ExpectedArrivalEstimator longWindow;

  TwoWindowFailureDetector(DetectorSpec.TwoWindow spec, NanoClock clock) {
    super(clock, spec.interval().toNanos());
    this.shortWindowSize = spec.shortWindow();
    this.longWindowSize = spec.longWindow();
    this.safetyMarginNanos = spec.margin().toNanos();
    this.shortWindow = new ExpectedArrivalEstimator(heartbeatIntervalNanos, shortWindowSize);
    this.longWindow = new ExpectedArrivalEstimator(heartbeatIntervalNanos, longWindowSize);
  }


  /** Returns a builder with the defaults: interval 1 s, windows 1 and 1000, safety margin 3 s. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  long startEstimate(long sequence, long nowNanos) {
    shortWindow.start(sequence, nowNanos);
    longWindow.start(sequence, nowNanos);
    return laterExpectedDelayNanos();
  }

  @Override
  long updateEstimate(long sequence, long nowNanos) {
    shortWindow.record(sequence, nowNanos);
    longWindow.record(sequence, nowNanos);
    return laterExpectedDelayNanos();
  }

  private long laterExpectedDelayNanos() {
    return Math.max(shortWindow.expectedNextDelayNanos(), longWindow.expectedNextDelayNanos());
  }

  /** Returns alpha, the margin added to the later expected arrival. */
  public Duration safetyMargin() {
    return Duration.ofNanos(safetyMarginNanos);
  }

  @Override
  void retune(DetectorSpec spec) {
    setSafetyMargin(((DetectorSpec.TwoWindow) spec).margin());
  }

  /**
   * Changes the safety margin for every later query, from any thread.
   *
   * @throws IllegalArgumentException if negative or more than one day
   */
  public void setSafetyMargin(Duration safetyMargin) {
    this.safetyMarginNanos = SpecText.nonNegative("two-window", "margin", safetyMargin);
  }

  /** Returns the size of the short window. */
  public int shortWindowSize() {
    return shortWindowSize;
  }

  /** Returns the size of the long window. */
  public int longWindowSize() {
    return longWindowSize;
  }

  @Override
  long publishedTimeoutNanos() {
    return clampTimeout((double) expectedDelayNanos + safetyMarginNanos);
  }

  @Override
  public String toString() {
    return "TwoWindowFailureDetector[heartbeatInterval=" + heartbeatInterval() + ", windows="
        + shortWindowSize + "/" + longWindowSize + ", safetyMargin=" + safetyMargin()
        + ", timeout=" + Duration.ofNanos(timeoutNanos()) + "]";
  }

  /**
   * A view over {@link DetectorSpec.TwoWindow}: each setter sets one of the spec's settings (named in
   * brackets), checked by the spec, whose errors name the spec's key ({@code "two-window margin must be >= 0 and <= 1d, got -1s"}). Defaults
   * are the spec's. Reusable: each {@link #build()} makes an independent detector. Not
   * thread-safe.
   * The two windows are checked against each other ({@code short-window <= long-window}) by
   * {@link #build()}.
   */
  public static final class Builder {
    private DetectorSpec.TwoWindow spec = DetectorSpec.twoWindow();
    private int shortWindow = spec.shortWindow();
    private int longWindow = spec.longWindow();
    private NanoClock clock = NanoClock.system();

    private Builder() {}

    /** The sender's heartbeat interval ({@code interval}); default 1 s. */
    public Builder heartbeatInterval(Duration heartbeatInterval) {
      spec = spec.withInterval(heartbeatInterval);
      return this;
    }

    /** Heartbeats in the short window ({@code short-window}); default 1. */
    public Builder shortWindowSize(int shortWindowSize) {
      SpecText.window("two-window", "short-window", shortWindowSize);
      this.shortWindow = shortWindowSize;
      return this;
    }

    /** Heartbeats in the long window ({@code long-window}); default 1000. */
    public Builder longWindowSize(int longWindowSize) {
      SpecText.window("two-window", "long-window", longWindowSize);
      this.longWindow = longWindowSize;
      return this;
    }

    /** Margin added to the later of the two expected arrivals ({@code margin}); default 3 s. */
    public Builder safetyMargin(Duration safetyMargin) {
      spec = spec.withMargin(safetyMargin);
      return this;
    }

    /** Clock used by methods without a time argument; default {@link NanoClock#system()}. */
    public Builder clock(NanoClock clock) {
      this.clock = Preconditions.notNull("clock", clock);
      return this;
    }

    /**
     * Returns a new detector with these settings.
     *
     * @throws IllegalArgumentException if the short window is longer than the long one
     */
    public TwoWindowFailureDetector build() {
      return new TwoWindowFailureDetector(spec.withWindows(shortWindow, longWindow), clock);
    }
  }
}
