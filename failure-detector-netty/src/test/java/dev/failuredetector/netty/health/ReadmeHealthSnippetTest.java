package dev.failuredetector.netty.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.netty.HeartbeatNode;
import dev.failuredetector.qos.ArrivalRecording;
import dev.failuredetector.qos.QosAdvisor;
import dev.failuredetector.qos.QosTarget;
import dev.failuredetector.qos.ThresholdTuner;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The health snippet of docs/health-checks.md and the live-tuning one of docs/tuning.md, kept
 * compiling and true (loopback, any port).
 */
class ReadmeHealthSnippetTest {

  @Test
  void healthAndTuningSnippets() throws IOException, InterruptedException {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    List<String> log = new ArrayList<>();
    HeartbeatNode other = HeartbeatNode.builder().insecure().localId("orders-2")
        .bind(new InetSocketAddress(loopback, 0)).interval(Duration.ofMillis(20)).build().start();
    HeartbeatNode node = HeartbeatNode.builder().insecure().localId("orders-1")
        .bind(new InetSocketAddress(loopback, 0)).interval(Duration.ofMillis(20))
        .registry(r -> r.detector(DetectorSpec.phi().withInterval(Duration.ofMillis(20))
            .withPause(Duration.ofSeconds(2))))
        .registry(r -> r.plugin(new dev.failuredetector.qos.ArrivalRecording(10_000)))
        .peer("orders-2", other.localAddress()).build().start();
    other.addPeer("orders-1", node.localAddress());
    try {
      // --- docs/health-checks.md (0.0.0.0:8080 and :8081 adapted to loopback, any port) ---
      HealthServer health = HealthServer.builder(HealthView.builder(node.registry())
              .massEjectionGuard(MassEjectionGuard.holdingUp(0.5, 3))
              .build())
          .http(new InetSocketAddress(loopback, 0))
          .agent(new InetSocketAddress(loopback, 0))
          .build().start();
      await().atMost(Duration.ofSeconds(30)).until(() -> node.registry().isAvailable("orders-2"));
      try (RawHttp http = new RawHttp(health.httpAddress())) {
        assertThat(http.get("/health/orders-2").status()).isEqualTo(200);
      }
      health.close();

      // --- docs/tuning.md, from a live node ---
      await().atMost(Duration.ofSeconds(30)).until(
          () -> node.registry().stats().heartbeatsRecorded() >= 60);
      QosAdvisor.Recommendation advice = ThresholdTuner.apply(node.registry(),
          ArrivalRecording.of(node.registry()).trace("orders-2"), QosTarget.maxMistakesPerDay(10));
      log.add(advice.explanation());
      // (end of the snippets)

      assertThat(log.get(0)).contains("phi with threshold = ");
    } finally {
      node.close();
      other.close();
    }
  }
}
