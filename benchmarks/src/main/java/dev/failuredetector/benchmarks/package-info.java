/**
 * JMH benchmarks and trace-replay comparisons with the peers' own detectors (Pekko, Hazelcast);
 * see BENCHMARKS.md for the commands and the latest figures.
 */
package dev.failuredetector.benchmarks;
