/**
 * Micrometer metrics for a {@link dev.failuredetector.FailureDetectorRegistry}. Needs
 * {@code io.micrometer:micrometer-core} on the class path; the rest of the library does not.
 */
package dev.failuredetector.micrometer;
