package dev.failuredetector.netty;

import java.util.Objects;

/**
 * What the probes of one target came to, counted since it was added ({@link
 * HeartbeatNode#probeStats}). Immutable.
 *
 * @param id the target's id (its key in the registry)
 * @param target what is probed
 * @param sent probes sent
 * @param answered answers that counted as arrivals (healthy, within the cap)
 * @param late of those, answers that came after the detector's deadline (the target was suspected
 *     then; the answer ended the suspicion)
 * @param refused probes whose connection was refused (the target marked FAILED, CONNECTION_REFUSED)
 * @param unhealthy answers with an HTTP status outside the expected ones (FAILED, UNHEALTHY)
 * @param abandoned probes given up: unanswered for the cap, or overtaken by the answer to a later
 *     one (silence: the detector's timeout decides)
 * @param skipped slots not sent because the most probes were outstanding or the loop ran late
 * @param lastStatus the last HTTP status received, 0 if none (or not HTTP)
 */
public record ProbeStats(String id, ProbeTarget target, long sent, long answered, long late,
    long refused, long unhealthy, long abandoned, long skipped, int lastStatus) {

  /** @throws NullPointerException if id or target is null */
  public ProbeStats {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(target, "target");
  }
}
