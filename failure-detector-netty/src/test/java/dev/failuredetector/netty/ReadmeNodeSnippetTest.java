package dev.failuredetector.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.PeerState;
import dev.failuredetector.TransitionReason;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The HeartbeatNode snippet of the README and docs/heartbeat-node.md, kept compiling and true (on
 * loopback, ephemeral ports).
 */
class ReadmeNodeSnippetTest {

  /** Stands in for an SLF4J logger. */
  private static final class Log {
    final List<String> lines = new CopyOnWriteArrayList<>();

    void info(String format, Object... args) {
      lines.add(format + " " + List.of(args));
    }
  }

  @Test
  void nodeSnippet() throws Exception {
    Log log = new Log();
    byte[] secret32Bytes = "0123456789abcdef0123456789abcdef".getBytes();
    InetAddress loopback = InetAddress.getLoopbackAddress();
    HeartbeatNode other = HeartbeatNode.builder().localId("orders-2")
        .bind(new InetSocketAddress(loopback, 0)).interval(Duration.ofMillis(500))
        .keyRing(KeyRing.of(1, secret32Bytes)).build().start();
    HeartbeatNode third = HeartbeatNode.builder().localId("orders-3")
        .bind(new InetSocketAddress(loopback, 0)).interval(Duration.ofMillis(500))
        .keyRing(KeyRing.of(1, secret32Bytes)).build().start();
    InetSocketAddress address = third.localAddress();
    boolean route;

    // --- README node (bind and the peer's address adapted to loopback) ---
    HeartbeatNode node = HeartbeatNode.builder()
        .localId("orders-1")
        .bind(new InetSocketAddress(loopback, 0))
        .transport(Transport.UDP)
        .interval(Duration.ofMillis(500))
        .keyRing(KeyRing.of(1, secret32Bytes))
        .registry(r -> r.detector(DetectorSpec.parse("phi:pause=1s"))) // the node gives it its interval
        .peer("orders-2", other.localAddress())
        .build().start();
    node.registry().addListener(t -> log.info("{} {} -> {} ({})", t.key(), t.from(), t.to(), t.reason()));
    other.addPeer("orders-1", node.localAddress());
    await().atMost(Duration.ofSeconds(30)).until(() -> node.registry().isAvailable("orders-2"));
    route = node.registry().isAvailable("orders-2");
    node.addPeer("orders-3", address);
    // (end of the snippet but for close(), checked below)

    assertThat(route).isTrue();
    // Listeners run on the registry's listener thread, after the state is visible: wait for it
    // (asserting at once raced it on a loaded CI machine).
    await().atMost(Duration.ofSeconds(30)).until(() -> log.lines.stream()
        .anyMatch(line -> line.contains("orders-2") && line.contains("AVAILABLE")));
    await().atMost(Duration.ofSeconds(30)).until(() -> other.registry().isAvailable("orders-1"));
    node.close();
    await().atMost(Duration.ofSeconds(30))
        .until(() -> other.registry().state("orders-1") == PeerState.FAILED);
    assertThat(other.registry().snapshot("orders-1").orElseThrow().reason())
        .isEqualTo(TransitionReason.LEFT);
    other.close();
    third.close();
  }
}
