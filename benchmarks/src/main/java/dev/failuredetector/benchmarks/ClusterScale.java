package dev.failuredetector.benchmarks;

import dev.failuredetector.DetectorSpec;
import dev.failuredetector.cluster.ClusterSimulation;
import dev.failuredetector.cluster.ClusterSimulation.Mode;
import dev.failuredetector.cluster.SimulationResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The cluster overlay against all-to-all heartbeating with single-observer verdicts, in the
 * simulated network (one JVM, manual clock, real registries and detectors): for each cluster size
 * and mode, one run per scenario, one table row each.
 *
 * <p>Scenarios (after a 20 s warm-up, heartbeats every 200 ms, network delay 1 ms + exponential
 * jitter of mean 1 ms, k = 8 observers, detector {@code phi} with its defaults):
 * <ul>
 *   <li>crash: one member crashes; detection time at the survivors (p50, p99) against the bound
 *       (the {@code needed}-th shortest learned timeout of its observers + 2 s);
 *   <li>cuts: 10% of the members each lose the link to one of their observers, one way;
 *   <li>pauses: one observer of every member paused 5 s (a covering set, starts spread over 20 s);
 *   <li>loss: 5% of all messages lost, with an eager detector ({@code phi:pause=0s}) so that
 *       single observers do suspect, and one crash.
 * </ul>
 * A false verdict is a member that never crashed nor paused confirmed FAILED at a node (all-to-all:
 * a node's own registry FAILED, after its 10 s confirmation time).
 *
 * <p>Run: {@code ./mvnw -B -q -DskipTests package && java -Xmx12g -cp benchmarks/target/benchmarks.jar
 * dev.failuredetector.benchmarks.ClusterScale [sizes, default 100,1000,10000] [all-to-all sizes,
 * default 100,1000] [scenarios, default crash,cuts,pauses,loss]}
 */
public final class ClusterScale {

  private static final Duration WARM_UP = Duration.ofSeconds(20);
  private static final Duration WINDOW = Duration.ofSeconds(30);

  private static java.util.Set<String> scenarios;

  private ClusterScale() {}

  public static void main(String[] args) {
    int[] overlaySizes = sizes(args.length > 0 ? args[0] : "100,1000,10000");
    int[] allToAllSizes = sizes(args.length > 1 ? args[1] : "100,1000");
    scenarios = java.util.Set.of((args.length > 2 ? args[2] : "crash,cuts,pauses,loss").split(","));
    System.out.println("| members | mode | scenario | msg/s per member | B/s per member | crash"
        + " confirmed | p50 | p99 | bound | false verdicts (members) | local suspicions of live"
        + " members | paused: verdicts / back | wall s |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (int n : overlaySizes) {
      scenarios(n, Mode.OVERLAY);
    }
    for (int n : allToAllSizes) {
      scenarios(n, Mode.ALL_TO_ALL);
    }
  }

  private static void scenarios(int n, Mode mode) {
    if (scenarios.contains("crash")) {
      run(n, mode, "crash", b -> { }, sim -> sim.crash(n / 2, WARM_UP.plusSeconds(5)));
    }
    if (scenarios.contains("cuts")) {
      run(n, mode, "cuts 10%", b -> { },
          sim -> sim.cutOneObserverLinkOfFraction(0.1, WARM_UP));
    }
    if (scenarios.contains("pauses")) {
      run(n, mode, "pauses 5s", b -> { }, sim -> sim.pauseOneObserverOfEveryMember(WARM_UP,
          Duration.ofSeconds(20), Duration.ofSeconds(5)));
    }
    if (scenarios.contains("loss")) {
      run(n, mode, "loss 5%, eager", b -> b.loss(0.05)
          .detector(DetectorSpec.parse("phi:pause=0s")), sim -> sim.crash(n / 2,
          WARM_UP.plusSeconds(15)));
    }
  }

  private static void run(int n, Mode mode, String scenario,
      Consumer<ClusterSimulation.Builder> settings, Consumer<ClusterSimulation> faults) {
    long start = System.nanoTime();
    ClusterSimulation.Builder b = ClusterSimulation.builder().members(n).mode(mode).observers(8)
        .interval(Duration.ofMillis(200)).seed(n);
    settings.accept(b);
    ClusterSimulation sim = b.build();
    faults.accept(sim);
    sim.runUntil(WARM_UP);
    sim.startCounting();
    sim.runUntil(WARM_UP.plus(WINDOW));
    SimulationResult r = sim.result();
    double wall = (System.nanoTime() - start) / 1e9;
    List<String> cells = new ArrayList<>();
    cells.add(String.format("%,d", n));
    cells.add(mode == Mode.OVERLAY ? "overlay k=8" : "all-to-all");
    cells.add(scenario);
    cells.add(String.format("%.1f", r.messagesPerMemberPerSecond()));
    cells.add(String.format("%,.0f", r.bytesPerMemberPerSecond()));
    if (r.crashes().isEmpty()) {
      cells.add("");
      cells.add("");
      cells.add("");
      cells.add("");
    } else {
      SimulationResult.Crash c = r.crashes().get(0);
      cells.add(String.format("%.1f%%", 100 * c.confirmedFraction()));
      cells.add(seconds(c.quantileNanos(0.5)));
      cells.add(seconds(c.quantileNanos(0.99)));
      cells.add(seconds(c.boundNanos()));
    }
    cells.add(r.falseVerdicts() + " (" + r.falselyFailedMembers() + ")");
    cells.add(String.valueOf(r.localSuspicionsOfLiveMembers()));
    cells.add(r.pausedMembers() == 0 ? "" : r.pausedMembers() + " paused: " + r.pausedVerdicts()
        + " / " + r.revivals());
    cells.add(String.format("%.0f", wall));
    System.out.println("| " + String.join(" | ", cells) + " |");
    System.out.flush();
  }

  private static String seconds(long nanos) {
    return nanos == Long.MAX_VALUE ? "never" : String.format("%.2f s", nanos / 1e9);
  }

  private static int[] sizes(String text) {
    if (text.isBlank() || text.equals("-")) {
      return new int[0];
    }
    String[] parts = text.split(",");
    int[] out = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = Integer.parseInt(parts[i].trim());
    }
    return out;
  }
}
