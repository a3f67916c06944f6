package dev.failuredetector.spring.boot;

import dev.failuredetector.cluster.MemberTransition;
import dev.failuredetector.netty.HeartbeatNode;
import java.util.Objects;
import org.springframework.context.ApplicationEvent;

/**
 * With the cluster overlay ({@code failure-detector.observers}): the cluster's confirmed view of a
 * member changed (ALIVE, SUSPECTED, FAILED). Published to the application context on a thread of
 * the starter's own, in order, never on the node's event loop.
 */
public class MemberTransitionEvent extends ApplicationEvent {

  private static final long serialVersionUID = 1L;

  private final transient MemberTransition transition;

  /**
   * @param node the node (the event's source)
   * @param transition the change of the confirmed view
   */
  public MemberTransitionEvent(HeartbeatNode node, MemberTransition transition) {
    super(node);
    this.transition = Objects.requireNonNull(transition, "transition");
  }

  /** The change: member, from, to, incarnation, accusers. */
  public MemberTransition transition() {
    return transition;
  }

  @Override
  public String toString() {
    return "MemberTransitionEvent[" + transition + "]";
  }
}
