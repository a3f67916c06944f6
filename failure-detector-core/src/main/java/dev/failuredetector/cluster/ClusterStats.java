package dev.failuredetector.cluster;

/**
 * Counts of one node's protocol work since it started.
 *
 * @param rumorsReceived rumors handed to {@link ClusterNode#receive}
 * @param rumorsApplied of those, the ones that told this node something new (and were relayed)
 * @param rumorsStale of those, about an incarnation older than the one known, or already known
 * @param rumorsRejected of those, accusations by a member that does not observe the subject, or
 *     about a member this node does not know
 * @param accusationsMade accusations this node made as an observer
 * @param accusationsWithheld suspicions of this node that ended before its local-health delay
 *     let it accuse
 * @param refutations accusations against this node it refuted
 * @param confirmedFailures members this node saw become FAILED
 * @param rumorsDropped rumors dropped from a full send queue
 * @param localHealth the current local-health score
 * @param syncs times this node synced with a member because their view digests stayed unlike
 *     ({@link ClusterNode#heardDigest}): it sent its verdicts, or, holding none, a message of its
 *     digest; a verdict or a revival had failed to reach one of the two
 */
public record ClusterStats(long rumorsReceived, long rumorsApplied, long rumorsStale,
    long rumorsRejected, long accusationsMade, long accusationsWithheld, long refutations,
    long confirmedFailures, long rumorsDropped, int localHealth, long syncs) {}
