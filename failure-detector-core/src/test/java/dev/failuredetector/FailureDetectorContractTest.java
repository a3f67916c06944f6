package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What {@link FailureDetector} promises, checked on every detector. */
class FailureDetectorContractTest {

  private static final long SECOND = 1_000_000_000L;
  private static final long T0 = Long.MIN_VALUE + 5 * SECOND; // just past the wrap

  private final ManualClock clock = new ManualClock(T0);

  @ParameterizedTest
  @EnumSource(DetectorKind.class)
  void beforeFirstHeartbeat_availableAndNotMonitoring(DetectorKind kind) {
    FailureDetector detector = kind.create(clock);
    assertThat(detector.isMonitoring()).isFalse();
    assertThat(detector.isAvailable()).isTrue();
    assertThat(detector.isAvailable(T0 + 1_000_000 * SECOND)).isTrue();
    assertThat(detector.suspectAtNanos()).isEqualTo(FailureDetector.NO_DEADLINE);
    assertThat(detector.lastHeartbeatNanos()).isEqualTo(FailureDetector.NO_DEADLINE);
    assertThat(detector.timeoutNanos()).isPositive();
    if (detector instanceof AccrualFailureDetector accrual) {
      assertThat(accrual.phi()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(DetectorKind.class)
  void firstHeartbeat_startsMonitoringWithADeadline(DetectorKind kind) {
    FailureDetector detector = kind.create(clock);
    detector.heartbeat();
    assertThat(detector.isMonitoring()).isTrue();
    assertThat(detector.lastHeartbeatNanos()).isEqualTo(T0);
    assertThat(detector.suspectAtNanos()).isEqualTo(T0 + detector.timeoutNanos());
    assertThat(detector.isAvailable()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(DetectorKind.class)
  void crashedPeer_isSuspectedAtItsDeadlineAndStaysSuspected(DetectorKind kind) {
    FailureDetector detector = kind.create(clock);
    for (int i = 0; i < 100; i++) {
      detector.heartbeat();
      clock.set(clock.nanoTime() + SECOND);
    }
    long suspectAt = detector.suspectAtNanos();
    assertThat(suspectAt - detector.lastHeartbeatNanos()).isBetween(SECOND, 30 * SECOND);
    assertThat(detector.isAvailable(suspectAt - 1)).isTrue();
    for (long later = 0; later < 3600 * SECOND; later += 7 * SECOND + 1) {
      assertThat(detector.isAvailable(suspectAt + later)).isFalse();
    }
  }

  @ParameterizedTest
  @EnumSource(DetectorKind.class)
  void staleHeartbeat_isIgnored(DetectorKind kind) {
    FailureDetector detector = kind.create(clock);
    detector.heartbeat(T0);
    detector.heartbeat(T0 + SECOND);
    long timeout = detector.timeoutNanos();
    detector.heartbeat(T0 + SECOND / 2);
    detector.heartbeat(3, T0 + SECOND / 3);
    assertThat(detector.lastHeartbeatNanos()).isEqualTo(T0 + SECOND);
    assertThat(detector.timeoutNanos()).isEqualTo(timeout);
  }

  @ParameterizedTest
  @EnumSource(DetectorKind.class)
  void heartbeatsAtTheSameInstant_keepEveryAnswerDefined(DetectorKind kind) {
    FailureDetector detector = kind.create(clock);
    for (int i = 0; i < 2000; i++) {
      detector.heartbeat(T0);
    }
    assertThat(detector.timeoutNanos()).isNotNegative();
    assertThat(detector.suspectAtNanos()).isEqualTo(T0 + detector.timeoutNanos());
    if (detector instanceof AccrualFailureDetector accrual) {
      assertThat(accrual.phi(T0 + SECOND)).isNotNaN();
    }
  }

  /** Random arrivals (with losses, bursts, pauses, clock steps back): the answers stay coherent. */
  @ParameterizedTest
  @EnumSource(DetectorKind.class)
  void seededSweep_availabilityMatchesTheDeadline_neverThrowsNorNaN(DetectorKind kind) {
    for (int seed = 0; seed < 100; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      FailureDetector detector = kind.create(clock);
      long now = random.nextLong();
      long sequence = random.nextLong();
      for (int i = 0; i < 500; i++) {
        now += switch (random.nextInt(10)) {
          case 0 -> 0;
          case 1 -> -random.nextLong(SECOND);
          case 2 -> random.nextLong(60 * SECOND);
          default -> SECOND + random.nextLong(-SECOND / 10, SECOND / 10);
        };
        sequence += random.nextInt(10) == 0 ? random.nextInt(-2, 5) : 1;
        if (random.nextBoolean()) {
          detector.heartbeat(sequence, now);
        } else {
          detector.heartbeat(now);
        }
        String context = kind + " seed=" + seed + " i=" + i;
        long timeout = detector.timeoutNanos();
        long suspectAt = detector.suspectAtNanos();
        assertThat(timeout).as(context).isNotNegative();
        assertThat(suspectAt - detector.lastHeartbeatNanos()).as(context).isEqualTo(timeout);
        if (timeout > 0) {
          assertThat(detector.isAvailable(suspectAt - 1)).as(context).isTrue();
        }
        assertThat(detector.isAvailable(suspectAt)).as(context).isFalse();
        long probe = now + random.nextLong();
        boolean available = detector.isAvailable(probe);
        assertThat(available).as(context)
            .isEqualTo(probe - detector.lastHeartbeatNanos() < timeout);
        if (detector instanceof AccrualFailureDetector accrual) {
          assertThat(accrual.phi(probe)).as(context).isNotNaN().isNotNegative();
        }
      }
    }
  }
}
