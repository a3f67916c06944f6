package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failuredetector.micrometer.FailureDetectorMetrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * After any overload, every listener's last transition of each peer matches the registry: a
 * listener that falls behind gets, per peer, the latest transition (with how many it replaced)
 * instead of losing the newest ones.
 */
class ListenerCoalescingTest {

  private static final int PEERS = 50_000;
  private static final Duration GENEROUS = Duration.ofSeconds(60);

  @Test
  void slowListener_50000Peers_queueOf100_endsWithTheRegistrysView() throws Exception {
    ManualClock clock = new ManualClock(Long.MAX_VALUE - 5_000_000_000L);
    ManualTicks ticks = new ManualTicks(clock);
    CountDownLatch release = new CountDownLatch(1);
    Map<Integer, PeerState> slowView = new ConcurrentHashMap<>();
    Map<Integer, PeerState> fastView = new ConcurrentHashMap<>();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (FailureDetectorRegistry<Integer> registry = FailureDetectorRegistry.builder()
        .detector(DetectorSpec.deadline().withInterval(Duration.ofMillis(100))
            .withPause(Duration.ofMillis(100)))
        .clock(clock).tickScheduler(ticks).maxPeers(PEERS).listenerQueueCapacity(100)
        .confirmationTime(Duration.ofSeconds(1)).build()) {
      registry.addListener(t -> {
        try {
          release.await(); // stuck until every change below has been made
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        apply(slowView, t);
      });
      registry.addListener(t -> apply(fastView, t));
      FailureDetectorMetrics metrics = FailureDetectorMetrics.withPerPeerMeters(registry,
          Tags.empty(), String::valueOf);
      metrics.bindTo(meters);

      for (int key = 0; key < PEERS; key++) {
        registry.register(key).heartbeat(clock.nanoTime());
      }
      ticks.advanceMillis(300); // every peer suspected
      for (int key = 0; key < PEERS; key += 2) {
        registry.heartbeat(key); // half recover (a mistake each)
      }
      ticks.advanceMillis(1_500); // the other half confirmed FAILED; the first half suspected
      for (int key = 0; key < PEERS; key += 4) {
        registry.heartbeat(key); // a quarter recover again
      }
      for (int key = 1; key < PEERS; key += 10) {
        registry.remove(key);
      }
      for (int key = PEERS; key < PEERS + 500; key++) {
        registry.remove(key - PEERS + 3); // some already removed: no-ops
      }
      release.countDown();

      // The meters follow membership through their own listener: wait for it too (asserting at
      // once raced it: 48,441 meters seen for 44,550 peers on a loaded machine).
      await().atMost(GENEROUS).until(() -> equalsRegistry(registry, slowView)
          && equalsRegistry(registry, fastView)
          && meters.find("failure.detector.peer.timeout").gauges().size() == registry.size());
      assertThat(registry.stats().listenerCoalesced()).as("the slow listener fell behind")
          .isPositive();
      assertThat(meters.find("failure.detector.peer.timeout").gauges())
          .as("per-peer meters follow membership despite the coalescing")
          .hasSize(registry.size());
      metrics.close();
    }
  }

  private static void apply(Map<Integer, PeerState> view, PeerTransition<Integer> t) {
    if (t.to() == PeerState.REMOVED) {
      view.remove(t.key());
    } else {
      view.put(t.key(), t.to());
    }
  }

  private static boolean equalsRegistry(FailureDetectorRegistry<Integer> registry,
      Map<Integer, PeerState> view) {
    if (view.size() != registry.size()) {
      return false;
    }
    for (Map.Entry<Integer, PeerState> entry : view.entrySet()) {
      if (registry.state(entry.getKey()) != entry.getValue()) {
        return false;
      }
    }
    return true;
  }
}
