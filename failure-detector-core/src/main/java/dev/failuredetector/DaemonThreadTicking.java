package dev.failuredetector;

import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link TickScheduler#daemonThread(String)}: one daemon thread calling the tick on time. */
final class DaemonThreadTicking implements TickScheduler.Ticking {

  private static final Logger LOG = LoggerFactory.getLogger(TickScheduler.class);

  private final Thread thread;
  private volatile boolean stopped;

  DaemonThreadTicking(String threadName, Runnable tick, long periodNanos) {
    this.thread = new Thread(() -> run(tick, periodNanos), threadName);
    thread.setDaemon(true);
    thread.start();
  }

  private void run(Runnable tick, long periodNanos) {
    long next = System.nanoTime() + periodNanos;
    while (!stopped) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(this, wait);
        continue;
      }
      try {
        tick.run();
      } catch (RuntimeException | Error e) {
        LOG.error("failure detector tick failed; ticking goes on", e);
      }
      next += periodNanos;
      long now = System.nanoTime();
      if (now - next > 0) {
        next = now + periodNanos; // late (a pause): resume from now, no burst of catch-up ticks
      }
    }
  }

  @Override
  public void stop() {
    stopped = true;
    LockSupport.unpark(thread);
    if (Thread.currentThread() != thread) {
      boolean interrupted = false;
      while (thread.isAlive()) {
        try {
          thread.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
