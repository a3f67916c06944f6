package dev.failuredetector.cli.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.PeerSnapshot;
import dev.failuredetector.PeerState;
import dev.failuredetector.PeerTransition;
import dev.failuredetector.TransitionReason;
import dev.failuredetector.netty.HeartbeatNode;
import dev.failuredetector.netty.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real faults of real processes on loopback: the peer under test is a separate JVM ({@link
 * NodeProcess}) that is killed with SIGKILL, told to leave, or frozen with SIGSTOP; the observer
 * is a node in this JVM. Detection times are measured from the signal to the observer's
 * transition, both on CLOCK_MONOTONIC (System.nanoTime on Linux), and printed.
 *
 * <p>Bounds are generous (a noisy 2-core machine may start a JVM slowly or deliver a tick late);
 * what the tests pin down exactly is the order of events and the reasons.
 */
class ProcessFaultTest {

  private static final long MS = 1_000_000L;
  private static final String INTERVAL_MS = "100";

  private HeartbeatNode observer;
  private final List<PeerTransition<String>> seen = new CopyOnWriteArrayList<>();
  private final List<NodeProcess> processes = new ArrayList<>();

  @AfterEach
  void cleanUp() throws InterruptedException {
    for (NodeProcess process : processes) {
      process.close();
    }
    if (observer != null) {
      observer.close();
    }
  }

  private void startObserver(Transport transport, Duration pause) throws InterruptedException {
    observer = HeartbeatNode.builder().insecure().localId("o").transport(transport)
        .bind(new InetSocketAddress("127.0.0.1", 0)).interval(Duration.ofMillis(100))
        .registry(r -> r.detector(DetectorSpec.phi().withInterval(Duration.ofMillis(100))
            .withPause(pause).withMinStd(Duration.ofMillis(20))))
        // SUSPECTED stays SUSPECTED in these tests
        .registry(r -> r.confirmationTime(Duration.ofMinutes(1)))
        .build().start();
    observer.registry().addListener(seen::add);
  }

  private NodeProcess startPeer(String id, Transport transport, long incarnation)
      throws IOException {
    return startPeer(id, transport, incarnation, "200");
  }

  /** {@code pauseMillis}: the acceptable pause of the peer's own detectors. */
  private NodeProcess startPeer(String id, Transport transport, long incarnation,
      String pauseMillis) throws IOException {
    NodeProcess peer = NodeProcess.start(List.of(), id, "--bind", "127.0.0.1:0",
        "--transport", transport.name().toLowerCase(Locale.ROOT), "--interval", INTERVAL_MS,
        "--pause", pauseMillis, "--min-std", "20", "--confirm", "60000",
        "--incarnation", Long.toString(incarnation),
        "--peer", "o=127.0.0.1:" + observer.localAddress().getPort());
    processes.add(peer);
    observer.addPeer(id, new InetSocketAddress("127.0.0.1", peer.port()));
    await().atMost(NodeProcess.GENEROUS).until(() -> observer.registry().isAvailable(id));
    return peer;
  }

  /** Lets the observer learn the peer's rhythm: 20 more heartbeats. */
  private void warmUp() {
    long target = observer.stats().accepted() + 20;
    await().atMost(NodeProcess.GENEROUS).until(() -> observer.stats().accepted() >= target);
  }

  private PeerTransition<String> awaitSeen(String peer, PeerState state) {
    await().atMost(NodeProcess.GENEROUS).until(() -> first(peer, state) != null);
    return first(peer, state);
  }

  private PeerTransition<String> first(String peer, PeerState state) {
    return seen.stream().filter(t -> t.key().equals(peer) && t.to() == state).findFirst()
        .orElse(null);
  }

  @Test
  void kill9_overUdp_isSuspectedWhenTheDetectorsOwnDeadlinePasses() throws Exception {
    startObserver(Transport.UDP, Duration.ofMillis(200));
    int trials = 5;
    long[] detection = new long[trials];
    long[] expected = new long[trials];
    long[] lateness = new long[trials];
    for (int trial = 0; trial < trials; trial++) {
      String id = "victim-" + trial;
      NodeProcess victim = startPeer(id, Transport.UDP, 1);
      warmUp();
      PeerSnapshot<String> atKill = observer.registry().snapshot(id).orElseThrow();
      long killedAt = System.nanoTime();
      victim.kill();
      PeerTransition<String> suspected = awaitSeen(id, PeerState.SUSPECTED);
      // The detector's deadline: the last heartbeat plus the timeout it had then (no heartbeat
      // has arrived since, so neither has moved).
      // The clock is read before the snapshot, so this deadline is never later than the real one.
      long before = System.nanoTime();
      PeerSnapshot<String> after = observer.registry().snapshot(id).orElseThrow();
      long deadline = before - after.nanosSinceLastHeartbeat() + after.timeoutNanos();
      detection[trial] = suspected.atNanos() - killedAt;
      expected[trial] = atKill.timeoutNanos() - atKill.nanosSinceLastHeartbeat();
      lateness[trial] = suspected.atNanos() - deadline;
      assertThat(suspected.reason()).isEqualTo(TransitionReason.TIMEOUT);
      // Never before the deadline, and on a quiet machine within a 10 ms tick of it; 1 s allows
      // for a noisy CI machine.
      assertThat(lateness[trial]).as("trial %d: ns after the deadline", trial)
          .isBetween(0L, 1_000 * MS);
      observer.removePeer(id);
    }
    System.out.printf("kill -9 over UDP (heartbeat 100 ms, phi 8, pause 200 ms), %d trials:%n"
        + "  detection (kill -> SUSPECTED), ms: %s%n"
        + "  predicted at the kill by the detector, ms: %s%n"
        + "  suspicion after the detector's own deadline, ms: %s%n", trials, millis(detection),
        millis(expected), millis(lateness));
  }

