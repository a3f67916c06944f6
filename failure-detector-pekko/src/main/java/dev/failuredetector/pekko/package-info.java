/**
 * This library's failure detectors inside Apache Pekko: {@link
 * dev.failuredetector.pekko.PekkoFailureDetector} for {@code implementation-class} of Pekko
 * Cluster and remote death watch, and metrics over every detector an actor system created.
 */
package dev.failuredetector.pekko;
