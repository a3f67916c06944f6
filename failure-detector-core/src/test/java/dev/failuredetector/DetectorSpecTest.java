package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DetectorSpecTest {

  @Test
  void parse_kindAlone_givesItsDefaults_andPrintsEverySetting() {
    assertThat(DetectorSpec.parse("phi").toString())
        .isEqualTo("phi:interval=1s,threshold=8,window=1000,min-std=100ms,pause=3s,"
            + "learn-suspicions=true");
    assertThat(DetectorSpec.parse("phi-normal").toString())
        .isEqualTo("phi-normal:interval=1s,threshold=8,window=1000,min-std=100ms,pause=3s,"
            + "learn-suspicions=true");
    assertThat(DetectorSpec.parse("phi-exponential").toString())
        .isEqualTo("phi-exponential:interval=1s,threshold=8,window=1000,min-std=100ms,pause=0s,"
            + "learn-suspicions=true");
    assertThat(DetectorSpec.parse("chen").toString())
        .isEqualTo("chen:interval=1s,window=1000,margin=3s");
    assertThat(DetectorSpec.parse("bertier").toString()).isEqualTo(
        "bertier:interval=1s,window=1000,delay-weight=1,variance-weight=4,gain=0.1,"
            + "min-margin=2s");
    assertThat(DetectorSpec.parse("two-window").toString())
        .isEqualTo("two-window:interval=1s,short-window=1,long-window=1000,margin=3s");
    assertThat(DetectorSpec.parse("deadline").toString())
        .isEqualTo("deadline:interval=1s,pause=3s");
  }

  @Test
  void parse_settings_withUnits_andWhitespace() {
    DetectorSpec spec = DetectorSpec.parse(" chen : margin = 1.5s , interval=250ms ");
    assertThat(spec).isEqualTo(DetectorSpec.chen().withInterval(Duration.ofMillis(250))
        .withMargin(Duration.ofMillis(1500)));
    assertThat(spec.toString()).isEqualTo("chen:interval=250ms,window=1000,margin=1500ms");
    assertThat(DetectorSpec.parse("deadline:pause=250us").toString())
        .isEqualTo("deadline:interval=1s,pause=250us");
    assertThat(DetectorSpec.parse("deadline:pause=2m,interval=1h").toString())
        .isEqualTo("deadline:interval=1h,pause=2m");
    assertThat(DetectorSpec.parse("phi:threshold=0.5").toString())
        .startsWith("phi:interval=1s,threshold=0.5,");
  }

  @Test
  void toString_parsesBack_forEveryKind_overASeededSweep() {
    long seed = 20261201;
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < 2_000; i++) {
      String kind = DetectorSpec.KINDS.get(random.nextInt(DetectorSpec.KINDS.size()));
      DetectorSpec spec = DetectorSpec.defaults(kind)
          .withInterval(Duration.ofNanos(1 + random.nextLong(Duration.ofDays(1).toNanos())));
      spec = switch (spec.tuningKey()) {
        case "threshold" -> spec.with("threshold", Double.toString(0.01 + random.nextDouble(60)));
        case "variance-weight" ->
            spec.with("variance-weight", Double.toString(random.nextDouble(5000)));
        default -> spec.with(spec.tuningKey(),
            random.nextLong(Duration.ofDays(1).toNanos() + 1) + "ns");
      };
      assertThat(DetectorSpec.parse(spec.toString())).as("seed %d, %s", seed, spec)
          .isEqualTo(spec);
    }
  }

  @Test
  void newDetector_carriesEverySetting() {
    ChenFailureDetector chen = (ChenFailureDetector) DetectorSpec
        .parse("chen:interval=100ms,window=50,margin=200ms").newDetector();
    assertThat(chen.heartbeatInterval()).isEqualTo(Duration.ofMillis(100));
    assertThat(chen.windowSize()).isEqualTo(50);
    assertThat(chen.safetyMargin()).isEqualTo(Duration.ofMillis(200));
    PhiAccrualFailureDetector phi = (PhiAccrualFailureDetector) DetectorSpec
        .parse("phi-normal:interval=100ms,threshold=3,window=20,min-std=10ms,pause=0s,"
            + "learn-suspicions=false")
        .newDetector();
    assertThat(phi.learnsFromRepeatedSuspicions()).isFalse();
    assertThat(((PhiAccrualFailureDetector) DetectorSpec.parse("phi").newDetector())
        .learnsFromRepeatedSuspicions()).isTrue();
    assertThat(phi.distribution()).isEqualTo(PhiDistribution.NORMAL);
    assertThat(phi.firstHeartbeatEstimate()).isEqualTo(Duration.ofMillis(100));
    assertThat(phi.threshold()).isEqualTo(3);
    assertThat(phi.maxSampleSize()).isEqualTo(20);
    assertThat(phi.minStdDeviation()).isEqualTo(Duration.ofMillis(10));
    assertThat(phi.acceptableHeartbeatPause()).isZero();
    BertierFailureDetector bertier = (BertierFailureDetector) DetectorSpec
        .parse("bertier:delay-weight=2,variance-weight=8,gain=0.5,window=10").newDetector();
    assertThat(bertier.delayWeight()).isEqualTo(2);
    assertThat(bertier.varianceWeight()).isEqualTo(8);
    assertThat(bertier.gain()).isEqualTo(0.5);
    assertThat(bertier.windowSize()).isEqualTo(10);
    TwoWindowFailureDetector two = (TwoWindowFailureDetector) DetectorSpec
        .parse("two-window:short-window=5,long-window=500,margin=1s").newDetector();
    assertThat(two.shortWindowSize()).isEqualTo(5);
    assertThat(two.longWindowSize()).isEqualTo(500);
    assertThat(two.safetyMargin()).isEqualTo(Duration.ofSeconds(1));
    DeadlineFailureDetector deadline = (DeadlineFailureDetector) DetectorSpec
        .parse("deadline:interval=50ms,pause=150ms").newDetector();
    assertThat(deadline.timeoutNanos()).isEqualTo(200_000_000L);
  }

  @Test
  void estimatorEwma_isWindowless_printedWhenChosen_andTheDefaultTextIsUnchanged() {
    DetectorSpec ewma = DetectorSpec.parse("phi:window=200,estimator=ewma");
    assertThat(ewma.toString()).isEqualTo("phi:interval=1s,threshold=8,window=200,min-std=100ms,"
        + "pause=3s,learn-suspicions=true,estimator=ewma");
    assertThat(DetectorSpec.parse(ewma.toString())).isEqualTo(ewma);
    assertThat(DetectorSpec.parse("phi").toString()).doesNotContain("estimator")
        .isEqualTo("phi:interval=1s,threshold=8,window=1000,min-std=100ms,pause=3s,"
            + "learn-suspicions=true");
    assertThat(DetectorSpec.parse("phi:estimator=window")).isEqualTo(DetectorSpec.phi());
    assertThat(DetectorSpec.phi().settings()).containsEntry("estimator", "window");
    PhiAccrualFailureDetector detector = (PhiAccrualFailureDetector) ewma.newDetector();
    assertThat(detector.estimator()).isEqualTo(IntervalEstimator.EWMA);
    assertThat(detector.maxSampleSize()).isEqualTo(200);
    assertThat(DetectorSpec.parse("phi-normal:estimator=EWMA").toString())
        .endsWith(",estimator=ewma");
    assertThatThrownBy(() -> DetectorSpec.parse("phi:estimator=sliding"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("phi estimator=sliding is not window or ewma");
    assertThatThrownBy(() -> DetectorSpec.parse("chen:estimator=ewma"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("detector chen has no setting 'estimator'");
  }

  @Test
  void badText_namesTheKeyAndValue() {
    assertThatThrownBy(() -> DetectorSpec.parse("gossip"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("detector kind 'gossip' is not"
            + " one of phi, phi-normal, phi-exponential, chen, bertier, two-window, deadline");
    assertThatThrownBy(() -> DetectorSpec.parse("chen:threshold=8"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("detector chen has no setting 'threshold'; its settings are interval, window,"
            + " margin");
    assertThatThrownBy(() -> DetectorSpec.parse("phi:learn-suspicions=yes"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("phi learn-suspicions=yes is not true or false");
    assertThatThrownBy(() -> DetectorSpec.parse("chen:margin=abc"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("chen margin=abc is not a"
            + " duration: write a number and a unit (ns, us, ms, s, m, h), such as 200ms or 1.5s");
    assertThatThrownBy(() -> DetectorSpec.parse("chen:margin=200"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(
            "chen margin=200 is not a duration");
    assertThatThrownBy(() -> DetectorSpec.parse("deadline:pause=0.5ns"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(
            "deadline pause=0.5ns is not a duration");
    assertThatThrownBy(() -> DetectorSpec.parse("phi:threshold=-1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("phi threshold must be a finite number > 0, got -1");
    assertThatThrownBy(() -> DetectorSpec.parse("phi:threshold=NaN"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("phi threshold=NaN is not a number");
    assertThatThrownBy(() -> DetectorSpec.parse("phi:window=0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("phi window must be between 1 and ");
    assertThatThrownBy(() -> DetectorSpec.parse("phi:window=ten"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("phi window=ten is not a whole number");
    assertThatThrownBy(() -> DetectorSpec.parse("chen:interval=0s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("chen interval must be > 0 and <= 1d, got 0s");
    assertThatThrownBy(() -> DetectorSpec.parse("chen:interval=2d"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("chen interval=2d is not a duration");
    assertThatThrownBy(() -> DetectorSpec.parse("chen:interval=25h"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("chen interval must be > 0 and <= 1d, got 25h");
    assertThatThrownBy(() -> DetectorSpec.parse("bertier:gain=2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bertier gain must be > 0 and <= 1, got 2");
    assertThatThrownBy(() -> DetectorSpec.parse("two-window:short-window=10,long-window=5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("two-window short-window must be <= long-window, got 10 > 5");
    assertThatThrownBy(() -> DetectorSpec.parse("chen:margin=1s,margin=2s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("detector setting margin is given twice in 'chen:margin=1s,margin=2s'");
    assertThatThrownBy(() -> DetectorSpec.parse("chen:margin"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("detector setting 'margin' in 'chen:margin' is not key=value");
    assertThatThrownBy(() -> DetectorSpec.parse("chen:"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("detector 'chen:' has a ':' but no settings");
  }
}
