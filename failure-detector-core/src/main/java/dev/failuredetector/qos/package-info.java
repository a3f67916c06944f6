/**
 * Quality of service of failure detectors (Chen, Toueg and Aguilera): heartbeat traces, their
 * replay through any detector ({@link dev.failuredetector.qos.QosReplay}), detection-time versus
 * mistake-rate curves, the advisor that picks a setting for a target, and the {@code tune}
 * command.
 */
package dev.failuredetector.qos;
