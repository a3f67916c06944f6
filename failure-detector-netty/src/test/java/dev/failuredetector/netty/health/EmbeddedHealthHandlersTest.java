package dev.failuredetector.netty.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The health handlers in a Netty pipeline of the user's own, as their Javadoc shows it, driven
 * through {@link EmbeddedChannel}: the same answers as the {@link HealthServer} gives.
 */
class EmbeddedHealthHandlersTest {

  private final ManualRegistry peers = ManualRegistry.abcd();

  @AfterEach
  void close() {
    peers.close();
  }

  private static String written(EmbeddedChannel channel) {
    StringBuilder out = new StringBuilder();
    for (Object message; (message = channel.readOutbound()) != null; ) {
      ByteBuf bytes = (ByteBuf) message;
      out.append(bytes.toString(StandardCharsets.UTF_8));
      bytes.release();
    }
    return out.toString();
  }

  @Test
  void http_inAPipelineOfYourOwn_answersPerPeer_andKeepsTheConnection() {
    peers.suspectOnlyD();
    HttpHealthHandler handler = HttpHealthHandler.of(HealthView.of(peers.registry));
    EmbeddedChannel http = new EmbeddedChannel(new HttpServerCodec(),
        new HttpObjectAggregator(1024), handler);
    http.writeInbound(Unpooled.copiedBuffer("GET /health/a HTTP/1.1\r\nHost: x\r\n\r\n",
        StandardCharsets.US_ASCII));
    String up = written(http);
    assertThat(up).startsWith("HTTP/1.1 200 OK").contains("\"peer\":\"a\"");
    http.writeInbound(Unpooled.copiedBuffer("GET /health/d HTTP/1.1\r\nHost: x\r\n\r\n",
        StandardCharsets.US_ASCII));
    assertThat(written(http)).startsWith("HTTP/1.1 503 Service Unavailable")
        .contains("\"state\":\"SUSPECTED\"");
    http.writeInbound(Unpooled.copiedBuffer("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
        StandardCharsets.US_ASCII));
    assertThat(written(http)).startsWith("HTTP/1.1 404");
    assertThat(http.isOpen()).as("keep-alive").isTrue();

    // Sharable: a second channel, and /metrics from a scrape of the caller's choosing.
    EmbeddedChannel other = new EmbeddedChannel(new HttpServerCodec(),
        new HttpObjectAggregator(1024),
        HttpHealthHandler.of(HealthView.of(peers.registry), () -> "up 1\n"));
    other.writeInbound(Unpooled.copiedBuffer("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
        StandardCharsets.US_ASCII));
    assertThat(written(other)).startsWith("HTTP/1.1 200 OK").endsWith("up 1\n");
    assertThat(http.finishAndReleaseAll()).isFalse();
    other.finishAndReleaseAll();
  }

  @Test
  void agent_inAPipelineOfYourOwn_answersTheNamedPeer_thenCloses() {
    peers.suspectOnlyD();
    AgentCheckHandler handler = AgentCheckHandler.of(HealthView.of(peers.registry));
    EmbeddedChannel up = new EmbeddedChannel(new LineBasedFrameDecoder(256), handler);
    up.writeInbound(Unpooled.copiedBuffer("a\n", StandardCharsets.US_ASCII));
    assertThat(written(up)).isEqualTo("up 100%\n");
    assertThat(up.isOpen()).isFalse();
    EmbeddedChannel down = new EmbeddedChannel(new LineBasedFrameDecoder(256), handler);
    down.writeInbound(Unpooled.copiedBuffer("d\n", StandardCharsets.US_ASCII));
    assertThat(written(down)).isEqualTo("down #SUSPECTED TIMEOUT\n");
    assertThatThrownBy(() -> AgentCheckHandler.of(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("view must not be null");
  }
}
