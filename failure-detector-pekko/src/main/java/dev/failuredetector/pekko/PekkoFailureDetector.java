package dev.failuredetector.pekko;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.failuredetector.DetectorSpec;
import dev.failuredetector.FailureDetector;
import dev.failuredetector.NanoClock;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.ConfigurationException;
import org.apache.pekko.event.EventStream;

/**
 * This library's failure detectors inside Pekko: Pekko Cluster ({@code
 * pekko.cluster.failure-detector}) and remote death watch ({@code
 * pekko.remote.watch-failure-detector}) load it by class name and create one per monitored node.
 * <pre>
 * pekko.cluster.failure-detector {
 *   implementation-class = "dev.failuredetector.pekko.PekkoFailureDetector"
 *   # optional: any of this library's detectors; without it, phi accrual exactly as Pekko's
 *   detector = "two-window:margin=1s"
 * }
 * </pre>
 *
 * <p><b>Configuration.</b> It reads Pekko's own keys from the section it is given: {@code
 * heartbeat-interval} (the one heartbeat interval: given to whichever detector is chosen), and for
 * the default phi detector {@code threshold}, {@code max-sample-size}, {@code min-std-deviation},
 * {@code acceptable-heartbeat-pause}. Without a {@code detector} key the result is Pekko's phi
 * accrual detector, the same numbers for the same arrivals (logistic tail, history seeded with
 * the heartbeat interval), at a quarter of the cost and without allocating per heartbeat. With
 * {@code detector = "SPEC"} (the {@link DetectorSpec} text form, without {@code interval}) the
 * spec is used instead and Pekko's phi keys are ignored. A bad key or value is a {@link
 * ConfigurationException} naming the key and the value.
 *
 * <p><b>Threads.</b> Pekko calls {@link #heartbeat()} from one actor at a time and asks {@link
 * #isAvailable()} from any thread: this library's single-writer contract. Neither takes a lock
 * or allocates.
 *
 * <p>Every instance an actor system creates can be observed together ({@link
 * PekkoFailureDetectors}, {@link PekkoFailureDetectorMetrics}).
 */
public final class PekkoFailureDetector implements org.apache.pekko.remote.FailureDetector {

  private final DetectorSpec spec;
  private final FailureDetector detector;
  private final NanoClock clock;
  private final LongAdder mistakes = new LongAdder();

  /**
   * The constructor Pekko calls, with the failure detector's configuration section.
   *
   * @throws ConfigurationException naming the key and value of a bad setting
   */
  public PekkoFailureDetector(Config config, EventStream eventStream) {
    this(specOf(config), NanoClock.system());
    PekkoFailureDetectors.register(eventStream, this);
  }

  /** A detector of {@code spec} on {@code clock}: for tests and replay. */
  PekkoFailureDetector(DetectorSpec spec, NanoClock clock) {
    this.spec = spec;
    this.clock = clock;
    this.detector = spec.newDetector(clock);
  }

  /**
   * The spec a Pekko failure-detector section describes: {@code detector} if present, else phi
   * accrual with Pekko's keys and Pekko's rule for suspicion-ending intervals ({@code
   * learn-suspicions=false}: the same verdicts as Pekko's own detector); {@code
   * heartbeat-interval} in either case.
   *
   * @throws ConfigurationException naming the key and value of a bad setting
   */
  public static DetectorSpec specOf(Config config) {
    Duration interval = duration(config, "heartbeat-interval");
    if (config.hasPath("detector")) {
      String text = string(config, "detector");
      try {
        return DetectorSpec.parse(text, interval, "heartbeat-interval");
      } catch (IllegalArgumentException e) {
        throw new ConfigurationException("failure-detector.detector = \"" + text + "\": "
            + e.getMessage());
      }
    }
    // Each Pekko key set on its own, so an error names the key the user wrote, then the spec's
    // own words for the rule it broke.
    DetectorSpec.Phi spec = DetectorSpec.phi().withLearnSuspicions(false);
    spec = pekkoKey("heartbeat-interval", interval, spec::withInterval);
    spec = pekkoKey("threshold", number(config, "threshold"), spec::withThreshold);
    spec = pekkoKey("max-sample-size", integer(config, "max-sample-size"), spec::withWindow);
    spec = pekkoKey("min-std-deviation", duration(config, "min-std-deviation"), spec::withMinStd);
    return pekkoKey("acceptable-heartbeat-pause", duration(config, "acceptable-heartbeat-pause"),
        spec::withPause);
  }

  private static <T> DetectorSpec.Phi pekkoKey(String key, T value,
      java.util.function.Function<T, DetectorSpec.Phi> set) {
    try {
      return set.apply(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException("failure-detector." + key + " = " + value + ": "
          + e.getMessage());
    }
  }

  @Override
  public boolean isAvailable() {
    return detector.isAvailable(clock.nanoTime());
  }

  @Override
  public boolean isMonitoring() {
    return detector.isMonitoring();
  }

  @Override
  public void heartbeat() {
    long now = clock.nanoTime();
    if (detector.isMonitoring() && !detector.isAvailable(now)) {
      mistakes.increment(); // it had given up on a node that was alive: a wrong suspicion
    }
    detector.heartbeat(now);
  }

  /** The spec this detector was built from. */
  public DetectorSpec spec() {
    return spec;
  }

  /** The current timeout in nanoseconds (how long after a heartbeat it suspects). */
  public long timeoutNanos() {
    return detector.timeoutNanos();
  }

  /** Heartbeats that arrived after this detector had stopped believing its node available. */
  public long mistakes() {
    return mistakes.sum();
  }

  @Override
  public String toString() {
    return "PekkoFailureDetector[" + spec + "]";
  }

  private static Duration duration(Config config, String key) {
    try {
      return config.getDuration(key);
    } catch (ConfigException e) {
      throw bad(config, key, e);
    }
  }

  private static double number(Config config, String key) {
    try {
      return config.getDouble(key);
    } catch (ConfigException e) {
      throw bad(config, key, e);
    }
  }

  private static int integer(Config config, String key) {
    try {
      return config.getInt(key);
    } catch (ConfigException e) {
      throw bad(config, key, e);
    }
  }

  private static String string(Config config, String key) {
    try {
      return config.getString(key);
    } catch (ConfigException e) {
      throw bad(config, key, e);
    }
  }

  private static ConfigurationException bad(Config config, String key, ConfigException cause) {
    String value = config.hasPath(key) ? config.getValue(key).render() : "(missing)";
    return new ConfigurationException("failure-detector." + key + " = " + value + ": "
        + cause.getMessage(), cause);
  }
}
