package dev.failuredetector.pekko;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.event.EventStream;

/**
 * The {@link PekkoFailureDetector}s an actor system created. Pekko creates them anonymously, one
 * per monitored node, and drops them when the node leaves; they are kept here weakly, grouped by
 * the actor system's event stream, so metrics can observe all of them ({@link
 * PekkoFailureDetectorMetrics}) without keeping any alive. Thread-safe.
 */
public final class PekkoFailureDetectors {

  private static final Map<EventStream, Set<PekkoFailureDetector>> BY_SYSTEM = new WeakHashMap<>();

  private final EventStream eventStream;

  private PekkoFailureDetectors(EventStream eventStream) {
    this.eventStream = eventStream;
  }

  /** The detectors of {@code system}, now and later. */
  public static PekkoFailureDetectors of(ActorSystem system) {
    return new PekkoFailureDetectors(Objects.requireNonNull(system, "system").eventStream());
  }

  static synchronized void register(EventStream eventStream, PekkoFailureDetector detector) {
    if (eventStream != null) {
      BY_SYSTEM.computeIfAbsent(eventStream,
          stream -> Collections.newSetFromMap(new WeakHashMap<>())).add(detector);
    }
  }

  /** A copy of the detectors alive now (allocates: for scrapes, not hot paths). */
  public List<PekkoFailureDetector> detectors() {
    synchronized (PekkoFailureDetectors.class) {
      Set<PekkoFailureDetector> detectors = BY_SYSTEM.get(eventStream);
      return detectors == null ? List.of() : new ArrayList<>(detectors);
    }
  }

  /** How many detectors the system holds now. */
  public int count() {
    return detectors().size();
  }

  /** Wrong suspicions of the detectors alive now (see {@link PekkoFailureDetector#mistakes()}). */
  public long mistakes() {
    long total = 0;
    for (PekkoFailureDetector detector : detectors()) {
      total += detector.mistakes();
    }
    return total;
  }

  /**
   * The current timeouts of the detectors alive now, in nanoseconds, sorted; empty if none.
   */
  public long[] timeoutsNanos() {
    List<PekkoFailureDetector> detectors = detectors();
    long[] timeouts = new long[detectors.size()];
    for (int i = 0; i < timeouts.length; i++) {
      timeouts[i] = detectors.get(i).timeoutNanos();
    }
    Arrays.sort(timeouts);
    return timeouts;
  }
}
