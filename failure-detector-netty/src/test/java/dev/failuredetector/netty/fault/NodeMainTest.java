package dev.failuredetector.netty.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failuredetector.PeerState;
import dev.failuredetector.qos.HeartbeatTrace;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NodeMain as an operator uses it: health endpoints, tuning from recorded arrivals, export. */
class NodeMainTest {

  @TempDir
  Path dir;

  private NodeProcess a;
  private NodeProcess b;

  @AfterEach
  void close() {
    for (NodeProcess node : new NodeProcess[] {a, b}) {
      if (node != null) {
        node.close();
      }
    }
  }

  @Test
  void healthTuneThresholdExport_asTheReadmeWalksThrough() throws Exception {
    a = NodeProcess.start(List.of(), "a", "--interval", "50", "--record", "10000",
        "--http", "127.0.0.1:0");
    b = NodeProcess.start(List.of(), "b", "--interval", "50", "--peer", "a=127.0.0.1:" + a.port());
    a.command("peer b 127.0.0.1:" + b.port());
    a.awaitTransition("b", PeerState.AVAILABLE);
    await().atMost(NodeProcess.GENEROUS).until(() -> a.statusField("accepted") >= 60);

    String healthLine = a.output().stream().filter(l -> l.startsWith("HEALTH ")).findFirst()
        .orElseThrow();
    int httpPort = Integer.parseInt(healthLine.replaceFirst("HEALTH http=(\\d+) agent=-1", "$1"));
    HttpResponse<String> health = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health/b"))
            .timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("\"peer\":\"b\",\"state\":\"AVAILABLE\"");

    String tune = a.ask("tune b 1000", "TUNE ");
    assertThat(tune).matches("TUNE (true|false) [0-9.]+ .*PhiAccrualFailureDetector as configured"
        + " with threshold = .*");
    assertThat(a.ask("threshold 12", "THRESHOLD ")).isEqualTo("THRESHOLD 12");
    assertThat(a.ask("threshold -1", "ERROR ")).isEqualTo(
        "ERROR threshold must be a finite number > 0, got -1.0");

    Path file = dir.resolve("b.csv.gz");
    String exported = a.ask("export b " + file, "EXPORTED ");
    int written = Integer.parseInt(exported.split(" ")[2]);
    assertThat(written).isGreaterThanOrEqualTo(60);
    assertThat(HeartbeatTrace.read(file).size()).isEqualTo(written);
    assertThat(a.ask("tune nobody 1", "ERROR ")).isEqualTo("ERROR no such peer: nobody");
  }
}
