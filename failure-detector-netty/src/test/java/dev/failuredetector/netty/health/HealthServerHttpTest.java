package dev.failuredetector.netty.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The HTTP endpoints over real loopback sockets: answers, bad requests, limits. */
class HealthServerHttpTest {

  private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

  private final ManualRegistry peers = ManualRegistry.abcd();
  private HealthServer server;

  @BeforeEach
  void heartbeats() {
    peers.suspectOnlyD();
  }

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
    peers.close();
  }

  private HealthServer start(HealthServer.Builder builder) {
    server = builder.build().start();
    return server;
  }

  private HealthServer start() {
    return start(HealthServer.builder(HealthView.of(peers.registry)).http(ANY_LOOPBACK));
  }

  private RawHttp connect() throws IOException {
    return new RawHttp(server.httpAddress());
  }

  @Test
  void health_availablePeer_200WithItsFigures() throws IOException {
    start();
    try (RawHttp http = connect()) {
      RawHttp.Response response = http.get("/health/a");
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.header("content-type")).isEqualTo("application/json; charset=utf-8");
      assertThat(response.header("cache-control")).isEqualTo("no-store");
      assertThat(response.body()).isEqualTo("{\"peer\":\"a\",\"state\":\"AVAILABLE\","
          + "\"reason\":\"FIRST_HEARTBEAT\",\"available\":true,\"up\":true,\"heldUp\":false,"
          + "\"weightPercent\":100,\"phi\":null,\"sinceLastHeartbeatMs\":100.000,"
          + "\"timeoutMs\":300.000,\"inStateMs\":1000.000,\"panic\":false}");
    }
  }

  @Test
  void health_suspectedPeer_503SayingWhy() throws IOException {
    start();
    try (RawHttp http = connect()) {
      RawHttp.Response response = http.get("/health/d");
      assertThat(response.status()).isEqualTo(503);
      assertThat(response.body()).contains("\"state\":\"SUSPECTED\"", "\"reason\":\"TIMEOUT\"",
          "\"up\":false", "\"sinceLastHeartbeatMs\":500.000");
    }
  }

  @Test
  void health_unknownPeer_404() throws IOException {
    start();
    try (RawHttp http = connect()) {
      RawHttp.Response response = http.get("/health/zz");
      assertThat(response.status()).isEqualTo(404);
      assertThat(response.body()).isEqualTo("{\"status\":404,\"error\":\"unknown peer: zz\"}");
      assertThat(http.get("/health/a").status()).as("the connection stays usable").isEqualTo(200);
    }
    assertThat(server.stats().clientErrors()).isEqualTo(1);
  }

  @Test
  void peersAndSummary_everyPeerSortedAndTheEjectionStatus() throws IOException {
    start();
    try (RawHttp http = connect()) {
      RawHttp.Response all = http.get("/peers");
      assertThat(all.status()).isEqualTo(200);
      assertThat(all.body()).startsWith("{\"ejection\":{\"suspected\":1,\"peers\":4,"
          + "\"panic\":false,\"holdingUp\":false},\"peers\":[{\"peer\":\"a\"");
      assertThat(all.body().indexOf("\"peer\":\"b\"")).isLessThan(all.body().indexOf("\"peer\":\"c\""));
      assertThat(all.body()).contains("\"peer\":\"d\",\"state\":\"SUSPECTED\"");
      RawHttp.Response summary = http.get("/health");
      assertThat(summary.status()).isEqualTo(200);
      assertThat(summary.body()).isEqualTo("{\"status\":\"serving\",\"peers\":4,\"up\":3,"
          + "\"ejection\":{\"suspected\":1,\"peers\":4,\"panic\":false,\"holdingUp\":false}}");
    }
  }

  @Test
  void health_panicHoldingUp_suspectedPeer200AndSaysHeldUp() throws IOException {
    start(HealthServer.builder(HealthView.builder(peers.registry)
        .massEjectionGuard(MassEjectionGuard.holdingUp(0.2, 3)).build()).http(ANY_LOOPBACK));
    try (RawHttp http = connect()) {
      RawHttp.Response response = http.get("/health/d");
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.body()).contains("\"available\":false", "\"up\":true",
          "\"heldUp\":true", "\"weightPercent\":10", "\"panic\":true");
    }
  }

  @Test
  void otherMethods_405WithAllow() throws IOException {
    start();
    try (RawHttp http = connect()) {
      RawHttp.Response response = http.send("DELETE /health/a HTTP/1.1\r\nHost: t\r\n\r\n")
          .read(false);
      assertThat(response.status()).isEqualTo(405);
      assertThat(response.header("allow")).isEqualTo("GET, HEAD");
      assertThat(response.body()).contains("method DELETE is not allowed");
    }
  }

  @Test
  void head_sameStatusAndLengthWithoutBody_connectionStaysUsable() throws IOException {
    start();
    try (RawHttp http = connect()) {
      RawHttp.Response head = http.send("HEAD /health/d HTTP/1.1\r\nHost: t\r\n\r\n").read(true);
      assertThat(head.status()).isEqualTo(503);
      assertThat(Integer.parseInt(head.header("content-length"))).isPositive();
      assertThat(http.get("/health/a").body()).startsWith("{\"peer\":\"a\"");
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "/health/../metrics| dot segments are not allowed in the path",
      "/health/%2e%2e| dot segments are not allowed in the path",
      "/health/a%2F..%2Fb| slash, backslash or control character in a path segment",
      "/health/a%5Cb| slash, backslash or control character in a path segment",
      "/health/a%00| slash, backslash or control character in a path segment",
      "/health//a| empty path segment",
      "/health/%zz| invalid percent escape in the path",
      "/health/%ff| percent escapes in the path are not valid UTF-8",
      "http://evil/health/a| the request target must be a path starting with /",
      "*| the request target must be a path starting with /"})
  void badPaths_400NamingTheProblem(String target, String problem) throws IOException {
    start();
    try (RawHttp http = connect()) {
      RawHttp.Response response = http.get(target);
      assertThat(response.status()).isEqualTo(400);
      assertThat(response.body()).isEqualTo("{\"status\":400,\"error\":\"" + problem + "\"}");
    }
  }

  @ParameterizedTest
  @CsvSource({"/health/%61, 200", "/health/a/, 200", "/health/a?verbose=1, 200",
      "/health/a/b, 404", "/metricsx, 404", "/, 200", "/x, 404"})
  void paths_decodedAndRoutedExactly(String target, int status) throws IOException {
    start();
    try (RawHttp http = connect()) {
      assertThat(http.get(target).status()).isEqualTo(status);
    }
  }

  @Test
  void oversizedRequestLine_414AndClosed() throws IOException {
    start();
    try (RawHttp http = connect()) {
      RawHttp.Response response = http.get("/health/" + "a".repeat(10_000));
      assertThat(response.status()).isEqualTo(414);
      assertThat(response.header("connection")).isEqualTo("close");
      assertThat(http.closedByServer()).isTrue();
    }
  }

  @Test
  void oversizedHeaders_431AndClosed() throws IOException {
    start();
    try (RawHttp http = connect()) {
      RawHttp.Response response = http.send("GET /health/a HTTP/1.1\r\nHost: t\r\nX-Big: "
          + "x".repeat(10_000) + "\r\n\r\n").read(false);
      assertThat(response.status()).isEqualTo(431);
      assertThat(http.closedByServer()).isTrue();
    }
  }

  @Test
  void oversizedBody_413() throws IOException {
    start();
    try (RawHttp http = connect()) {
      RawHttp.Response response = http.send("GET /health/a HTTP/1.1\r\nHost: t\r\n"
          + "Content-Length: 100000\r\n\r\n" + "x".repeat(2000)).read(false);
      assertThat(response.status()).isEqualTo(413);
    }
    assertThat(server.stats().clientErrors()).isEqualTo(1);
    assertThat(server.stats().httpResponses()).isEqualTo(1);
  }

  @ParameterizedTest
  @CsvSource({"'GARBAGE\r\n\r\n'", "'GET /health/a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'",
      "'GET /health/a HTTP/1.1\r\nno colon here\r\n\r\n'",
      "'GET /health/a HTTP/1.1\r\nContent-Length: -5\r\n\r\n'"})
  void malformed_400AndClosed(String request) throws IOException {
    start();
    try (RawHttp http = connect()) {
      RawHttp.Response response = http.send(request).read(false);
      assertThat(response.status()).isEqualTo(400);
      assertThat(response.body()).isEqualTo("{\"status\":400,\"error\":\"malformed HTTP request\"}");
      assertThat(http.closedByServer()).isTrue();
    }
  }

  @Test
  void otherHttpVersion_505AndClosed() throws IOException {
    start();
    try (RawHttp http = connect()) {
      RawHttp.Response response = http.send("GET /health/a HTTP/2.0\r\n\r\n").read(false);
      assertThat(response.status()).isEqualTo(505);
      assertThat(response.body()).contains("only HTTP/1.0 and HTTP/1.1 are served");
      assertThat(http.closedByServer()).isTrue();
    }
  }

  @Test
  void keepAlive_manyRequestsOnOneConnection_andHttp10Closes() throws IOException {
    start();
    try (RawHttp http = connect()) {
      for (int i = 0; i < 50; i++) {
        assertThat(http.get(i % 2 == 0 ? "/health/a" : "/health/d").status())
            .isEqualTo(i % 2 == 0 ? 200 : 503);
      }
      http.send("GET /health/a HTTP/1.1\r\nHost: t\r\n\r\nGET /health/b HTTP/1.1\r\nHost: t\r\n\r\n");
      assertThat(http.read(false).body()).contains("\"peer\":\"a\""); // pipelined, in order
      assertThat(http.read(false).body()).contains("\"peer\":\"b\"");
    }
    try (RawHttp http = connect()) {
      assertThat(http.send("GET /health/a HTTP/1.0\r\n\r\n").read(false).status()).isEqualTo(200);
      assertThat(http.closedByServer()).isTrue();
    }
  }

  @Test
  void slowClient_408AndClosed_otherClientsServedMeanwhile() throws IOException {
    start(HealthServer.builder(HealthView.of(peers.registry)).http(ANY_LOOPBACK)
        .requestTimeout(Duration.ofMillis(300)));
    try (RawHttp slow = connect(); RawHttp fast = connect()) {
      slow.send("GET /health/a HTTP/1.1\r\nHost: t\r\n"); // the headers never end
      assertThat(fast.get("/health/a").status()).isEqualTo(200);
      RawHttp.Response response = slow.read(false);
      assertThat(response.status()).isEqualTo(408);
      assertThat(response.body()).contains("the request was not received within 300 ms");
      assertThat(slow.closedByServer()).isTrue();
      assertThat(fast.get("/health/b").status()).isEqualTo(200);
    }
    assertThat(server.stats().slowClients()).isEqualTo(1);
    assertThat(server.stats().clientErrors()).isEqualTo(1);
  }

  @Test
  void keepAlive_idleBetweenRequests_notASlowClient() throws IOException {
    start(HealthServer.builder(HealthView.of(peers.registry)).http(ANY_LOOPBACK)
        .requestTimeout(Duration.ofMillis(100)));
    try (RawHttp http = connect()) {
      assertThat(http.get("/health/a").status()).isEqualTo(200);
      long idleFrom = System.nanoTime();
      await().atMost(Duration.ofSeconds(10)) // idle for three request timeouts
          .until(() -> System.nanoTime() - idleFrom > Duration.ofMillis(300).toNanos());
      assertThat(http.get("/health/a").status()).isEqualTo(200);
    }
    assertThat(server.stats().slowClients()).isZero();
  }

  @Test
  void idleConnection_closedAfterIdleTimeout() throws IOException {
    start(HealthServer.builder(HealthView.of(peers.registry)).http(ANY_LOOPBACK)
        .idleTimeout(Duration.ofMillis(200)));
    try (RawHttp http = connect()) {
      assertThat(http.get("/health/a").status()).isEqualTo(200);
      assertThat(http.closedByServer()).isTrue(); // blocks until the server closes, 30 s at most
    }
  }

  @Test
  void maxConnections_moreAreClosedAtOnce_andSlotsAreFreedOnClose() throws IOException {
    start(HealthServer.builder(HealthView.of(peers.registry)).http(ANY_LOOPBACK)
        .maxConnections(2));
    List<RawHttp> open = new ArrayList<>();
    try {
      open.add(connect());
      open.add(connect());
      for (RawHttp http : open) {
        assertThat(http.get("/health/a").status()).isEqualTo(200);
      }
      try (RawHttp third = connect()) {
        assertThat(third.closedByServer()).isTrue();
      }
      assertThat(server.stats().connectionsRejected()).isEqualTo(1);
      open.remove(0).close();
      await().atMost(Duration.ofSeconds(30)).until(() -> server.stats().openConnections() == 1);
      try (RawHttp again = connect()) {
        assertThat(again.get("/health/a").status()).isEqualTo(200);
      }
    } finally {
      for (RawHttp http : open) {
        http.close();
      }
    }
  }

  @Test
  void metrics_prometheusOnTheClasspath_servesTheRegistrysMeters() throws IOException {
    start();
    assertThat(server.servesMetrics()).isTrue();
    try (RawHttp http = connect()) {
      RawHttp.Response response = http.get("/metrics");
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.header("content-type"))
          .isEqualTo("text/plain; version=0.0.4; charset=utf-8");
      assertThat(response.body()).contains("# TYPE failure_detector_peers gauge")
          .containsPattern("failure_detector_peers\\{state=\"suspected\"} 1(\\.0)?\\n");
      HealthStats before = server.stats();
      String second = http.get("/metrics").body();
      // The server's own meters, in the same scrape: the first scrape's response counted.
      assertThat(second).containsPattern(
          "failure_detector_health_events_total\\{event=\"http.responses\"} [1-9]");
      assertThat(second).contains("failure_detector_health_connections_open");
      HealthStats delta = server.stats().minus(before);
      assertThat(delta.httpResponses()).as("the second scrape, counted once").isEqualTo(1);
      assertThat(delta.clientErrors()).isZero();
    }
  }

  @Test
  void metrics_givenScrape_servedAsIs() throws IOException {
    start(HealthServer.builder(HealthView.of(peers.registry)).http(ANY_LOOPBACK)
        .prometheusText(() -> "my_metric 1\n"));
    try (RawHttp http = connect()) {
      assertThat(http.get("/metrics").body()).isEqualTo("my_metric 1\n");
    }
  }

  @Test
  void metrics_noPrometheus_404SayingWhatToAdd() {
    EmbeddedChannel channel = new EmbeddedChannel(
        new HttpHealthHandler(HealthView.of(peers.registry), null, new HealthCounters()));
    channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/metrics"));
    FullHttpResponse response = channel.readOutbound();
    try {
      assertThat(response.status().code()).isEqualTo(404);
      assertThat(response.content().toString(StandardCharsets.UTF_8))
          .contains("HealthServer.Builder.prometheusText"); // what to add: PrometheusPresenceTest
    } finally {
      response.release();
      channel.finishAndReleaseAll();
    }
  }

  @Test
  void builder_badSettings_rejectedNamingTheValue() {
    HealthServer.Builder builder = HealthServer.builder(HealthView.of(peers.registry));
    assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class)
        .hasMessage("set http(address), agent(address) or both");
    assertThatThrownBy(() -> builder.maxRequestBytes(100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRequestBytes must be between 256 and 65536, got 100");
    assertThatThrownBy(() -> builder.requestTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("requestTimeout must be between PT0.01S and PT5M, got PT0S");
    assertThatThrownBy(() -> builder.idleTimeout(Duration.ofHours(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("idleTimeout must be between PT0.1S and PT1H, got PT2H");
    assertThatThrownBy(() -> builder.maxConnections(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxConnections must be at least 1, got 0");
    assertThatThrownBy(() -> builder.http(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("http must not be null");
  }

  @Test
  void start_portTaken_failsNamingTheAddress_andTwiceIsAnError() {
    start();
    InetSocketAddress taken = server.httpAddress();
    HealthServer second = HealthServer.builder(HealthView.of(peers.registry)).http(taken).build();
    assertThatThrownBy(second::start).isInstanceOf(UncheckedIOException.class)
        .hasMessageStartingWith("cannot bind the health server to " + taken + ": ");
    assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class)
        .hasMessage("the health server was already started");
  }
}
