package dev.failuredetector;

/**
 * Calls a registry's timer tick periodically. The default runs a daemon thread; tests inject one
 * they drive by hand.
 */
@FunctionalInterface
public interface TickScheduler {

  /**
   * Starts calling {@code tick} every {@code periodNanos} until the returned handle is stopped.
   * Calls must not overlap. A late call is made as soon as possible, then the schedule resumes
   * from the current time (no burst of catch-up calls after a pause).
   */
  Ticking start(Runnable tick, long periodNanos);

  /** A running schedule. */
  interface Ticking {
    /** Stops the calls; returns once no further call will start. Idempotent. */
    void stop();
  }

  /**
   * Returns a scheduler that runs each schedule on its own daemon thread named {@code threadName},
   * timing it with {@link System#nanoTime()}. An exception thrown by the tick stops nothing: the
   * next tick runs on time.
   */
  static TickScheduler daemonThread(String threadName) {
    return (tick, periodNanos) -> new DaemonThreadTicking(threadName, tick, periodNanos);
  }
}
