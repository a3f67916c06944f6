package dev.failuredetector.cluster;

/**
 * What one node holds of one member.
 *
 * @param state the confirmed state
 * @param incarnation the member's cluster incarnation as this node knows it
 * @param accusers observers accusing it at that incarnation, as this node has heard
 * @param needed accusers that confirm a failure now (fewer when some of its observers have
 *     failed themselves)
 * @param observers how many members observe it
 */
public record MemberView(MemberState state, long incarnation, int accusers, int needed,
    int observers) {}
