package dev.failuredetector.cluster;

/**
 * A change of a member's confirmed state at one node.
 *
 * @param member the member's id
 * @param from its state before
 * @param to its state now
 * @param incarnation its cluster incarnation the change is about
 * @param accusers observers accusing it at that incarnation, as this node knows them
 * @param atNanos when, on the node's clock
 */
public record MemberTransition(String member, MemberState from, MemberState to, long incarnation,
    int accusers, long atNanos) {}
