package dev.failuredetector.example;

import dev.failuredetector.PeerTransition;
import dev.failuredetector.spring.boot.PeerTransitionEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Logs every peer transition and keeps the last 100 (GET /transitions shows them). */
@Component
public class TransitionLog {

  private static final Logger LOG = LoggerFactory.getLogger(TransitionLog.class);

  private final Deque<PeerTransition<String>> last = new ArrayDeque<>();

  /** Called by Spring on the registry's event thread, each peer's transitions in order. */
  @EventListener
  public synchronized void on(PeerTransitionEvent event) {
    PeerTransition<String> t = event.transition();
    LOG.info("peer {}: {} -> {} ({})", t.key(), t.from(), t.to(), t.reason());
    if (last.size() == 100) {
      last.removeFirst();
    }
    last.addLast(t);
  }

  /** The last transitions, oldest first. */
  public synchronized List<PeerTransition<String>> transitions() {
    return new ArrayList<>(last);
  }
}
