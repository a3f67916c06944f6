package dev.failuredetector.qos;

import dev.failuredetector.DetectorSpec;

/**
 * What a candidate detector would have done on a peer's live arrivals, alongside the active one
 * ({@link ShadowCandidates}): the mistakes it would have made and
 * its mean detection time, measured as {@code tune} measures them (every heartbeat a possible
 * crash point; a mistake is a suspicion of the live peer, back-to-back ones counted once).
 *
 * @param candidate the candidate's spec (with the registry's heartbeat interval)
 * @param heartbeats heartbeats it was evaluated on
 * @param mistakes wrong suspicions it would have raised
 * @param meanDetectionNanos mean time from a heartbeat to its deadline, in nanoseconds (NaN before
 *     the first heartbeat)
 */
public record ShadowResult(DetectorSpec candidate, long heartbeats, long mistakes,
    double meanDetectionNanos) {}
