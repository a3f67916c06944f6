/**
 * Active probes, without I/O: what a node decides when it watches a target that runs nothing of
 * ours (a TCP port, an HTTP endpoint, a node answering PING). The transports in {@code
 * failure-detector-netty} send and receive; the answers become arrivals in the same registry and
 * detectors as heartbeats.
 */
package dev.failuredetector.probe;
