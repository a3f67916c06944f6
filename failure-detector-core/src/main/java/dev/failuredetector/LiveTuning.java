package dev.failuredetector;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Changes a live detector's tuning setting ({@link DetectorSpec#tuningKey()}) to a new spec's
 * value, keeping its history: the one change {@link FailureDetectorRegistry#reconfigure} can make
 * without starting the peers' detectors afresh.
 */
final class LiveTuning {

  private LiveTuning() {}

  /**
   * Checks that {@code next} differs from {@code current} in the tuning setting at most.
   *
   * @throws IllegalArgumentException naming the settings that cannot change on live detectors
   */
  static void checkChangeable(DetectorSpec current, DetectorSpec next) {
    if (!current.kind().equals(next.kind())) {
      throw new IllegalArgumentException("reconfigure cannot change the detector kind of live"
          + " peers (" + current.kind() + " to " + next.kind() + "); build a new registry");
    }
    Map<String, String> before = current.settings();
    Map<String, String> after = next.settings();
    List<String> changed = new ArrayList<>();
    for (Map.Entry<String, String> setting : before.entrySet()) {
      String key = setting.getKey();
      if (!key.equals(current.tuningKey()) && !setting.getValue().equals(after.get(key))) {
        changed.add(key + " " + setting.getValue() + " -> " + after.get(key));
      }
    }
    if (!changed.isEmpty()) {
      throw new IllegalArgumentException("reconfigure can change only " + current.tuningKey()
          + " of live " + current.kind() + " detectors, not " + String.join(", ", changed));
    }
  }

  /** Sets {@code detector}'s tuning setting to {@code spec}'s; it was built from the same kind. */
  static void apply(DetectorSpec spec, FailureDetector detector) {
    ((SingleWriterFailureDetector) detector).retune(spec);
  }
}
