package dev.failuredetector.netty.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.failuredetector.PeerState;
import dev.failuredetector.TransitionReason;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthViewTest {

  private final ManualRegistry peers = ManualRegistry.abcd();

  @AfterEach
  void close() {
    peers.close();
  }

  /** Heartbeats from all four for a second, then only from {@code live} for 400 ms. */
  private void silence(String... live) {
    for (int i = 0; i < 10; i++) {
      peers.heartbeat("a", "b", "c", "d");
      peers.advanceMillis(100);
    }
    for (int i = 0; i < 4; i++) {
      peers.heartbeat(live);
      peers.advanceMillis(100);
    }
  }

  @Test
  void peer_available_upWithFullWeightAndTheDetectorsFigures() {
    HealthView view = HealthView.of(peers.registry);
    silence("a", "b", "c", "d");

    PeerHealth a = view.peer("a").orElseThrow();
    assertThat(a.state()).isEqualTo(PeerState.AVAILABLE);
    assertThat(a.available()).isTrue();
    assertThat(a.up()).isTrue();
    assertThat(a.heldUp()).isFalse();
    assertThat(a.weightPercent()).isEqualTo(100);
    assertThat(a.nanosSinceLastHeartbeat()).isEqualTo(100 * ManualRegistry.MS);
    assertThat(a.timeoutNanos()).isEqualTo(300 * ManualRegistry.MS);
    assertThat(view.peer("nobody")).isEmpty();
    assertThat(view.peer(null)).isEmpty();
  }

  @Test
  void withTheOverlay_theConfirmedViewDecides_theLocalOneWeighs() {
    java.util.Map<String, dev.failuredetector.cluster.MemberView> cluster = java.util.Map.of(
        "a", view(dev.failuredetector.cluster.MemberState.ALIVE, 0),
        "d", view(dev.failuredetector.cluster.MemberState.SUSPECTED, 1),
        "b", view(dev.failuredetector.cluster.MemberState.FAILED, 6),
        "e", view(dev.failuredetector.cluster.MemberState.ALIVE, 0));
    HealthView view = HealthView.builder(peers.registry).cluster(() -> cluster)
        .localHealth(() -> 2).build();
    silence("a", "b", "c");

    // d: this node's detector suspects it, the cluster does not: up, at the floor weight.
    PeerHealth d = view.peer("d").orElseThrow();
    assertThat(d.state()).isEqualTo(PeerState.SUSPECTED);
    assertThat(d.up()).isTrue();
    assertThat(d.unreachableFromHere()).isTrue();
    assertThat(d.weightPercent()).isEqualTo(HealthView.MIN_WEIGHT_PERCENT);
    // b: heard here, confirmed failed by the cluster: down.
    PeerHealth b = view.peer("b").orElseThrow();
    assertThat(b.state()).isEqualTo(PeerState.AVAILABLE);
    assertThat(b.up()).isFalse();
    assertThat(b.weightPercent()).isZero();
    // e: a member another node observes: up, full weight, nothing of this node's own.
    PeerHealth e = view.peer("e").orElseThrow();
    assertThat(e.observed()).isFalse();
    assertThat(e.state()).isEqualTo(PeerState.UNKNOWN);
    assertThat(e.weightPercent()).isEqualTo(100);
    // c: registered, not a member (a probed target, say): judged as without the overlay.
    assertThat(view.peer("c").orElseThrow().cluster()).isNull();
    assertThat(view.peers().peers()).extracting(PeerHealth::peer)
        .containsExactly("a", "b", "c", "d", "e");
    assertThat(view.ejectionStatus().suspected()).isEqualTo(1); // b only: members by the cluster
    assertThat(view.localHealth()).hasValue(2);
    assertThat(HealthJson.peer(d)).contains("\"unreachableFromHere\":true",
        "\"cluster\":{\"state\":\"SUSPECTED\",\"incarnation\":7,\"accusers\":1,\"needed\":6,"
            + "\"observers\":8}");
  }

  private static dev.failuredetector.cluster.MemberView view(
      dev.failuredetector.cluster.MemberState state, int accusers) {
    return new dev.failuredetector.cluster.MemberView(state, 7, accusers, 6, 8);
  }

  @Test
  void peer_suspected_downWithWeightZero() {
    HealthView view = HealthView.of(peers.registry);
    silence("a", "b", "c");

    PeerHealth d = view.peer("d").orElseThrow();
    assertThat(d.state()).isEqualTo(PeerState.SUSPECTED);
    assertThat(d.reason()).isEqualTo(TransitionReason.TIMEOUT);
    assertThat(d.up()).isFalse();
    assertThat(d.weightPercent()).isZero();
    assertThat(view.ejectionStatus()).isEqualTo(new EjectionStatus(1, 4, false, false));
  }

  @Test
  void weightPercent_fullUntilHalfTheTimeout_thenLinearToTheFloor() {
    assertThat(HealthView.weightPercent(0, 300)).isEqualTo(100);
    assertThat(HealthView.weightPercent(150, 300)).isEqualTo(100);
    assertThat(HealthView.weightPercent(225, 300)).isEqualTo(55);
    assertThat(HealthView.weightPercent(299, 300)).isEqualTo(11);
    assertThat(HealthView.weightPercent(300, 300)).isEqualTo(HealthView.MIN_WEIGHT_PERCENT);
    assertThat(HealthView.weightPercent(-1, 300)).isEqualTo(100);
    assertThat(HealthView.weightPercent(5, 0)).isEqualTo(100);
  }

  @Test
  void peer_lateHeartbeat_weightFallsBeforeSuspicion() {
    HealthView view = HealthView.of(peers.registry);
    silence("a", "b", "c", "d");
    peers.advanceMillis(125); // 225 ms since the last heartbeat, timeout 300 ms
    PeerHealth a = view.peer("a").orElseThrow();
    assertThat(a.state()).isEqualTo(PeerState.AVAILABLE);
    assertThat(a.weightPercent()).isEqualTo(55);
  }

  @Test
  void guard_reportOnly_mostPeersSuspected_panicReportedButPeersStayDown() {
    HealthView view = HealthView.of(peers.registry);
    silence("a");

    HealthView.Peers all = view.peers();
    assertThat(all.ejection()).isEqualTo(new EjectionStatus(3, 4, true, false));
    assertThat(all.peers()).extracting(PeerHealth::peer).containsExactly("a", "b", "c", "d");
    assertThat(all.peers()).extracting(PeerHealth::up).containsExactly(true, false, false, false);
  }

  @Test
  void guard_holdingUp_mostPeersSuspected_suspectedPeersReportedUpAtTheFloorWeight() {
    HealthView view = HealthView.builder(peers.registry)
        .massEjectionGuard(MassEjectionGuard.holdingUp(0.5, 3)).build();
    silence("a");

    PeerHealth b = view.peer("b").orElseThrow();
    assertThat(b.available()).isFalse();
    assertThat(b.up()).isTrue();
    assertThat(b.heldUp()).isTrue();
    assertThat(b.weightPercent()).isEqualTo(HealthView.MIN_WEIGHT_PERCENT);
    assertThat(b.panic()).isTrue();
    assertThat(view.ejectionStatus()).isEqualTo(new EjectionStatus(3, 4, true, true));

    peers.heartbeat("b", "c", "d"); // they come back: no more panic, nobody held up
    PeerHealth back = view.peers().peers().get(1);
    assertThat(back.up()).isTrue();
    assertThat(back.heldUp()).isFalse();
    assertThat(view.ejectionStatus().panic()).isFalse();
  }

  @Test
  void guard_atTheShare_noPanic() {
    HealthView view = HealthView.builder(peers.registry)
        .massEjectionGuard(MassEjectionGuard.holdingUp(0.5, 3)).build();
    silence("a", "b"); // 2 of 4: not more than half
    assertThat(view.peers().ejection()).isEqualTo(new EjectionStatus(2, 4, false, false));
    assertThat(view.peer("c").orElseThrow().up()).isFalse();
  }

  @Test
  void guard_definiteFailures_neitherCountedNorHeldUp() {
    HealthView view = HealthView.builder(peers.registry)
        .massEjectionGuard(MassEjectionGuard.holdingUp(0.5, 3)).build();
    silence("a", "b", "c", "d");
    peers.registry.markFailed("b", TransitionReason.LEFT);
    peers.registry.markFailed("c", TransitionReason.CONNECTION_REFUSED);
    peers.registry.markFailed("d", TransitionReason.EXTERNAL);

    assertThat(view.peers().ejection()).isEqualTo(new EjectionStatus(0, 4, false, false));
    silence("a"); // all three heard again, then silent: now it is suspicion
    assertThat(view.peers().ejection()).isEqualTo(new EjectionStatus(3, 4, true, true));
  }

  @Test
  void guard_failedByTimeout_countsAndIsHeldUp() {
    HealthView view = HealthView.builder(peers.registry)
        .massEjectionGuard(MassEjectionGuard.holdingUp(0.5, 3)).build();
    silence("a");
    peers.advanceMillis(3_000); // confirmation time 2 s: FAILED by TIMEOUT
    peers.heartbeat("a");
    PeerHealth b = view.peer("b").orElseThrow();
    assertThat(b.state()).isEqualTo(PeerState.FAILED);
    assertThat(b.reason()).isEqualTo(TransitionReason.TIMEOUT);
    assertThat(b.heldUp()).isTrue();
  }

  @Test
  void guard_fewerPeersThanMinPeers_noPanic() {
    try (ManualRegistry two = new ManualRegistry("a", "b")) {
      HealthView view = HealthView.builder(two.registry)
          .massEjectionGuard(MassEjectionGuard.holdingUp(0.4, 3)).build();
      two.heartbeat("a", "b");
      two.advanceMillis(500);
      assertThat(view.peers().ejection()).isEqualTo(new EjectionStatus(2, 2, false, false));
    }
  }

  @Test
  void guard_off_neverPanics() {
    HealthView view = HealthView.builder(peers.registry)
        .massEjectionGuard(MassEjectionGuard.off()).build();
    silence();
    assertThat(view.peers().ejection()).isEqualTo(new EjectionStatus(4, 4, false, false));
  }

  @Test
  void ejectionStatus_singlePeerAnswers_reuseTheCountUntilTheRefresh() {
    HealthView view = HealthView.builder(peers.registry).clock(peers.clock)
        .ejectionRefresh(Duration.ofMillis(100)).build();
    silence("a", "b", "c", "d");
    assertThat(view.ejectionStatus().suspected()).isZero();
    peers.registry.markFailed("a", TransitionReason.EXTERNAL);
    peers.advanceMillis(250); // b, c, d suspected now
    assertThat(view.ejectionStatus().suspected()).isEqualTo(3); // 250 ms > refresh: recounted
    peers.heartbeat("b", "c", "d");
    assertThat(view.ejectionStatus().suspected()).isEqualTo(3); // same instant: reused
    peers.advanceMillis(100);
    assertThat(view.ejectionStatus().suspected()).isZero();
  }

  @Test
  void guard_badSettings_rejectedNamingTheValue() {
    assertThatThrownBy(() -> MassEjectionGuard.reportOnly(1.0, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxSuspectedShare must be > 0 and < 1, got 1.0");
    assertThatThrownBy(() -> MassEjectionGuard.holdingUp(Double.NaN, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxSuspectedShare must be > 0 and < 1, got NaN");
    assertThatThrownBy(() -> MassEjectionGuard.reportOnly(0.5, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minPeers must be at least 1, got 0");
    assertThatThrownBy(() -> HealthView.builder(peers.registry).ejectionRefresh(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ejectionRefresh must be between 0 and 1 minute, got PT-0.001S");
    assertThatThrownBy(() -> HealthView.builder(null))
        .isInstanceOf(NullPointerException.class).hasMessage("registry must not be null");
  }
}
