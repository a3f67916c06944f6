package dev.failuredetector.cli.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.netty.HeartbeatNode;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A sender paused (SIGSTOP of a {@code node} process for 1.5 s, as a long GC pause would) must
 * cost each observer one suspicion, not a storm. Before, the sender skipped the send slots it
 * missed but numbered its next heartbeat +1, so every later arrival came a pause later than
 * Chen, Bertier and 2W-FD expected from its number, and with a 500 ms margin each one was a
 * mistake until their 1,000-heartbeat windows absorbed it (357 in 20 s seen in CI). Now numbers
 * follow the slots: the pause reads as lost heartbeats. One observer per detector kind.
 */
class SenderPauseTest {

  private static final List<String> SPECS = List.of("phi:pause=500ms", "phi-normal:pause=500ms",
      "phi-exponential:pause=0s,threshold=4", "chen:margin=500ms",
      "bertier:variance-weight=256", "two-window:margin=500ms", "deadline:pause=500ms");

  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  @Test
  void aSendersPause_costsOneSuspicion_notAStorm_forEveryKind() throws Exception {
    Map<String, HeartbeatNode> observers = new LinkedHashMap<>();
    List<String> args = new ArrayList<>(List.of("--bind", "127.0.0.1:0", "--interval", "100"));
    for (int i = 0; i < SPECS.size(); i++) {
      DetectorSpec spec = DetectorSpec.parse(SPECS.get(i));
      HeartbeatNode observer = HeartbeatNode.builder().insecure().localId("o" + i)
          .bind(new InetSocketAddress("127.0.0.1", 0)).interval(Duration.ofMillis(100))
          .registry(r -> r.detector(spec)
              .confirmationTime(Duration.ofMinutes(1)))
          .build().start();
      resources.add(observer);
      observers.put(SPECS.get(i), observer);
      args.addAll(List.of("--peer", "o" + i + "=127.0.0.1:" + observer.localAddress().getPort()));
    }
    NodeProcess sender = NodeProcess.start(List.of(), "s", args.toArray(String[]::new));
    resources.add(sender);
    for (HeartbeatNode observer : observers.values()) {
      observer.addPeer("s", new InetSocketAddress("127.0.0.1", sender.port()));
    }
    // Ten seconds of steady heartbeats: the windows learn a 100 ms rhythm.
    await().atMost(NodeProcess.GENEROUS).until(() -> observers.values().stream().allMatch(
        o -> o.registry().isAvailable("s") && o.stats().accepted() >= 100));

    sender.stop();
    Thread.sleep(1_500); // the pause itself, not a wait for a condition
    sender.resume();
    await().atMost(NodeProcess.GENEROUS).until(() -> observers.values().stream()
        .allMatch(o -> o.registry().isAvailable("s")));
    Map<String, Long> afterRecovery = new LinkedHashMap<>();
    Map<String, Long> acceptedAt = new LinkedHashMap<>();
    observers.forEach((spec, o) -> {
      afterRecovery.put(spec, o.registry().stats().mistakes());
      acceptedAt.put(spec, o.stats().accepted());
    });
    // Ten more seconds of heartbeats after the recovery.
    await().atMost(NodeProcess.GENEROUS).until(() -> observers.entrySet().stream()
        .allMatch(e -> e.getValue().stats().accepted() >= acceptedAt.get(e.getKey()) + 100));
    Map<String, Long> storm = new LinkedHashMap<>();
    observers.forEach((spec, o) ->
        storm.put(spec, o.registry().stats().mistakes() - afterRecovery.get(spec)));
    System.out.println("mistakes in the 100 heartbeats after a 1.5 s sender pause: " + storm);
    assertThat(storm).allSatisfy((spec, mistakes) ->
        assertThat(mistakes).as("%s: mistakes after the recovery", spec).isZero());
  }
}
