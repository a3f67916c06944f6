package dev.failuredetector.qos;

import dev.failuredetector.DetectorSpec;

/**
 * One setting of a detector and the quality it gave on a trace.
 *
 * @param setting the value of the swept setting (threshold, or a margin in milliseconds, ...)
 * @param report the measured quality
 * @param spec the whole detector spec replayed, every setting included (null for a detector
 *     that is not one of ours, such as Pekko's in a comparison)
 */
public record QosPoint(double setting, QosReport report, DetectorSpec spec) {

  /** A point of a detector without a {@link DetectorSpec}. */
  public QosPoint(double setting, QosReport report) {
    this(setting, report, null);
  }
}
