package dev.failuredetector.cli.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.PeerSnapshot;
import dev.failuredetector.PeerState;
import dev.failuredetector.PeerTransition;
import dev.failuredetector.netty.HeartbeatNode;
import dev.failuredetector.netty.KeyRing;
import dev.failuredetector.netty.Transport;
import dev.failuredetector.qos.HeartbeatTrace;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every detector kind over {@link HeartbeatNode}, as a user would run it: three nodes on
 * loopback sending every 100 ms, two in this JVM (a, b) and one in a child JVM (c, {@code
 * failure-detector.jar node --detector SPEC}), each sending to the two others. For each kind, all at once:
 * <ul>
 *   <li>after a warm-up, 20 s of steady state with no mistake and no suspicion;
 *   <li>each observer's timeout for each peer within 20% of what the detector's own formula gives
 *       for the arrivals it saw, numbered 0, 1, 2, ... ({@link DetectorFormula}): the check that
 *       the transport numbers heartbeats per recipient, as sequence-based detectors need;
 *   <li>c's own view of a, read from its {@code /health/a}, agrees with the formula for the
 *       arrivals c recorded ({@code node --record}, exported through its stdin);
 *   <li>c killed with SIGKILL: both observers suspect it (or, over TCP, see its port refuse) no
 *       later than their own deadline for it plus three ticks.
 * </ul>
 * Every kind runs with its defaults (the spec's kind alone, the node giving the interval): the
 * defaults a user trusts without reading further must give a timeout of 2 to 40 intervals and
 * no mistake on a busy machine.
 */
class DetectorMatrixTest {

  private static final long MS = 1_000_000;
  private static final Duration INTERVAL = Duration.ofMillis(100);
  private static final long TICK_NANOS = 10 * MS;
  private static final Duration STEADY = Duration.ofSeconds(20);
  /** The cluster's key, as a user gives it: a key file's line, to the child in FD_KEY. */
  private static final String KEY = "1:" + "5a".repeat(32);
  private static final List<String> SPECS = DetectorSpec.KINDS;

  /** One kind's three nodes. */
  private static final class Trio {
    final DetectorSpec spec;
    final HeartbeatNode a;
    final HeartbeatNode b;
    NodeProcess c;
    int cHttpPort;
    /** What each observer's listener was told, in order. */
    final List<PeerTransition<String>> seenByA = new CopyOnWriteArrayList<>();
    final List<PeerTransition<String>> seenByB = new CopyOnWriteArrayList<>();

    Trio(String text, Transport transport) throws InterruptedException {
      this.spec = DetectorSpec.parse(text).withInterval(INTERVAL);
      this.a = node("a", text, transport);
      this.b = node("b", text, transport);
      a.registry().addListener(seenByA::add);
      b.registry().addListener(seenByB::add);
      a.addPeer("b", b.localAddress());
      b.addPeer("a", a.localAddress());
    }

    private static HeartbeatNode node(String id, String spec, Transport transport)
        throws InterruptedException {
      return HeartbeatNode.builder().keyRing(KeyRing.parse("test key", KEY)).localId(id)
          .transport(transport)
          .bind(new InetSocketAddress("127.0.0.1", 0)).interval(INTERVAL)
          .registry(r -> r.detector(DetectorSpec.parse(spec))
              .plugin(new dev.failuredetector.qos.ArrivalRecording(1_000)))
          .registry(r -> r.confirmationTime(Duration.ofMinutes(5)))
          .build().start();
    }
  }

  private final List<Trio> trios = new ArrayList<>();

  @AfterEach
  void cleanUp() throws InterruptedException {
    for (Trio trio : trios) {
      if (trio.c != null) {
        trio.c.close();
      }
      trio.a.close();
      trio.b.close();
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void everyDetector_overTheRealTransport_agreesWithItsFormula_andDetectsAKill(
      Transport transport, @TempDir Path directory) throws Exception {
    for (String spec : SPECS) {
      Trio trio = new Trio(spec, transport);
      trios.add(trio);
      trio.c = NodeProcess.start(List.of(), Map.of("FD_KEY", KEY), "c", "--bind", "127.0.0.1:0",
          "--transport", transport.name().toLowerCase(Locale.ROOT),
          "--interval", Long.toString(INTERVAL.toMillis()), "--detector", spec,
          "--confirm", "300000", "--http", "127.0.0.1:0", "--record", "1000",
          "--peer", "a=127.0.0.1:" + trio.a.localAddress().getPort(),
          "--peer", "b=127.0.0.1:" + trio.b.localAddress().getPort());
      trio.cHttpPort = trio.c.httpPort();
      InetSocketAddress c = new InetSocketAddress("127.0.0.1", trio.c.port());
      trio.a.addPeer("c", c);
      trio.b.addPeer("c", c);
    }
    for (Trio trio : trios) {
      await().atMost(NodeProcess.GENEROUS).until(() -> trio.a.registry().isAvailable("c")
          && trio.b.registry().isAvailable("c") && trio.a.registry().isAvailable("b")
          && trio.b.registry().isAvailable("a"));
    }
    // Warm-up: the child JVMs have started and every detector has a few seconds of history.
    Thread.sleep(3_000); // the length of the warm-up itself, not a wait for a condition
    long[] mistakesBefore = new long[trios.size()];
    int[] seenBefore = new int[trios.size()];
    for (int i = 0; i < trios.size(); i++) {
      Trio trio = trios.get(i);
      mistakesBefore[i] = trio.a.registry().stats().mistakes() + trio.b.registry().stats().mistakes();
      seenBefore[i] = trio.seenByA.size() + trio.seenByB.size();
    }
    Thread.sleep(STEADY.toMillis()); // the steady-state window under test
    StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
        "Detector matrix over %s, 3 nodes at 100 ms, %d s steady state:%n", transport,
        STEADY.toSeconds()));
    for (int i = 0; i < trios.size(); i++) {
      Trio trio = trios.get(i);
      long mistakes = trio.a.registry().stats().mistakes() + trio.b.registry().stats().mistakes()
          - mistakesBefore[i];
      assertThat(mistakes).as("%s: mistakes in %s", trio.spec.kind(), STEADY).isZero();
      assertThat(trio.seenByA.size() + trio.seenByB.size())
          .as("%s: transitions during the steady state: %s %s", trio.spec.kind(), trio.seenByA,
              trio.seenByB)
          .isEqualTo(seenBefore[i]);
      double[] ratios = {
          ratio(trio, trio.a, "b"), ratio(trio, trio.a, "c"),
          ratio(trio, trio.b, "a"), ratio(trio, trio.b, "c"),
          childRatio(trio, directory)};
      for (double r : ratios) {
        assertThat(r).as("%s: timeout / formula", trio.spec).isBetween(0.8, 1.2);
      }
      for (HeartbeatNode observer : List.of(trio.a, trio.b)) {
        for (PeerSnapshot<String> peer : observer.registry().snapshots()) {
          assertThat((double) peer.timeoutNanos() / INTERVAL.toNanos())
              .as("%s: %s's timeout for %s in intervals", trio.spec, observer.localId(),
                  peer.key())
              .isBetween(2.0, 40.0);
        }
      }
      report.append(String.format(Locale.ROOT,
          "  %-40s timeout/formula a->b %.3f a->c %.3f b->a %.3f b->c %.3f c->a %.3f"
              + " (timeout a->c %d ms)%n", trio.spec, ratios[0], ratios[1], ratios[2], ratios[3],
          ratios[4], trio.a.registry().snapshot("c").orElseThrow().timeoutNanos() / MS));
    }
    for (Trio trio : trios) {
      trio.c.kill();
    }
    for (Trio trio : trios) {
      long[] late = {detectionLateness(trio, "a"), detectionLateness(trio, "b")};
      for (long lateness : late) {
        assertThat(lateness).as("%s: ns after the detector's deadline", trio.spec)
            .isLessThanOrEqualTo(3 * TICK_NANOS);
        if (transport == Transport.UDP) {
          assertThat(lateness).as("%s: never before the deadline", trio.spec).isNotNegative();
        }
      }
      report.append(String.format(Locale.ROOT, "  %-40s SIGKILL of c: %s %+.1f ms, %+.1f ms"
              + " from the deadline (a, b)%n", trio.spec,
          transport == Transport.TCP ? "refused/suspected" : "suspected", late[0] / 1e6,
          late[1] / 1e6));
    }
    System.out.print(report);
  }

  /** The observer's timeout for {@code peer} over what the formula gives for its arrivals. */
  private static double ratio(Trio trio, HeartbeatNode observer, String peer) {
    HeartbeatTrace trace =
        dev.failuredetector.qos.ArrivalRecording.of(observer.registry()).trace(peer);
    PeerSnapshot<String> snapshot = observer.registry().snapshot(peer).orElseThrow();
    long[] arrivals = new long[trace.size()];
    for (int i = 0; i < arrivals.length; i++) {
      arrivals[i] = trace.arrivalNanos(i);
    }
    return snapshot.timeoutNanos() / DetectorFormula.timeoutNanos(trio.spec, arrivals);
  }

  /**
   * c's own timeout for a, read from its health endpoint, over the formula for the arrivals c
   * recorded from a (exported through the node's stdin right after).
   */
  private static double childRatio(Trio trio, Path directory)
      throws IOException, InterruptedException {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + trio.cHttpPort + "/health/a")).build(),
        HttpResponse.BodyHandlers.ofString());
    Path file = directory.resolve(trio.spec.kind() + "-c-from-a.csv");
    trio.c.ask("export a " + file, "EXPORTED ");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    Matcher timeout = Pattern.compile("\"timeoutMs\":([0-9.]+)").matcher(response.body());
    assertThat(timeout.find()).as(response.body()).isTrue();
    HeartbeatTrace trace = HeartbeatTrace.read(file);
    long[] arrivals = new long[trace.size()];
    for (int i = 0; i < arrivals.length; i++) {
      arrivals[i] = trace.arrivalNanos(i);
    }
    return Double.parseDouble(timeout.group(1)) * MS
        / DetectorFormula.timeoutNanos(trio.spec, arrivals);
  }

  /**
   * When the observer first saw c down (SUSPECTED or FAILED) minus its own deadline for c: the
   * last heartbeat plus the timeout then, read after the fact (nothing has arrived since).
   */
  private static long detectionLateness(Trio trio, String observerId) {
    HeartbeatNode observer = observerId.equals("a") ? trio.a : trio.b;
    await().atMost(NodeProcess.GENEROUS).until(() -> down(trio, observerId) != null);
    PeerTransition<String> down = down(trio, observerId);
    long before = System.nanoTime(); // read before the snapshot: never an early deadline
    PeerSnapshot<String> after = observer.registry().snapshot("c").orElseThrow();
    long deadline = before - after.nanosSinceLastHeartbeat() + after.timeoutNanos();
    return down.atNanos() - deadline;
  }

  /** The first transition of c to SUSPECTED or FAILED that the observer announced, or null. */
  private static PeerTransition<String> down(Trio trio, String observerId) {
    List<PeerTransition<String>> seen = observerId.equals("a") ? trio.seenByA : trio.seenByB;
    return seen.stream().filter(t -> t.key().equals("c")
            && (t.to() == PeerState.SUSPECTED || t.to() == PeerState.FAILED))
        .findFirst().orElse(null);
  }

}
