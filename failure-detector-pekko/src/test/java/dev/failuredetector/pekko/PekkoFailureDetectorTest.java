package dev.failuredetector.pekko;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.failuredetector.DetectorSpec;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.ConfigurationException;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.remote.FailureDetector;
import org.apache.pekko.remote.FailureDetectorLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.concurrent.duration.FiniteDuration;

class PekkoFailureDetectorTest {

  private static final String CLASS = PekkoFailureDetector.class.getName();
  private static ActorSystem system;

  @BeforeAll
  static void startSystem() {
    system = ActorSystem.create("detectors", ConfigFactory.parseString(
        "pekko.loglevel = WARNING\npekko.stdout-loglevel = WARNING").withFallback(
        ConfigFactory.load()));
  }

  @AfterAll
  static void stopSystem() {
    system.terminate();
  }

  private static Config section(String path, String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(
        ConfigFactory.load().getConfig(path));
  }

  @Test
  void loadedByPekko_inBothSections_withPekkosOwnKeys() {
    for (String path : new String[] {"pekko.cluster.failure-detector",
        "pekko.remote.watch-failure-detector"}) {
      Config config = section(path, "implementation-class = \"" + CLASS + "\"");
      FailureDetector loaded = FailureDetectorLoader.load(CLASS, config, system);
      assertThat(loaded).isInstanceOf(PekkoFailureDetector.class);
      DetectorSpec.Phi expected = DetectorSpec.phi()
          .withInterval(config.getDuration("heartbeat-interval"))
          .withThreshold(config.getDouble("threshold"))
          .withWindow(config.getInt("max-sample-size"))
          .withMinStd(config.getDuration("min-std-deviation"))
          .withPause(config.getDuration("acceptable-heartbeat-pause"))
          .withLearnSuspicions(false); // Pekko's keys mean Pekko's detector, exactly
      assertThat(((PekkoFailureDetector) loaded).spec()).as(path).isEqualTo(expected);
    }
    // Pekko's reference values, for the record: the cluster section is threshold 8, 1 s, 3 s.
    assertThat(PekkoFailureDetector.specOf(section("pekko.cluster.failure-detector", ""))
        .toString()).isEqualTo("phi:interval=1s,threshold=8,window=1000,min-std=100ms,pause=3s,"
        + "learn-suspicions=false");
  }

  @Test
  void detectorKey_choosesAnyOfOurDetectors_withPekkosHeartbeatInterval() {
    DetectorSpec spec = PekkoFailureDetector.specOf(section("pekko.cluster.failure-detector",
        "heartbeat-interval = 200 ms\ndetector = \"two-window:margin=1s\""));
    assertThat(spec).isEqualTo(DetectorSpec.twoWindow().withInterval(Duration.ofMillis(200))
        .withMargin(Duration.ofSeconds(1)));
  }

  @Test
  void badConfiguration_isAConfigurationException_namingTheKeyAndValue() {
    assertThatThrownBy(() -> PekkoFailureDetector.specOf(
        section("pekko.cluster.failure-detector", "threshold = -1")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("failure-detector.threshold = -1.0: phi threshold must be a finite number > 0,"
            + " got -1");
    assertThatThrownBy(() -> PekkoFailureDetector.specOf(
        section("pekko.cluster.failure-detector", "threshold = lots")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("failure-detector.threshold = \"lots\": ");
    assertThatThrownBy(() -> PekkoFailureDetector.specOf(
        section("pekko.cluster.failure-detector", "max-sample-size = 0")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("failure-detector.max-sample-size = 0: phi window must be between"
            + " 1 and");
    assertThatThrownBy(() -> PekkoFailureDetector.specOf(
        section("pekko.cluster.failure-detector", "heartbeat-interval = soon")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("failure-detector.heartbeat-interval = \"soon\": ");
    assertThatThrownBy(() -> PekkoFailureDetector.specOf(
        section("pekko.cluster.failure-detector", "detector = \"gossip\"")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("failure-detector.detector = \"gossip\": detector kind 'gossip' is not one of"
            + " phi, phi-normal, phi-exponential, chen, bertier, two-window, deadline");
    assertThatThrownBy(() -> PekkoFailureDetector.specOf(
        section("pekko.cluster.failure-detector", "detector = \"chen:interval=1s\"")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("failure-detector.detector = \"chen:interval=1s\": detector"
            + " 'chen:interval=1s' names the interval: the heartbeat interval (1s) is set by"
            + " heartbeat-interval only; leave it out");
    // Pekko wraps what the constructor throws when it loads the class by name.
    assertThatThrownBy(() -> FailureDetectorLoader.load(CLASS,
        section("pekko.cluster.failure-detector", "detector = \"chen:margin=x\""), system))
        .hasStackTraceContaining("failure-detector.detector = \"chen:margin=x\": chen margin=x"
            + " is not a duration");
  }

  /**
   * The adapter without a {@code detector} key against Pekko's own PhiAccrualFailureDetector
   * built from the same section: the same arrivals (whole milliseconds, Pekko's unit) give the
   * same availability at every millisecond in between.
   */
  @Test
  void withoutADetectorKey_agreesWithPekkosPhiDetector_atEveryMillisecond() {
    long seed = 77;
    Config config = section("pekko.cluster.failure-detector",
        "heartbeat-interval = 100 ms\nacceptable-heartbeat-pause = 300 ms\nthreshold = 8");
    long[] nowNanos = {0};
    PekkoFailureDetector ours = new PekkoFailureDetector(PekkoFailureDetector.specOf(config),
        () -> nowNanos[0]);
    long[] nowMillis = {0};
    org.apache.pekko.remote.PhiAccrualFailureDetector pekkos =
        new org.apache.pekko.remote.PhiAccrualFailureDetector(config.getDouble("threshold"),
            config.getInt("max-sample-size"), millis(config, "min-std-deviation"),
            millis(config, "acceptable-heartbeat-pause"), millis(config, "heartbeat-interval"),
            new FailureDetector.Clock() {
              @Override
              public Object apply() {
                return nowMillis[0];
              }
            });
    SplittableRandom random = new SplittableRandom(seed);
    long t = 1_000;
    int disagreements = 0;
    int queries = 0;
    for (int beat = 0; beat < 3_000; beat++) {
      long gap = random.nextInt(20) == 0 ? 300 + random.nextInt(1_500) : 80 + random.nextInt(40);
      for (long q = 1; q <= gap; q++) {
        nowMillis[0] = t + q;
        nowNanos[0] = TimeUnit.MILLISECONDS.toNanos(t + q);
        queries++;
        if (ours.isAvailable() != pekkos.isAvailable()) {
          disagreements++;
        }
      }
      t += gap;
      nowMillis[0] = t;
      nowNanos[0] = TimeUnit.MILLISECONDS.toNanos(t);
      ours.heartbeat();
      pekkos.heartbeat();
    }
    assertThat(disagreements).as("seed %d, of %d queries", seed, queries).isZero();
    assertThat(ours.mistakes()).as("heartbeats after a suspicion").isPositive();
  }

  private static FiniteDuration millis(Config config, String key) {
    return FiniteDuration.apply(config.getDuration(key).toMillis(), TimeUnit.MILLISECONDS);
  }
}