  @Test
  void kill9_overTcp_isDetectedByTheRefusedConnection_farFasterThanTheTimeout()
      throws Exception {
    startObserver(Transport.TCP, Duration.ofSeconds(5));
    int trials = 5;
    long[] detection = new long[trials];
    long timeout = 0;
    for (int trial = 0; trial < trials; trial++) {
      String id = "victim-" + trial;
      NodeProcess victim = startPeer(id, Transport.TCP, 1);
      warmUp();
      timeout = observer.registry().snapshot(id).orElseThrow().timeoutNanos();
      long killedAt = System.nanoTime();
      victim.kill();
      PeerTransition<String> failed = awaitSeen(id, PeerState.FAILED);
      assertThat(failed.reason()).isEqualTo(TransitionReason.CONNECTION_REFUSED);
      assertThat(first(id, PeerState.SUSPECTED)).as("no timeout was needed").isNull();
      detection[trial] = failed.atNanos() - killedAt;
      assertThat(detection[trial]).isLessThan(timeout / 4);
      observer.removePeer(id);
    }
    System.out.printf("kill -9 over TCP, %d trials: detection (kill -> FAILED by refused"
        + " connection), ms: %s; the detector's timeout was %d ms%n", trials, millis(detection),
        timeout / MS);
  }

  @Test
  void goodbye_marksThePeerLeftAtOnce() throws Exception {
    startObserver(Transport.UDP, Duration.ofSeconds(5));
    NodeProcess leaver = startPeer("leaver", Transport.UDP, 1);
    warmUp();
    long timeout = observer.registry().snapshot("leaver").orElseThrow().timeoutNanos();
    long quitAt = System.nanoTime();
    leaver.command("quit");
    PeerTransition<String> left = awaitSeen("leaver", PeerState.FAILED);
    assertThat(left.reason()).isEqualTo(TransitionReason.LEFT);
    assertThat(first("leaver", PeerState.SUSPECTED)).isNull();
    long elapsed = left.atNanos() - quitAt;
    assertThat(elapsed).isLessThan(timeout / 4);
    System.out.printf("GOODBYE: 'quit' sent -> LEFT in %d ms (timeout %d ms)%n", elapsed / MS,
        timeout / MS);
  }

  @Test
  void sigstopLongerThanTheTimeout_suspectedThenRecovered_andThePausedNodeSuspectsNoOne()
      throws Exception {
    startObserver(Transport.UDP, Duration.ofMillis(200));
    // The paused node's own timeout (about 1.2 s) is well under the 2 s stop, so without the
    // guard it could suspect the observer on waking; it is long enough that a merely noisy
    // machine does not make it suspect anyone.
    NodeProcess paused = startPeer("paused", Transport.UDP, 1, "1000");
    paused.awaitTransition("o", PeerState.AVAILABLE);
    warmUp();
    long stoppedAt = System.nanoTime();
    paused.stop();
    PeerTransition<String> suspected = awaitSeen("paused", PeerState.SUSPECTED);
    assertThat(suspected.reason()).isEqualTo(TransitionReason.TIMEOUT);
    // Stay stopped for 2 s of silence: well past the timeout and the pause guard's 500 ms.
    await().atMost(NodeProcess.GENEROUS).until(() -> observer.registry().snapshot("paused")
        .orElseThrow().nanosSinceLastHeartbeat() >= 2_000 * MS);
    long resumedAt = System.nanoTime();
    paused.resume();
    await().atMost(NodeProcess.GENEROUS).until(() -> seen.stream().anyMatch(
        t -> t.key().equals("paused") && t.reason() == TransitionReason.RECOVERED));
    PeerTransition<String> recovery = seen.stream()
        .filter(t -> t.key().equals("paused") && t.reason() == TransitionReason.RECOVERED)
        .findFirst().orElseThrow();
    assertThat(recovery.to()).isEqualTo(PeerState.AVAILABLE);
    assertThat(recovery.falseSuspicion()).isTrue();

    // The paused node noticed its own pause, and after 2 s (well past the guard's 1 s grace)
    // of heartbeats since, it has suspected no one.
    await().atMost(NodeProcess.GENEROUS).until(() -> paused.statusField("localPauses") >= 1);
    long accepted = paused.statusField("accepted");
    await().atMost(NodeProcess.GENEROUS).until(() -> paused.statusField("accepted") >= accepted + 20);
    assertThat(paused.transitions()).as("the paused node's own transitions")
        .noneMatch(t -> t.to() == PeerState.SUSPECTED || t.to() == PeerState.FAILED);
    assertThat(paused.statusField("mistakes")).isZero();
    System.out.printf("SIGSTOP: suspected %d ms after the stop, recovered %d ms after SIGCONT;"
        + " the paused node counted its pause and suspected no one%n",
        (suspected.atNanos() - stoppedAt) / MS, (recovery.atNanos() - resumedAt) / MS);
  }

  private static String millis(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    StringBuilder text = new StringBuilder();
    for (long n : nanos) {
      text.append(n / MS).append(' ');
    }
    return text.append("(min ").append(sorted[0] / MS).append(", median ")
        .append(sorted[sorted.length / 2] / MS).append(", max ")
        .append(sorted[sorted.length - 1] / MS).append(')').toString();
  }
}
