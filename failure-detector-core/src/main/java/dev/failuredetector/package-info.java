/**
 * Failure detectors and the registry of monitored peers. Start with {@link
 * dev.failuredetector.DetectorSpec} (every detector kind and setting as one value, with a text
 * form) and {@link dev.failuredetector.FailureDetectorRegistry} (many peers, state transitions,
 * listeners); {@link dev.failuredetector.FailureDetector} is what one detector promises. Times are
 * nanoseconds of an injected {@link dev.failuredetector.NanoClock}; the hot paths (recording a
 * heartbeat, asking availability) take no lock and allocate nothing.
 */
package dev.failuredetector;
