package dev.failuredetector;

import java.time.Duration;

/**
 * A fixed timeout, with the semantics of Pekko's {@code DeadlineFailureDetector}: the peer is
 * available while {@code now - lastHeartbeat < heartbeatInterval + acceptableHeartbeatPause}.
 *
 * <p>The baseline the adaptive detectors are measured against, and the right choice when the
 * timeout is dictated from outside (a lease, a protocol constant). Settings: {@code
 * heartbeatInterval} (1 s) and {@code acceptableHeartbeatPause} (3 s), the latter changeable at run
 * time. Unlike Pekko, a heartbeat earlier than the last one is ignored rather than moving the last
 * arrival back.
 *
 * <p><b>Thread safety.</b> As {@link FailureDetector}: one writer, any number of readers, no lock,
 * no allocation on heartbeat or query.
 */
public final class DeadlineFailureDetector extends SingleWriterFailureDetector {

  private final long heartbeatIntervalNanos;
  private volatile long acceptableHeartbeatPauseNanos;

  DeadlineFailureDetector(DetectorSpec.Deadline spec, NanoClock clock) {
    super(clock);
    this.heartbeatIntervalNanos = spec.interval().toNanos();
    this.acceptableHeartbeatPauseNanos = spec.pause().toNanos();
  }


  /** Returns a builder with the defaults: interval 1 s, pause 3 s. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void heartbeat(long nowNanos) {
    if (isStale(nowNanos)) {
      return;
    }
    beginPublish();
    publishHeartbeat(nowNanos);
    endPublish();
  }

  /** Returns the expected heartbeat interval. */
  public Duration heartbeatInterval() {
    return Duration.ofNanos(heartbeatIntervalNanos);
  }

  /** Returns the pause tolerated on top of the interval. */
  public Duration acceptableHeartbeatPause() {
    return Duration.ofNanos(acceptableHeartbeatPauseNanos);
  }

  /**
   * Changes the tolerated pause for every later query, from any thread.
   *
   * @throws IllegalArgumentException if negative or more than one day
   */
  public void setAcceptableHeartbeatPause(Duration acceptableHeartbeatPause) {
    this.acceptableHeartbeatPauseNanos =
        SpecText.nonNegative("deadline", "pause", acceptableHeartbeatPause);
  }

  @Override
  void retune(DetectorSpec spec) {
    setAcceptableHeartbeatPause(((DetectorSpec.Deadline) spec).pause());
  }

  @Override
  long publishedTimeoutNanos() {
    return heartbeatIntervalNanos + acceptableHeartbeatPauseNanos;
  }

  @Override
  public String toString() {
    return "DeadlineFailureDetector[timeout=" + Duration.ofNanos(timeoutNanos()) + "]";
  }

  /**
   * A view over {@link DetectorSpec.Deadline}: each setter sets one of the spec's settings (named in
   * brackets), checked by the spec, whose errors name the spec's key ({@code "deadline pause must be >= 0 and <= 1d, got -1s"}). Defaults
   * are the spec's. Reusable: each {@link #build()} makes an independent detector. Not
   * thread-safe.
   */
  public static final class Builder {
    private DetectorSpec.Deadline spec = DetectorSpec.deadline();
    private NanoClock clock = NanoClock.system();

    private Builder() {}

    /** Expected heartbeat interval ({@code interval}); default 1 s. */
    public Builder heartbeatInterval(Duration heartbeatInterval) {
      spec = spec.withInterval(heartbeatInterval);
      return this;
    }

    /** Pause tolerated on top of the interval ({@code pause}); default 3 s. */
    public Builder acceptableHeartbeatPause(Duration acceptableHeartbeatPause) {
      spec = spec.withPause(acceptableHeartbeatPause);
      return this;
    }

    /** Clock used by methods without a time argument; default {@link NanoClock#system()}. */
    public Builder clock(NanoClock clock) {
      this.clock = Preconditions.notNull("clock", clock);
      return this;
    }

    /** Returns a new detector with these settings. */
    public DeadlineFailureDetector build() {
      return new DeadlineFailureDetector(spec, clock);
    }
  }
}
