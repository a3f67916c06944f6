package dev.failuredetector;

import java.time.Duration;

/** Every detector of the library, built with its defaults and a given clock, for contract tests. */
enum DetectorKind {
  PHI_LOGISTIC {
    @Override
    FailureDetector create(NanoClock clock) {
      return PhiAccrualFailureDetector.builder().clock(clock).build();
    }
  },
  PHI_NORMAL {
    @Override
    FailureDetector create(NanoClock clock) {
      return PhiAccrualFailureDetector.builder().distribution(PhiDistribution.NORMAL)
          .minStdDeviation(Duration.ofMillis(10)).clock(clock).build();
    }
  },
  PHI_EXPONENTIAL {
    @Override
    FailureDetector create(NanoClock clock) {
      return PhiAccrualFailureDetector.builder().distribution(PhiDistribution.EXPONENTIAL)
          .acceptableHeartbeatPause(Duration.ZERO).clock(clock).build();
    }
  },
  CHEN {
    @Override
    FailureDetector create(NanoClock clock) {
      return ChenFailureDetector.builder().clock(clock).build();
    }
  },
  BERTIER {
    @Override
    FailureDetector create(NanoClock clock) {
      return BertierFailureDetector.builder().clock(clock).build();
    }
  },
  TWO_WINDOW {
    @Override
    FailureDetector create(NanoClock clock) {
      return TwoWindowFailureDetector.builder().clock(clock).build();
    }
  },
  DEADLINE {
    @Override
    FailureDetector create(NanoClock clock) {
      return DeadlineFailureDetector.builder().clock(clock).build();
    }
  };

  abstract FailureDetector create(NanoClock clock);
}
