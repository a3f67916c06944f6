package dev.failuredetector;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The publication mechanism every detector shares: one writer thread updates the state after a
 * heartbeat, any thread reads a consistent snapshot of it, with no lock and no allocation.
 *
 * <p>It is a sequence lock for a single writer. The writer makes the version odd, writes the
 * published fields, then makes it even again (release). A reader reads the version (acquire), the
 * fields, then checks that the version is even and unchanged; if not, a heartbeat was being
 * recorded meanwhile and it reads again. The writer never waits; a reader retries only while a
 * write (a few dozen nanoseconds) is in progress. Code that runs inside a read attempt may see
 * torn values, so it must not throw or loop unboundedly on any input: its result is discarded.
 *
 * <p>Subclasses publish their own fields between {@link #beginPublish()} and {@link
 * #endPublish()} and compute their timeout from them in {@link #publishedTimeoutNanos()}.
 */
abstract class SingleWriterFailureDetector implements FailureDetector {

  /** Largest timeout any detector reports, 2<sup>62</sup> ns (146 years): effectively never. */
  static final long MAX_TIMEOUT_NANOS = 1L << 62;

  private static final VarHandle VERSION;

  static {
    try {
      VERSION = MethodHandles.lookup()
          .findVarHandle(SingleWriterFailureDetector.class, "version", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final NanoClock clock;

  /** Even when the published fields are stable, odd while the writer updates them. */
  @SuppressWarnings("unused") // accessed through VERSION
  private volatile long version;

  // Published fields: written by the writer between beginPublish and endPublish, read by
  // subclasses only inside a read attempt (readStamp ... validate).
  boolean monitoring;
  long lastHeartbeatNanos;

  SingleWriterFailureDetector(NanoClock clock) {
    this.clock = clock;
  }

  /**
   * Computes the current timeout from the published fields (and settings that may change at run
   * time). Called inside a read attempt: see the class comment.
   */
  abstract long publishedTimeoutNanos();

  /**
   * Sets this detector's tuning setting ({@link DetectorSpec#tuningKey()}) to {@code spec}'s, a
   * spec of this detector's kind; from any thread. Each detector maps its own setting, beside
   * the field it sets.
   */
  abstract void retune(DetectorSpec spec);

  @Override
  public final void heartbeat() {
    heartbeat(clock.nanoTime());
  }

  @Override
  public final boolean isAvailable() {
    return isAvailable(clock.nanoTime());
  }

  @Override
  public final boolean isAvailable(long nowNanos) {
    boolean available;
    long stamp;
    do {
      stamp = readStamp();
      available = !monitoring || nowNanos - lastHeartbeatNanos < publishedTimeoutNanos();
    } while (!validate(stamp));
    return available;
  }

  @Override
  public final boolean isMonitoring() {
    boolean result;
    long stamp;
    do {
      stamp = readStamp();
      result = monitoring;
    } while (!validate(stamp));
    return result;
  }

  @Override
  public final long suspectAtNanos() {
    long result;
    long stamp;
    do {
      stamp = readStamp();
      result = monitoring ? lastHeartbeatNanos + publishedTimeoutNanos() : NO_DEADLINE;
    } while (!validate(stamp));
    return result;
  }

  @Override
  public final long timeoutNanos() {
    long result;
    long stamp;
    do {
      stamp = readStamp();
      result = publishedTimeoutNanos();
    } while (!validate(stamp));
    return result;
  }

  @Override
  public final long lastHeartbeatNanos() {
    long result;
    long stamp;
    do {
      stamp = readStamp();
      result = monitoring ? lastHeartbeatNanos : NO_DEADLINE;
    } while (!validate(stamp));
    return result;
  }

  // ---- writer side -------------------------------------------------------------------------

  /** Writer only: whether a heartbeat has been published. Reads the field the writer itself wrote. */
  final boolean writerMonitoring() {
    return monitoring;
  }

  /** Writer only: the last published heartbeat time. */
  final long writerLastHeartbeatNanos() {
    return lastHeartbeatNanos;
  }

  /**
   * Writer only: whether a heartbeat at {@code nowNanos} is stale, i.e. earlier than the last
   * recorded one, and must be ignored.
   */
  final boolean isStale(long nowNanos) {
    return monitoring && nowNanos - lastHeartbeatNanos < 0;
  }

  /** Writer only: starts an update of the published fields. */
  final void beginPublish() {
    long current = (long) VERSION.getOpaque(this);
    VERSION.setOpaque(this, current + 1);
    VarHandle.storeStoreFence(); // the odd version becomes visible before any field write
  }

  /** Writer only: publishes the heartbeat time; call between beginPublish and endPublish. */
  final void publishHeartbeat(long nowNanos) {
    monitoring = true;
    lastHeartbeatNanos = nowNanos;
  }

  /** Writer only: ends an update; readers that overlapped it will retry. */
  final void endPublish() {
    long current = (long) VERSION.getOpaque(this);
    VERSION.setRelease(this, current + 1);
  }

  // ---- reader side -------------------------------------------------------------------------

  /** Starts a read attempt; pairs with the release in {@link #endPublish()}. */
  final long readStamp() {
    return (long) VERSION.getAcquire(this);
  }

  /** Ends a read attempt: true if the fields read since {@code stamp} form a consistent snapshot. */
  final boolean validate(long stamp) {
    VarHandle.loadLoadFence(); // field reads complete before the version is read again
    boolean consistent = (stamp & 1) == 0 && stamp == (long) VERSION.getOpaque(this);
    if (!consistent) {
      Thread.onSpinWait();
    }
    return consistent;
  }

  static long clampTimeout(double timeoutNanos) {
    if (!(timeoutNanos > 0)) {
      return 0; // also NaN, which only a torn read could produce
    }
    return timeoutNanos >= MAX_TIMEOUT_NANOS ? MAX_TIMEOUT_NANOS : (long) Math.ceil(timeoutNanos);
  }
}
