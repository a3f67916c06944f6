package dev.failuredetector.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failuredetector.DetectorSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The overlay over the simulated network, scaled down from the benchmark (ClusterScale in
 * benchmarks: 100, 1,000 and 10,000 members): a few hundred members, the default detector
 * unless a scenario needs an eager one, 200 ms heartbeats, k = 8.
 */
class ClusterSimulationTest {

  private static final Duration WARM_UP = Duration.ofSeconds(20);

  private static ClusterSimulation.Builder cluster(int members) {
    return ClusterSimulation.builder().members(members).observers(8)
        .interval(Duration.ofMillis(200)).seed(42);
  }

  private static SimulationResult crashOneAfterWarmUp(ClusterSimulation sim) {
    sim.runUntil(WARM_UP);
    sim.startCounting();
    sim.crash(17, WARM_UP.plusSeconds(5));
    sim.runUntil(WARM_UP.plusSeconds(25));
    return sim.result();
  }

  private static void assertConfirmedInTime(SimulationResult result) {
    SimulationResult.Crash crash = result.crashes().get(0);
    assertThat(crash.confirmedFraction()).as(result.summary()).isEqualTo(1.0);
    assertThat(crash.quantileNanos(0.99)).as(result.summary()).isLessThanOrEqualTo(crash.boundNanos());
  }

  @Test
  void aCrash_isConfirmedEverywhere_withinTheLearnedTimeoutPlus2s_atAFlatCostPerMember() {
    SimulationResult small = crashOneAfterWarmUp(cluster(100).build());
    SimulationResult large = crashOneAfterWarmUp(cluster(400).build());

    assertConfirmedInTime(small);
    assertConfirmedInTime(large);
    assertThat(small.falseVerdicts()).isZero();
    assertThat(large.falseVerdicts()).isZero();
    // k heartbeats per interval, plus the little a verdict costs: 40 a second at 200 ms, at any n.
    assertThat(small.messagesPerMemberPerSecond()).isBetween(40.0, 44.0);
    assertThat(large.messagesPerMemberPerSecond()).isBetween(40.0, 44.0);
  }

  @Test
  void oneWayBadLinks_on10PercentOfMembers_failNobody_whileAllToAllFailsEachOne() {
    ClusterSimulation overlay = cluster(300).build();
    List<int[]> cuts = overlay.cutOneObserverLinkOfFraction(0.1, WARM_UP);
    overlay.runUntil(WARM_UP.plusSeconds(40));
    SimulationResult result = overlay.result();

    assertThat(cuts).hasSize(30);
    assertThat(result.localSuspicionsOfLiveMembers()).as("the cuts bite").isEqualTo(30);
    assertThat(result.falseVerdicts()).as(result.summary()).isZero();
    for (int[] cut : cuts) {
      // The cut observer still cannot hear it (nor its refutation): unreachable from there, one
      // accuser, not failed. Its other observers took the refutation.
      String member = overlay.topology().id(cut[0]);
      assertThat(overlay.registry(cut[1]).state(member).name()).isIn("SUSPECTED", "FAILED");
      assertThat(overlay.node(cut[1]).view(member).accusers()).isEqualTo(1);
      assertThat(overlay.node(cut[1]).state(member)).isEqualTo(MemberState.SUSPECTED);
      for (int o : overlay.topology().observers(cut[0])) {
        if (o != cut[1]) {
          assertThat(overlay.node(o).state(member)).isEqualTo(MemberState.ALIVE);
        }
      }
    }

    ClusterSimulation allToAll = cluster(100).mode(ClusterSimulation.Mode.ALL_TO_ALL).build();
    List<int[]> sameKind = allToAll.cutOneObserverLinkOfFraction(0.1, WARM_UP);
    allToAll.runUntil(WARM_UP.plusSeconds(40));
    // Without the overlay, each cut link is a live member declared FAILED by its observer.
    assertThat(allToAll.result().falseVerdicts()).as(allToAll.result().summary())
        .isEqualTo(sameKind.size());
  }

  @Test
  void oneObserverOfEveryMember_paused5s_failsNoOtherMember_andThePausedComeBack() {
    ClusterSimulation sim = cluster(300).build();
    List<Integer> paused = sim.pauseOneObserverOfEveryMember(WARM_UP, Duration.ofSeconds(20),
        Duration.ofSeconds(5));
    sim.runUntil(WARM_UP.plusSeconds(40));
    SimulationResult result = sim.result();

    assertThat(result.falseVerdicts()).as(result.summary()).isZero();
    // A 5 s silence outlasts the ~3.7 s learned timeout: each paused member is confirmed failed
    // while it sleeps (it is indistinguishable from a crash), then refutes and is back everywhere.
    assertThat(result.pausedVerdicts()).isPositive();
    assertThat(result.revivals()).isEqualTo(result.pausedVerdicts());
    for (int node = 0; node < 300; node++) {
      for (int p : paused) {
        assertThat(sim.node(node).state(sim.topology().id(p))).isEqualTo(MemberState.ALIVE);
      }
    }
  }

  @Test
  void fivePercentLossEverywhere_withAnEagerDetector_failsNobody_andACrashIsStillConfirmed() {
    ClusterSimulation sim = cluster(300).loss(0.05)
        .detector(DetectorSpec.parse("phi:pause=0s")).build();
    SimulationResult result = crashOneAfterWarmUp(sim);

    assertThat(result.localSuspicionsOfLiveMembers()).as("the loss bites").isGreaterThan(20);
    assertThat(result.refutations()).isPositive();
    assertThat(result.falseVerdicts()).as(result.summary()).isZero();
    assertConfirmedInTime(result);
  }

  @Test
  void aMemberThatMissedAVerdict_learnsItFromTheDigests_whileWithoutThemItNeverWould() {
    for (boolean antiEntropy : new boolean[] {true, false}) {
      ClusterSimulation.Builder b = cluster(100);
      if (!antiEntropy) {
        b.cluster(c -> c.syncAfter(Duration.ofDays(1)));
      }
      ClusterSimulation sim = b.build();
      int crashed = 17;
      int deaf = 60;
      sim.crash(crashed, WARM_UP);
      // Deaf from just after the crash until the verdict has come and gone everywhere else.
      sim.cutInbound(deaf, WARM_UP.plusMillis(500), Duration.ofSeconds(10));
      sim.runUntil(WARM_UP.plusSeconds(10));
      String member = sim.topology().id(crashed);
      assertThat(sim.node(deaf).state(member)).isNotEqualTo(MemberState.FAILED);
      assertThat(sim.node(3).state(member)).isEqualTo(MemberState.FAILED);
      sim.runUntil(WARM_UP.plusSeconds(20)); // 10 s after it hears again: 50 intervals
      SimulationResult result = sim.result();
      assertThat(result.falseVerdicts()).as(result.summary()).isZero();
      if (antiEntropy) {
        assertThat(sim.node(deaf).state(member)).isEqualTo(MemberState.FAILED);
        assertThat(result.crashes().get(0).confirmedFraction()).isEqualTo(1.0);
      } else {
        // Every retransmission went by while it was deaf: nothing else would ever tell it.
        assertThat(sim.node(deaf).state(member)).isNotEqualTo(MemberState.FAILED);
      }
    }
  }

  @Test
  void theSameSeed_runsTheSameCluster() {
    String first = crashOneAfterWarmUp(cluster(50).loss(0.02).build()).summary();
    String second = crashOneAfterWarmUp(cluster(50).loss(0.02).build()).summary();
    assertThat(second).isEqualTo(first);
  }
}
