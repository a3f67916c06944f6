package dev.failuredetector.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterNodeTest {

  private static final long MS = 1_000_000L;
  private static final Duration INTERVAL = Duration.ofMillis(200);

  private final ObserverTopology topology = ObserverTopology.of(ids(20), 8);
  private final List<MemberTransition> transitions = new ArrayList<>();

  private static List<String> ids(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add("m" + (char) ('a' + i));
    }
    return ids;
  }

  private ClusterNode node(String id) {
    return ClusterNode.builder(topology, id).interval(INTERVAL).seed(1).now(0)
        .listener(transitions::add).build();
  }

  /** A member, a node that is not it, and the subject's observers. */
  private String subject() {
    return "mc";
  }

  private String bystander() {
    for (String id : topology.members()) {
      if (!id.equals(subject()) && !topology.observersOf(subject()).contains(id)) {
        return id;
      }
    }
    throw new AssertionError();
  }

  private static List<Rumor> drain(ClusterNode node, String destination, long now) {
    List<Rumor> out = new ArrayList<>();
    node.takeRumors(destination, out, 64, now);
    return out;
  }

  @Test
  void aFailure_isConfirmedByTheSixthOfEightAccusers_notBefore() {
    ClusterNode node = node(bystander());
    node.heard(subject(), 5, 0);
    List<String> observers = topology.observersOf(subject());
    for (int i = 0; i < 5; i++) {
      node.receive(Rumor.suspect(subject(), 5, observers.get(i)), i * MS);
    }
    assertThat(node.view(subject())).isEqualTo(new MemberView(MemberState.SUSPECTED, 5, 5, 6, 8));
    node.receive(Rumor.suspect(subject(), 5, observers.get(0)), 6 * MS); // a duplicate counts once
    assertThat(node.state(subject())).isEqualTo(MemberState.SUSPECTED);

    node.receive(Rumor.suspect(subject(), 5, observers.get(5)), 7 * MS);

    assertThat(node.state(subject())).isEqualTo(MemberState.FAILED);
    assertThat(transitions).extracting(MemberTransition::to)
        .containsExactly(MemberState.SUSPECTED, MemberState.FAILED);
    assertThat(transitions.get(1)).isEqualTo(new MemberTransition(subject(), MemberState.SUSPECTED,
        MemberState.FAILED, 5, 6, 7 * MS));
    // The verdict is news for everyone: it goes out on the next message to anyone.
    assertThat(drain(node, "ma", 8 * MS)).containsExactly(Rumor.failed(subject(), 5));
  }

  @Test
  void accusationsByNonObservers_orAboutOlderIncarnations_changeNothing() {
    ClusterNode node = node(bystander());
    node.heard(subject(), 5, 0);
    String observer = topology.observersOf(subject()).get(0);
    node.receive(Rumor.suspect(subject(), 5, bystander()), MS);
    node.receive(Rumor.suspect(subject(), 4, observer), MS);
    node.receive(Rumor.suspect("stranger", 5, observer), MS);
    node.receive(Rumor.failed(subject(), 4), MS);

    assertThat(node.view(subject()).state()).isEqualTo(MemberState.ALIVE);
    assertThat(node.stats().rumorsRejected()).isEqualTo(2);
    assertThat(node.stats().rumorsStale()).isEqualTo(2);
    assertThat(transitions).isEmpty();
  }

  @Test
  void anAccusedMember_refutesToItsObservers_andTheAccusationIsVoid() {
    ClusterNode accused = node(subject());
    long before = accused.incarnation();
    String accuser = topology.observersOf(subject()).get(2);

    accused.receive(Rumor.suspect(subject(), before, accuser), 10 * MS);

    assertThat(accused.incarnation()).isEqualTo(before + 1);
    assertThat(accused.localHealth().score()).isEqualTo(1);
    assertThat(accused.stats().refutations()).isEqualTo(1);
    // To its observers only (they count accusations), not to everyone.
    String observer = topology.observersOf(subject()).get(0);
    assertThat(drain(accused, observer, 11 * MS)).containsExactly(Rumor.alive(subject(), before + 1));
    assertThat(drain(accused, bystander(), 11 * MS)).isEmpty();

    ClusterNode other = node(observer);
    other.heard(subject(), before, 0);
    other.receive(Rumor.suspect(subject(), before, accuser), 10 * MS);
    assertThat(other.view(subject()).accusers()).isEqualTo(1);
    other.receive(Rumor.alive(subject(), before + 1), 12 * MS);
    assertThat(other.view(subject())).isEqualTo(new MemberView(MemberState.ALIVE, before + 1, 0, 6, 8));
    // The accusation of the older life, arriving late, is stale.
    other.receive(Rumor.suspect(subject(), before, topology.observersOf(subject()).get(3)), 13 * MS);
    assertThat(other.view(subject()).accusers()).isZero();
  }

  @Test
  void aMemberDeclaredFailed_refutesToEveryone_andComesBackEverywhere() {
    ClusterNode failed = node(subject());
    failed.receive(Rumor.failed(subject(), failed.incarnation()), MS);
    long now = failed.incarnation();
    assertThat(drain(failed, bystander(), 2 * MS)).containsExactly(Rumor.alive(subject(), now));

    ClusterNode other = node(bystander());
    other.heard(subject(), now - 1, 0);
    other.receive(Rumor.failed(subject(), now - 1), MS);
    assertThat(other.state(subject())).isEqualTo(MemberState.FAILED);
    other.receive(Rumor.alive(subject(), now), 3 * MS);
    assertThat(other.state(subject())).isEqualTo(MemberState.ALIVE);
    assertThat(drain(other, "ma", 4 * MS)).contains(Rumor.alive(subject(), now)); // passed on
  }

  @Test
  void anObserver_accusesTheSubjectAndItsOtherObservers_once_perSuspicion() {
    String me = topology.observersOf(subject()).get(0);
    ClusterNode observer = node(me);
    observer.heard(subject(), 3, 0);

    observer.onLocalState(subject(), true, 10 * MS);

    Rumor accusation = Rumor.suspect(subject(), 3, me);
    assertThat(drain(observer, subject(), 11 * MS)).containsExactly(accusation);
    for (String other : topology.observersOf(subject())) {
      if (!other.equals(me)) {
        assertThat(drain(observer, other, 11 * MS)).containsExactly(accusation);
      }
    }
    assertThat(drain(observer, bystander(), 11 * MS)).isEmpty();
    assertThat(observer.view(subject()).accusers()).isEqualTo(1);
    // Refuted (a new incarnation heard), still unheard here: no second accusation until the
    // detector lets go of the suspicion and takes it up again.
    observer.receive(Rumor.alive(subject(), 4), 20 * MS);
    observer.tick(30 * MS);
    assertThat(observer.stats().accusationsMade()).isEqualTo(1);
    observer.onLocalState(subject(), false, 40 * MS);
    observer.onLocalState(subject(), true, 50 * MS);
    assertThat(observer.stats().accusationsMade()).isEqualTo(2);
    assertThat(observer.view(subject()).incarnation()).isEqualTo(4);
  }

  @Test
  void accusationsAreSentThreeTimes_anIntervalApart_whenNoHeartbeatCarriesThem() {
    String me = topology.observersOf(subject()).get(0);
    ClusterNode observer = node(me);
    observer.onLocalState(subject(), true, 0);
    int sent = 0;
    for (long t = 0; t < 2000 * MS; t += 20 * MS) {
      for (String target : observer.gossipTargets(t)) {
        if (target.equals(subject())) {
          assertThat(drain(observer, target, t)).hasSize(1);
          sent++;
        }
      }
    }
    assertThat(sent).isEqualTo(3);
  }

  /** Ticks every 20 ms in {@code (from, to]}, as the node's timer does. */
  private static void tickUntil(ClusterNode node, long fromMs, long toMs) {
    for (long t = fromMs + 20; t <= toMs; t += 20) {
      node.tick(t * MS);
    }
  }

  @Test
  void afterItsOwnPause_aNodeWaitsLongerBeforeAccusing() {
    String me = topology.observersOf(subject()).get(0);
    ClusterNode observer = node(me);
    tickUntil(observer, 0, 20);
    observer.tick(2_000 * MS); // nearly 2 s late: paused
    assertThat(observer.localHealth().score()).isEqualTo(2);
    assertThat(observer.localHealth().pauses()).isEqualTo(1);

    observer.onLocalState(subject(), true, 2_000 * MS);
    // 2 points x 5 intervals of 200 ms: 2 s of doubt.
    tickUntil(observer, 2_000, 3_980);
    assertThat(observer.stats().accusationsMade()).isZero();
    tickUntil(observer, 3_980, 4_000);
    assertThat(observer.stats().accusationsMade()).isEqualTo(1);
    assertThat(observer.localHealth().pauses()).isEqualTo(1);
  }

  @Test
  void aSuspicionThatEndsWithinTheDoubt_isNeverAnAccusation() {
    String me = topology.observersOf(subject()).get(0);
    ClusterNode observer = node(me);
    observer.tick(2_000 * MS);
    observer.onLocalState(subject(), true, 2_000 * MS);
    tickUntil(observer, 2_000, 2_500);
    observer.onLocalState(subject(), false, 2_500 * MS);
    tickUntil(observer, 2_500, 6_000);
    assertThat(observer.stats().accusationsMade()).isZero();
    assertThat(observer.stats().accusationsWithheld()).isEqualTo(1);
  }

  @Test
  void localHealth_healsAPointPerQuietDecayPeriod() {
    ClusterNode node = node(subject());
    node.tick(2_000 * MS);
    assertThat(node.localHealth().score()).isEqualTo(2);
    tickUntil(node, 2_000, 2_000 + 25 * 200 - 20); // the default decay: 25 intervals
    assertThat(node.localHealth().score()).isEqualTo(2);
    tickUntil(node, 2_000 + 25 * 200 - 20, 2_000 + 25 * 200);
    assertThat(node.localHealth().score()).isEqualTo(1);
  }

  @Test
  void manySubjectsSuspectedAtOnce_isASignOfBeingTheProblem() {
    ClusterNode node = node("ma");
    List<String> subjects = node.subjects();
    for (int i = 0; i < (subjects.size() + 1) / 2; i++) {
      node.onLocalState(subjects.get(i), true, MS);
    }
    assertThat(node.localHealth().suspicionBursts()).isEqualTo(1);
    assertThat(node.localHealth().score()).isEqualTo(1);
  }

  @Test
  void failedObservers_lowerTheConfirmationsNeeded_neverBelowHalf() {
    ClusterNode node = node(bystander());
    List<String> observers = topology.observersOf(subject());
    assertThat(node.view(subject()).needed()).isEqualTo(6);
    failByVerdict(node, observers.get(0));
    assertThat(node.view(subject()).needed()).isEqualTo(5);
    for (int i = 1; i < 8; i++) {
      failByVerdict(node, observers.get(i));
    }
    assertThat(node.view(subject()).needed()).isEqualTo(4);
  }

  private static void failByVerdict(ClusterNode node, String member) {
    node.receive(Rumor.failed(member, 0), 0);
    assertThat(node.state(member)).isEqualTo(MemberState.FAILED);
  }

  @Test
  void aMessageOfANewerIncarnation_bringsAFailedMemberBack() {
    ClusterNode node = node(bystander());
    node.receive(Rumor.failed(subject(), 0), MS);
    node.heard(subject(), 7, 2 * MS);
    assertThat(node.view(subject()).state()).isEqualTo(MemberState.ALIVE);
    assertThat(node.view(subject()).incarnation()).isEqualTo(7);
  }

  @Test
  void changes_moveWithWhatTheViewsShow_notWithStaleNews() {
    ClusterNode node = node(bystander());
    node.heard(subject(), 5, 0);
    long afterHeard = node.changes();
    node.heard(subject(), 5, MS); // nothing new
    node.receive(Rumor.suspect(subject(), 4, topology.observersOf(subject()).get(0)), MS);
    assertThat(node.changes()).isEqualTo(afterHeard);
    node.receive(Rumor.suspect(subject(), 5, topology.observersOf(subject()).get(0)), MS);
    assertThat(node.changes()).isGreaterThan(afterHeard);
  }

  /** Delivers what {@code from} sends {@code to} on one message: its rumors, then its digest. */
  private static void message(ClusterNode from, ClusterNode to, long now) {
    for (Rumor r : drain(from, to.id(), now)) {
      to.receive(r, from.id(), now);
    }
    to.heardDigest(from.id(), from.viewDigest(), now);
  }

  /** Sends all of {@code node}'s news to "md" until none waits. */
  private static void retransmitElsewhere(ClusterNode node) {
    for (int i = 0; i < 64 && node.queuedRumors() > 0; i++) {
      drain(node, "md", 0);
    }
    assertThat(node.queuedRumors()).isZero();
  }

  @Test
  void theViewDigest_dependsOnTheVerdictsHeld_notOnTheirOrder() {
    ClusterNode a = node("ma");
    ClusterNode b = node("mb");
    assertThat(a.viewDigest()).isZero();
    a.receive(Rumor.failed("mc", 3), MS);
    a.receive(Rumor.failed("md", 4), MS);
    b.receive(Rumor.failed("md", 4), MS);
    assertThat(a.viewDigest()).isNotEqualTo(b.viewDigest());
    b.receive(Rumor.failed("mc", 3), MS);
    assertThat(a.viewDigest()).isNotZero().isEqualTo(b.viewDigest());
    b.receive(Rumor.failed("mc", 5), MS); // a later life failed: another verdict
    assertThat(b.viewDigest()).isNotEqualTo(a.viewDigest());
    b.heard("mc", 6, 2 * MS);
    b.heard("md", 6, 2 * MS); // both back
    assertThat(b.viewDigest()).isZero();
  }

  @Test
  void aNodeThatMissedAVerdict_learnsItFromTheDigest_afterTheSyncDelay_andNothingMoreIsSent() {
    ClusterNode knows = node("ma");
    ClusterNode missed = node("mb");
    knows.receive(Rumor.failed("mc", 3), 0);
    retransmitElsewhere(knows); // "mb" never got it

    // "mb" heartbeats "ma" every interval; for 10 intervals (the sync delay) nothing goes back.
    long t = 0;
    for (; t < 2_000 * MS; t += 200 * MS) {
      message(missed, knows, t);
      assertThat(knows.gossipTargets(t)).as("at %d ms", t / MS).isEmpty();
    }
    // Unlike for longer than the delay: "ma" sends its verdicts to "mb", which takes them.
    message(missed, knows, t);
    assertThat(knows.gossipTargets(t)).containsExactly("mb");
    message(knows, missed, t);
    assertThat(missed.state("mc")).isEqualTo(MemberState.FAILED);
    assertThat(missed.viewDigest()).isEqualTo(knows.viewDigest());
    assertThat(knows.stats().syncs()).isEqualTo(1);
    retransmitElsewhere(missed); // news to it: it relays the verdict as any other
    for (long u = t + 200 * MS; u <= t + 5_000 * MS; u += 200 * MS) {
      message(missed, knows, u);
      message(knows, missed, u);
      assertThat(knows.gossipTargets(u)).isEmpty();
      assertThat(missed.gossipTargets(u)).isEmpty();
    }
    assertThat(knows.stats().syncs() + missed.stats().syncs()).isEqualTo(1);
  }

  @Test
  void aNodeThatHoldsNoVerdict_asksForThemWithAMessageOfItsDigest() {
    ClusterNode knows = node("ma");
    ClusterNode missed = node("mb");
    knows.receive(Rumor.failed("mc", 3), 0);
    // "ma" heartbeats "mb" (no rumors left); "mb" holds no verdict to send, so it sends a message
    // carrying its digest, and "ma" answers with its verdicts once it too saw them unlike.
    retransmitElsewhere(knows);
    long t = 0;
    for (; t <= 2_200 * MS; t += 200 * MS) {
      message(knows, missed, t);
    }
    assertThat(missed.gossipTargets(t)).containsExactly("ma");
    for (; !knows.gossipTargets(t).contains("mb"); t += 200 * MS) {
      assertThat(t).isLessThan(10_000 * MS);
      message(missed, knows, t);
    }
    message(knows, missed, t);
    assertThat(missed.state("mc")).isEqualTo(MemberState.FAILED);
  }

  @Test
  void aVerdictOlderThanARevival_isAnsweredWithTheRevival() {
    ClusterNode behind = node("ma");
    ClusterNode ahead = node("mb");
    behind.receive(Rumor.failed("mc", 3), 0);
    ahead.receive(Rumor.failed("mc", 3), 0);
    ahead.receive(Rumor.alive("mc", 4), MS); // it refuted; "ma" missed it
    retransmitElsewhere(ahead);
    retransmitElsewhere(behind);
    long t = 200 * MS;
    for (; !behind.gossipTargets(t).contains("mb"); t += 200 * MS) {
      assertThat(t).isLessThan(10_000 * MS);
      message(ahead, behind, t);
    }
    message(behind, ahead, t); // its verdict of the older life...
    assertThat(ahead.state("mc")).isEqualTo(MemberState.ALIVE);
    message(ahead, behind, t + MS); // ...is answered with the revival
    assertThat(behind.view("mc")).isEqualTo(ahead.view("mc"));
    assertThat(behind.viewDigest()).isZero().isEqualTo(ahead.viewDigest());
  }

  @Test
  void defaultConfirmations() {
    assertThat(List.of(1, 2, 3, 4, 8, 10).stream().map(ClusterNode::defaultConfirmations))
        .containsExactly(1, 2, 3, 3, 6, 8);
  }

  @Test
  void badSettings_areNamed() {
    assertThatThrownBy(() -> ClusterNode.builder(topology, "nobody").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("self must be a member of the topology, got 'nobody'");
    assertThatThrownBy(() -> ClusterNode.builder(topology, "ma").fanout(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fanout must be between 1 and 16, got 0");
    assertThatThrownBy(() -> ClusterNode.builder(topology, "ma").interval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("interval must be > 0 and <= 1 day, got PT0S");
    assertThatThrownBy(() -> ClusterNode.builder(
        ObserverTopology.of(ids(20).subList(0, 3).stream().toList(), 2), "ma").incarnation(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("incarnation must be >= 1, got 0");
  }
}
