package dev.failuredetector;

import java.util.OptionalDouble;

/**
 * What a registry knows about one peer at one moment, for health pages and tools. Times are
 * nanoseconds.
 *
 * @param key the peer
 * @param state its state
 * @param reason the reason of the transition into that state
 * @param nanosInState time since that transition
 * @param phi the suspicion level, for accrual detectors only
 * @param nanosSinceLastHeartbeat time since the last heartbeat, -1 if none was heard
 * @param timeoutNanos the detector's current timeout (how long after a heartbeat it suspects)
 * @param meanIntervalNanos exponentially weighted mean of the heartbeat intervals (weight 1/16
 *     per interval, about the last 16 intervals); 0 before two heartbeats
 * @param intervalStdDeviationNanos exponentially weighted standard deviation of the intervals
 * @param incarnation the incarnation of the last heartbeat that carried one, else {@link
 *     Long#MIN_VALUE}
 * @param <K> the key type
 */
public record PeerSnapshot<K>(K key, PeerState state, TransitionReason reason, long nanosInState,
    OptionalDouble phi, long nanosSinceLastHeartbeat, long timeoutNanos, double meanIntervalNanos,
    double intervalStdDeviationNanos, long incarnation) {}
