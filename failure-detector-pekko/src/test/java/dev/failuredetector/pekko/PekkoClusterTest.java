package dev.failuredetector.pekko;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigFactory;
import dev.failuredetector.DetectorSpec;
import dev.failuredetector.FailureDetector;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real Pekko clusters: three nodes, each in its own JVM, on loopback (Artery TCP, no downing
 * provider), with the failure detector chosen by {@code implementation-class} as a user would
 * configure it. In each, one node is stopped (SIGSTOP) for 5 s and resumed: the others must see it
 * unreachable, then reachable again, and never remove it; then it is killed (SIGKILL): the others
 * must see it unreachable within the detector's timeout plus Pekko's reaper interval (plus a
 * margin for a busy 2-core machine). Run side by side for this library's phi (Pekko's keys only),
 * Pekko's own PhiAccrualFailureDetector, and this library's 2W-FD.
 */
class PekkoClusterTest {

  private static final long MS = 1_000_000;
  private static final long INTERVAL_MS = 200;
  private static final long REAPER_MS = 200;
  private static final long MARGIN_MS = 700;

  /** The detectors compared, as the HOCON a user writes. */
  enum Detector {
    OURS_PHI("implementation-class = \"dev.failuredetector.pekko.PekkoFailureDetector\""),
    PEKKO_PHI("implementation-class = \"org.apache.pekko.remote.PhiAccrualFailureDetector\""),
    OURS_TWO_WINDOW("implementation-class = \"dev.failuredetector.pekko.PekkoFailureDetector\"\n"
        + "detector = \"two-window:margin=1s\"");

    final String hocon;

    Detector(String specific) {
      this.hocon = specific + "\nheartbeat-interval = " + INTERVAL_MS + " ms\n"
          + "acceptable-heartbeat-pause = 1 s\nthreshold = 8\nmin-std-deviation = 100 ms";
    }

    /** The detector's timeout after steady 200 ms heartbeats, by this library's formula. */
    long steadyTimeoutNanos() {
      DetectorSpec spec = PekkoFailureDetector.specOf(ConfigFactory.parseString(hocon)
          .withFallback(ConfigFactory.load().getConfig("pekko.cluster.failure-detector")));
      FailureDetector detector = spec.newDetector(() -> 0);
      for (int i = 0; i < 50; i++) {
        detector.heartbeat(i * INTERVAL_MS * MS);
      }
      return detector.timeoutNanos();
    }
  }

  private final List<ClusterProcess> nodes = new ArrayList<>();

  @AfterEach
  void cleanUp() throws InterruptedException {
    for (ClusterProcess node : nodes) {
      node.close();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket probe = new ServerSocket(0)) {
      return probe.getLocalPort();
    }
  }

  @ParameterizedTest
  @EnumSource(Detector.class)
  void stoppedNode_isUnreachableThenReachable_killedNode_isUnreachableWithinTheTimeout(
      Detector detector) throws Exception {
    int seed = freePort();
    nodes.add(new ClusterProcess(seed, seed, detector.hocon));
    nodes.add(new ClusterProcess(freePort(), seed, detector.hocon));
    nodes.add(new ClusterProcess(freePort(), seed, detector.hocon));
    for (ClusterProcess node : nodes) {
      for (ClusterProcess member : nodes) {
        node.awaitFirst("UP", member.port(), Long.MIN_VALUE / 2);
      }
    }
    ClusterProcess victim = nodes.get(2);
    List<ClusterProcess> survivors = nodes.subList(0, 2);
    Thread.sleep(3_000); // let every detector learn the heartbeat rhythm (the warm-up itself)

    // SIGSTOP for 5 s: unreachable, then reachable again after SIGCONT; never removed.
    long stoppedAt = System.nanoTime();
    victim.signal("STOP");
    Thread.sleep(5_000); // the length of the pause under test
    long resumedAt = System.nanoTime();
    victim.signal("CONT");
    long[] stopToUnreachable = new long[2];
    long[] resumeToReachable = new long[2];
    for (int i = 0; i < 2; i++) {
      ClusterProcess survivor = survivors.get(i);
      long unreachable = survivor.awaitFirst("UNREACHABLE", victim.port(), stoppedAt);
      assertThat(unreachable - resumedAt).as("suspected while stopped").isNegative();
      resumeToReachable[i] = survivor.awaitFirst("REACHABLE", victim.port(), resumedAt)
          - resumedAt;
      stopToUnreachable[i] = unreachable - stoppedAt;
    }
    // Settled again (the resumed node may briefly suspect the others), then SIGKILL.
    await().atMost(ClusterProcess.GENEROUS).until(() -> survivors.stream()
        .allMatch(s -> s.first("REACHABLE", victim.port(), resumedAt).isPresent()));
    Thread.sleep(3_000); // detectors relearn the rhythm after the pause (the warm-up itself)
    long killedAt = System.nanoTime();
    victim.kill();
    long timeoutNanos = detector.steadyTimeoutNanos();
    long bound = timeoutNanos + REAPER_MS * MS + MARGIN_MS * MS;
    long[] killToUnreachable = new long[2];
    for (int i = 0; i < 2; i++) {
      killToUnreachable[i] = survivors.get(i).awaitFirst("UNREACHABLE", victim.port(), killedAt)
          - killedAt;
      assertThat(killToUnreachable[i]).as("%s: ns from SIGKILL to UnreachableMember", detector)
          .isLessThan(bound);
    }
    for (ClusterProcess survivor : survivors) {
      assertThat(survivor.events()).as("no downing provider: nobody removed")
          .noneMatch(e -> e.what().equals("REMOVED"));
    }
    System.out.printf(Locale.ROOT, "Pekko Cluster, 3 JVMs, %s (heartbeat 200 ms, timeout %d ms by"
            + " formula, reaper 200 ms):%n  SIGSTOP 5 s -> UnreachableMember %d / %d ms, SIGCONT ->"
            + " ReachableMember %d / %d ms; SIGKILL -> UnreachableMember %d / %d ms (bound %d ms)%n",
        detector, timeoutNanos / MS, stopToUnreachable[0] / MS, stopToUnreachable[1] / MS,
        resumeToReachable[0] / MS, resumeToReachable[1] / MS, killToUnreachable[0] / MS,
        killToUnreachable[1] / MS, bound / MS);
  }
}
