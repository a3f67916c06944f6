package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BertierFailureDetectorTest {

  private static final long MS = 1_000_000L;
  private static final long T0 = 123 * MS;

  private final ManualClock clock = new ManualClock(T0);

  /** The paper's detector: no floor under the margin, so its estimator shows as it is. */
  private BertierFailureDetector.Builder eta100() {
    return BertierFailureDetector.builder().heartbeatInterval(Duration.ofMillis(100))
        .minMargin(Duration.ZERO).clock(clock);
  }

  @Test
  void defaultFloor_keepsTheMarginAtLeastTwoSeconds_onAQuietNetwork() {
    BertierFailureDetector detector = BertierFailureDetector.builder()
        .heartbeatInterval(Duration.ofMillis(100)).clock(clock).build();
    assertThat(detector.minMargin()).isEqualTo(Duration.ofSeconds(2));
    for (int seq = 1; seq <= 200; seq++) {
      detector.heartbeat(seq, T0 + seq * 100 * MS); // exactly on time: the paper's margin -> 0
    }
    assertThat(detector.timeoutNanos()).isEqualTo(2_100 * MS);
    BertierFailureDetector paper = eta100().build();
    for (int seq = 1; seq <= 200; seq++) {
      paper.heartbeat(seq, T0 + seq * 100 * MS);
    }
    assertThat(paper.timeoutNanos()).as("the paper's, with no floor")
        .isLessThan(detector.timeoutNanos() / 10);
  }

  @Test
  void knownValues_marginFollowsJacobsonsEstimator() {
    BertierFailureDetector detector = eta100().build(); // beta 1, phi 4, gamma 0.1
    // Before any error: delay 0, var = eta/2 = 50 ms, alpha = 200 ms; EA = last + 100 ms.
    assertThat(detector.timeoutNanos()).isEqualTo(300 * MS);
    detector.heartbeat(0, T0);
    assertThat(detector.timeoutNanos()).isEqualTo(300 * MS);

    // Heartbeat 1 at 110 ms, expected at 100: error 10, delay 1, var 46, alpha 185.
    // Offsets (0, 10), mean 5: next expected 95 ms after it. Timeout 95 + 185 = 280 ms.
    detector.heartbeat(1, T0 + 110 * MS);
    assertThat((double) detector.timeoutNanos()).isCloseTo(280 * MS, within(1.0));

    // Heartbeat 2 at 190 ms, expected 95 after 110 = 205: lateness -15, error -16,
    // delay -0.6, var 43, alpha 171.4. Offsets (0, 10, -10), mean 0: next expected 110 after.
    detector.heartbeat(2, T0 + 190 * MS);
    assertThat((double) detector.timeoutNanos()).isCloseTo(281.4 * MS, within(1.0));
  }

  @Test
  void quietNetwork_marginShrinksToTheJitter() {
    BertierFailureDetector detector = eta100().build();
    for (int seq = 0; seq < 500; seq++) {
      detector.heartbeat(seq, T0 + seq * 100 * MS + (seq % 2) * MS); // 1 ms jitter
    }
    // error alternates around +-1 ms: var tends to about 1 ms, alpha to about 4 ms
    assertThat(detector.timeoutNanos()).isBetween(100 * MS, 110 * MS);
  }

  @Test
  void setVarianceWeight_appliesAtOnce_andRejectsBadValues() {
    BertierFailureDetector detector = eta100().build();
    detector.heartbeat(0, T0);
    detector.setVarianceWeight(0);
    assertThat(detector.timeoutNanos()).isEqualTo(100 * MS);
    assertThat(detector.varianceWeight()).isZero();
    assertThatThrownBy(() -> detector.setVarianceWeight(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bertier variance-weight must be a finite number >= 0, got NaN");
  }

  @Test
  void builder_rejectsBadSettings() {
    assertThatThrownBy(() -> BertierFailureDetector.builder().gain(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("bertier gain must be > 0 and <= 1, got 0");
    assertThatThrownBy(() -> BertierFailureDetector.builder().gain(1.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("bertier gain must be > 0 and <= 1, got 1.5");
    assertThatThrownBy(() -> BertierFailureDetector.builder().delayWeight(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bertier delay-weight must be a finite number >= 0, got -1");
    assertThatThrownBy(() -> BertierFailureDetector.builder().windowSize(-3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bertier window must be between 1 and 1048576, got -3");
  }
}
