package dev.failuredetector.netty.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET /ready} and {@code GET /live}, what a Kubernetes probe points at. */
class ProbeEndpointsTest {

  private final ManualRegistry peers = ManualRegistry.abcd();
  private HealthServer server;

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
    peers.close();
  }

  private RawHttp start(HealthView view) throws IOException {
    server = HealthServer.builder(view).http(new InetSocketAddress("127.0.0.1", 0)).build().start();
    return new RawHttp(server.httpAddress());
  }

  @Test
  void ready_onceItHearsTheConfiguredShareOfItsPeers() throws IOException {
    HealthView view = HealthView.builder(peers.registry).readyShare(0.75).build();
    try (RawHttp http = start(view)) {
      RawHttp.Response before = http.get("/ready");
      assertThat(before.status()).as("nothing heard yet").isEqualTo(503);
      assertThat(before.body()).isEqualTo(
          "{\"ready\":false,\"available\":0,\"peers\":4,\"requiredShare\":0.75}");
      peers.heartbeat("a", "b");
      assertThat(http.get("/ready").status()).as("2 of 4 < 75%").isEqualTo(503);
      peers.heartbeat("c");
      RawHttp.Response ready = http.get("/ready");
      assertThat(ready.status()).isEqualTo(200);
      assertThat(ready.body()).contains("\"ready\":true,\"available\":3");
      peers.suspectOnlyD(); // d goes quiet: 3 of 4 still
      assertThat(http.get("/ready").status()).isEqualTo(200);
    }
  }

  @Test
  void live_whileTheRegistrysTimerTicks() throws IOException {
    HealthView view = HealthView.builder(peers.registry).liveTimeout(Duration.ofSeconds(1))
        .build();
    try (RawHttp http = start(view)) {
      peers.advanceMillis(500); // the timer ticks every 10 ms
      RawHttp.Response live = http.get("/live");
      assertThat(live.status()).isEqualTo(200);
      assertThat(live.body()).isEqualTo("{\"live\":true,\"sinceLastTickMs\":0,\"timeoutMs\":1000}");
      peers.freeze(Duration.ofMillis(1_500)); // time passes, the timer does not tick: stuck
      RawHttp.Response stuck = http.get("/live");
      assertThat(stuck.status()).isEqualTo(503);
      assertThat(stuck.body()).isEqualTo(
          "{\"live\":false,\"sinceLastTickMs\":1500,\"timeoutMs\":1000}");
    }
  }

  @Test
  void settings_areChecked() {
    assertThatThrownBy(() -> HealthView.builder(peers.registry).readyShare(1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("readyShare must be between 0 and 1, got 1.5");
    assertThatThrownBy(() -> HealthView.builder(peers.registry).liveTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("liveTimeout must be between 100 ms and 10 minutes, got PT0S");
  }
}
