package dev.failuredetector.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeersFileTest {

  @TempDir
  Path dir;

  @Test
  void parse_skipsCommentsBlankLinesAndItself() {
    Map<String, InetSocketAddress> peers = PeersFile.parse("""
        # members
        a=127.0.0.1:7001

          b = 127.0.0.2:7002
        self=127.0.0.3:7003
        v6=[::1]:7004
        """, Path.of("peers.txt"), "self");
    assertThat(peers).containsOnlyKeys("a", "b", "v6");
    assertThat(peers.get("b").getPort()).isEqualTo(7002);
    assertThat(peers.get("v6").getAddress().isLoopbackAddress()).isTrue();
  }

  @Test
  void parse_namesTheLineOfEachMistake() {
    Path path = Path.of("peers.txt");
    assertThatThrownBy(() -> PeersFile.parse("a=127.0.0.1:1\nb127.0.0.1:2\n", path, "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("peers.txt line 2: expected ID=HOST:PORT, got 'b127.0.0.1:2'");
    assertThatThrownBy(() -> PeersFile.parse("a=127.0.0.1:70000", path, "x"))
        .hasMessage("peers.txt line 1: port must be 1 to 65535, got '70000'");
    assertThatThrownBy(() -> PeersFile.parse("a=h:1\na=h:2", path, "x"))
        .hasMessage("peers.txt line 2: a is listed twice");
    assertThatThrownBy(() -> PeersFile.parse("x".repeat(65) + "=h:1", path, "x"))
        .hasMessageStartingWith("peers.txt line 1: senderId must be 1 to 64 bytes");
  }

  @Test
  void aChangedFile_changesThePeers_aBrokenOneChangesNothing() throws Exception {
    Path file = dir.resolve("peers.txt");
    Files.writeString(file, "me=127.0.0.1:7000\na=127.0.0.1:7001\nb=127.0.0.1:7002\n");
    try (HeartbeatNode node = HeartbeatNode.builder().localId("me")
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).insecure().build();
        PeersFile watch = PeersFile.watch(node, file, Duration.ofMillis(100))) {
      assertThat(node.registry().contains("a")).isTrue();
      assertThat(node.registry().contains("b")).isTrue();

      Files.writeString(file, "a=127.0.0.1:7001\nc=127.0.0.1:7003\n");
      await().atMost(Duration.ofSeconds(30)).until(() -> watch.peers().contains("c"));
      assertThat(node.registry().contains("b")).isFalse();
      assertThat(node.registry().contains("c")).isTrue();

      Files.writeString(file, "a=127.0.0.1:7001\nc=127.0.0.1\n"); // half-written
      await().atMost(Duration.ofSeconds(30)).until(() -> watch.errors() == 1);
      assertThat(watch.peers()).containsExactlyInAnyOrder("a", "c");
      assertThat(node.registry().contains("c")).isTrue();
    }
  }

  @Test
  void anUnreadableFile_isRefusedAtStart() {
    HeartbeatNode node = HeartbeatNode.builder().localId("me")
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).insecure().build();
    assertThatThrownBy(() -> PeersFile.watch(node, dir.resolve("missing.txt"), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot read the peers file");
    node.close();
  }
}
