package dev.failuredetector.spring.boot;

import dev.failuredetector.netty.HeartbeatNode;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Publishes a node's transitions to the application context: each peer transition as a {@link
 * PeerTransitionEvent} on the registry's event thread, and with the overlay each change of the
 * confirmed view as a {@link MemberTransitionEvent} on a thread of its own (the overlay tells its
 * listeners on the node's event loop, which a Spring listener must not hold up).
 */
final class TransitionEvents implements AutoCloseable {

  private final ExecutorService clusterEvents;

  private TransitionEvents(ExecutorService clusterEvents) {
    this.clusterEvents = clusterEvents;
  }

  static TransitionEvents publish(HeartbeatNode node, ApplicationEventPublisher publisher) {
    node.registry().addListener(t -> publisher.publishEvent(new PeerTransitionEvent(node, t)));
    if (node.observers() == 0) {
      return new TransitionEvents(null);
    }
    ExecutorService executor = Executors.newSingleThreadExecutor(task -> {
      Thread thread = new Thread(task, "failure-detector-cluster-events");
      thread.setDaemon(true);
      return thread;
    });
    node.addClusterListener(t -> {
      try {
        executor.execute(() -> publisher.publishEvent(new MemberTransitionEvent(node, t)));
      } catch (java.util.concurrent.RejectedExecutionException closing) {
        // the context is closing: no one is left to tell
      }
    });
    return new TransitionEvents(executor);
  }

  @Override
  public void close() throws InterruptedException {
    if (clusterEvents != null) {
      clusterEvents.shutdown();
      clusterEvents.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
