package dev.failuredetector.cluster;

/**
 * Receives a node's confirmed-view changes, on the thread that drives the {@link ClusterNode}
 * (the call that caused them), in order. Must not block.
 */
@FunctionalInterface
public interface ClusterListener {

  /** One change of one member. */
  void onMemberTransition(MemberTransition transition);
}
