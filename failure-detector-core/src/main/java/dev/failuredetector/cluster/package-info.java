/**
 * The cluster overlay, without I/O: each member is watched by a few observers (not by everyone), an
 * observer's suspicion is an accusation that travels as a rumor, and a member is confirmed failed
 * only when enough of its observers agree. A node that sees signs it is itself the problem
 * (pauses, many suspicions at once, having to refute) waits longer before accusing.
 *
 * <p>{@link dev.failuredetector.cluster.ObserverTopology} says who watches whom; {@link
 * dev.failuredetector.cluster.ClusterNode} is one member's protocol state, fed by its registry's
 * transitions and by the rumors it receives, and asked for the rumors to send. The transports in
 * {@code failure-detector-netty} carry the rumors on heartbeats; {@link
 * dev.failuredetector.cluster.ClusterSimulation} runs the same code over a simulated network.
 */
package dev.failuredetector.cluster;
