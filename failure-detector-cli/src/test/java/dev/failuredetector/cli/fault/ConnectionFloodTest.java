package dev.failuredetector.cli.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.PeerState;
import dev.failuredetector.PeerTransition;
import dev.failuredetector.TransitionReason;
import dev.failuredetector.netty.HeartbeatNode;
import dev.failuredetector.netty.KeyRing;
import dev.failuredetector.netty.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * 2,000 connections held against a node's heartbeat TCP port from 50 loopback source addresses,
 * half silent and half trickling a byte at a time, each reopened as soon as the node closes it,
 * while an honest peer (a {@code node} child JVM) is killed and restarted: the node must take
 * the restarted peer back at once. Before the connection guard, 1,024 such sockets kept a
 * restarted peer FAILED for 75 s.
 */
class ConnectionFloodTest {

  private static final String KEY = "1:" + "7e".repeat(32);
  private static final Duration INTERVAL = Duration.ofMillis(100);
  private static final long MS = 1_000_000;

  private HeartbeatNode observer;
  private NodeProcess peer;

  @AfterEach
  void cleanUp() throws InterruptedException {
    if (peer != null) {
      peer.close();
    }
    if (observer != null) {
      observer.close();
    }
  }

  private NodeProcess startPeer(int port) throws Exception {
    return NodeProcess.start(List.of(), Map.of("FD_KEY", KEY), "c", "--bind", "127.0.0.1:" + port, "--transport", "tcp",
        "--interval", Long.toString(INTERVAL.toMillis()), "--detector", "deadline:pause=500ms",
        "--peer", "a=127.0.0.1:" + observer.localAddress().getPort());
  }

  @Test
  void restartedPeer_isTakenBackAtOnce_while2000ConnectionsAreHeld() throws Exception {
    List<PeerTransition<String>> seen = new CopyOnWriteArrayList<>();
    observer = HeartbeatNode.builder().localId("a").transport(Transport.TCP)
        .keyRing(KeyRing.parse("test key", KEY))
        .bind(new InetSocketAddress("127.0.0.1", 0)).interval(INTERVAL)
        .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(100))
        .registry(r -> r.detector(DetectorSpec.parse("deadline:pause=500ms")))
        .registry(r -> r.confirmationTime(Duration.ofMinutes(1))).build().start();
    observer.registry().addListener(seen::add);
    peer = startPeer(0);
    int port = peer.port();
    observer.addPeer("c", new InetSocketAddress("127.0.0.1", port));
    await().atMost(NodeProcess.GENEROUS).until(() -> observer.registry().isAvailable("c"));

    long readyToBack;
    try (ConnectionFlood flood = new ConnectionFlood(observer.localAddress(), 2_000, 50)) {
      await().atMost(NodeProcess.GENEROUS).until(() -> flood.opened() >= 2_000);
      peer.kill();
      await().atMost(NodeProcess.GENEROUS)
          .until(() -> observer.registry().state("c") == PeerState.FAILED);
      int mark = seen.size();
      peer = startPeer(port);
      long ready = System.nanoTime(); // c listens and has sent (or is sending) its first round
      await().atMost(NodeProcess.GENEROUS).until(() -> seen.subList(mark, seen.size()).stream()
          .anyMatch(t -> t.key().equals("c") && t.to() == PeerState.AVAILABLE));
      PeerTransition<String> back = seen.subList(mark, seen.size()).stream()
          .filter(t -> t.key().equals("c") && t.to() == PeerState.AVAILABLE).findFirst()
          .orElseThrow();
      assertThat(back.reason()).isEqualTo(TransitionReason.RESTARTED);
      readyToBack = back.atNanos() - ready;
      // Held on: c stays available while the flood goes on.
      long acceptedBefore = observer.stats().accepted();
      await().atMost(NodeProcess.GENEROUS)
          .until(() -> observer.stats().accepted() >= acceptedBefore + 20);
      assertThat(observer.registry().isAvailable("c")).isTrue();
      System.out.printf("TCP connection flood: %d connections opened from 50 sources (%d closed by"
              + " the node and reopened); the node evicted %d and timed out or closed %d; the"
              + " restarted peer was taken back %d ms after it listened (interval 100 ms)%n",
          flood.opened(), flood.closedByServer(), observer.stats().inboundRejected(),
          observer.stats().inboundClosed(), readyToBack / MS);
    }
    // The peer must not wait for the flood. What it needs: one reconnect of ours (the observer's
    // link to c backs off at most 100 ms after c's port refused it), its hello and our echo, and
    // its second message of the new life to confirm it: four intervals; plus however late this
    // observer's timer ran meanwhile (measured, a busy 2-core machine saw 600 ms), plus c's own
    // first-round lateness (a new JVM, not observable here: one more interval).
    long allowed = 5 * INTERVAL.toNanos() + 100 * MS
        + observer.registry().stats().maxTickLagNanos();
    assertThat(readyToBack).as("ns from c listening to c available (allowed %d ms)",
        allowed / MS).isLessThan(allowed);
  }
}
