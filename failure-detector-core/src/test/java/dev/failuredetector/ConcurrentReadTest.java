package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One writer records heartbeats while readers query: every deadline a reader sees must be one the
 * detector really had after some heartbeat (a torn read of last arrival and timeout would give a
 * value that never existed). The legitimate values come from replaying the same heartbeats on a
 * second detector in one thread.
 */
class ConcurrentReadTest {

  private static final int HEARTBEATS = 300_000;
  private static final int READERS = 2;
  private static final int SAMPLES_PER_READER = 1 << 20;

  @ParameterizedTest
  @EnumSource(DetectorKind.class)
  void readersSeeOnlyDeadlinesThatExisted(DetectorKind kind) throws InterruptedException {
    long[] arrivals = arrivals(kind.ordinal());
    Set<Long> legitimate = new HashSet<>();
    legitimate.add(FailureDetector.NO_DEADLINE);
    FailureDetector replica = kind.create(new ManualClock(0));
    for (long arrival : arrivals) {
      replica.heartbeat(arrival);
      legitimate.add(replica.suspectAtNanos());
    }

    FailureDetector detector = kind.create(new ManualClock(0));
    AtomicBoolean writing = new AtomicBoolean(true);
    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch readersRunning = new CountDownLatch(READERS);
    long[][] seen = new long[READERS][SAMPLES_PER_READER];
    int[] seenCount = new int[READERS];
    Thread[] readers = new Thread[READERS];
    for (int r = 0; r < READERS; r++) {
      int reader = r;
      readers[r] = new Thread(() -> {
        Latches.awaitQuietly(start);
        seen[reader][0] = detector.suspectAtNanos();
        int n = 1;
        readersRunning.countDown();
        while (writing.get() && n < SAMPLES_PER_READER) {
          seen[reader][n++] = detector.suspectAtNanos();
        }
        seenCount[reader] = n;
      }, "reader-" + r);
      readers[r].start();
    }
    start.countDown();
    readersRunning.await(); // so that reads and writes overlap even when writing is quick
    for (long arrival : arrivals) {
      detector.heartbeat(arrival);
    }
    writing.set(false);
    for (Thread reader : readers) {
      reader.join(TimeUnit.MINUTES.toMillis(2));
      assertThat(reader.isAlive()).isFalse();
    }

    long checked = 0;
    for (int r = 0; r < READERS; r++) {
      for (int i = 0; i < seenCount[r]; i++) {
        if (!legitimate.contains(seen[r][i])) {
          fail(kind + " reader " + r + " saw a deadline that never existed: " + seen[r][i]);
        }
        checked++;
      }
    }
    assertThat(checked).isPositive();
  }

  /** Irregular arrivals, so that each heartbeat changes the statistics and the deadline. */
  private static long[] arrivals(int seed) {
    SplittableRandom random = new SplittableRandom(seed);
    long[] arrivals = new long[HEARTBEATS];
    long now = 0;
    for (int i = 0; i < HEARTBEATS; i++) {
      now += 900_000_000L + random.nextLong(200_000_000L);
      arrivals[i] = now;
    }
    return arrivals;
  }
}
