package dev.failuredetector.spring.boot;

import dev.failuredetector.PeerTransition;
import dev.failuredetector.netty.HeartbeatNode;
import java.util.Objects;
import org.springframework.context.ApplicationEvent;

/**
 * A peer or probed target of the application's node changed state (AVAILABLE, SUSPECTED,
 * FAILED, LEFT...): published to the application context for every transition, each peer's in
 * order, on the registry's event thread (a listener that blocks delays only the events after it,
 * never detection). Listen with {@code @EventListener}.
 */
public class PeerTransitionEvent extends ApplicationEvent {

  private static final long serialVersionUID = 1L;

  private final transient PeerTransition<String> transition;

  /**
   * @param node the node whose registry saw the change (the event's source)
   * @param transition the change
   */
  public PeerTransitionEvent(HeartbeatNode node, PeerTransition<String> transition) {
    super(node);
    this.transition = Objects.requireNonNull(transition, "transition");
  }

  /** The change: peer id, from, to, reason, when (nanoTime), whether it ended a false suspicion. */
  public PeerTransition<String> transition() {
    return transition;
  }

  /** The peer's id. */
  public String peer() {
    return transition.key();
  }

  @Override
  public String toString() {
    return "PeerTransitionEvent[" + transition + "]";
  }
}
