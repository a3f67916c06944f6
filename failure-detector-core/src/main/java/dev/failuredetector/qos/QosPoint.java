package dev.failuredetector.qos;

/**
 * One setting of a detector and the quality it gave on a trace.
 *
 * @param setting the value of the swept setting (threshold, or a margin in nanoseconds, ...)
 * @param report the measured quality
 */
public record QosPoint(double setting, QosReport report) {}
