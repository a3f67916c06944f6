package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Heartbeats and queries allocate nothing. Counted with the JVM's per-thread allocation counter,
 * which sees every allocation (code not yet compiled by C2 gets no escape analysis, so this is
 * stricter than a JMH {@code -prof gc} run). Not a timing test.
 */
class HotPathAllocationTest {

  private static final int OPERATIONS = 200_000;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  @ParameterizedTest
  @EnumSource(DetectorKind.class)
  void heartbeatAndQueries_allocateNothing(DetectorKind kind) {
    ManualClock clock = new ManualClock(0);
    FailureDetector detector = kind.create(clock);
    exercise(detector, clock, 0); // first heartbeat, class loading, seeding
    THREADS.getCurrentThreadAllocatedBytes();

    long before = THREADS.getCurrentThreadAllocatedBytes();
    long sink = exercise(detector, clock, OPERATIONS);
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;

    assertThat(sink).isNotZero();
    // One object per operation would be at least 16 B x 200,000 = 3.2 MB.
    assertThat(allocated).as("bytes allocated by %s operations of %s", OPERATIONS, kind)
        .isLessThan(1024);
  }

  private static long exercise(FailureDetector detector, ManualClock clock, int operations) {
    long sink = 1;
    long now = clock.nanoTime();
    for (int i = 0; i <= operations; i++) {
      now += 1_000_000_000L + (i % 7) * 3_000_000L;
      clock.set(now);
      if ((i & 1) == 0) {
        detector.heartbeat();
      } else {
        detector.heartbeat(i, now);
      }
      sink += detector.isAvailable(now + 2_000_000_000L) ? 1 : 2;
      sink += detector.suspectAtNanos() + detector.timeoutNanos();
      if (detector instanceof AccrualFailureDetector accrual) {
        sink += (long) accrual.phi(now + 1_500_000_000L);
      }
    }
    return sink;
  }
}
