package dev.failuredetector;

import java.util.concurrent.CountDownLatch;

/** Waiting on a latch from a test's worker thread, where a checked exception has nowhere to go. */
final class Latches {

  private Latches() {}

  /** Waits for {@code latch}; an interrupt ends the wait and is kept on the thread. */
  static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
