package dev.failuredetector.example;

import dev.failuredetector.netty.health.HealthView;
import dev.failuredetector.netty.health.PeerHealth;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the service would do with the detector's answers: route to the peers it holds up, and
 * show the recent transitions.
 */
@RestController
public class RoutingController {

  private final HealthView health;
  private final TransitionLog log;

  public RoutingController(HealthView health, TransitionLog log) {
    this.health = health;
    this.log = log;
  }

  /** The peers and targets a request could go to now, with their routing weight. */
  @GetMapping("/routes")
  public Map<String, Integer> routes() {
    Map<String, Integer> routes = new LinkedHashMap<>();
    for (PeerHealth peer : health.peers().peers()) {
      if (peer.up()) {
        routes.put(peer.peer(), peer.weightPercent());
      }
    }
    return routes;
  }

  /** The last transitions, one line each. */
  @GetMapping("/transitions")
  public List<String> transitions() {
    return log.transitions().stream()
        .map(t -> t.key() + " " + t.from() + " -> " + t.to() + " " + t.reason()).toList();
  }
}
