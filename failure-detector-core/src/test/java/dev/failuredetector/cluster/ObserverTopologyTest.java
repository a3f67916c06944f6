package dev.failuredetector.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ObserverTopologyTest {

  private static List<String> ids(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add("node-" + i);
    }
    return ids;
  }

  @Test
  void everyMember_hasKDistinctObservers_noneItself_andSubjectsAreTheInverse() {
    ObserverTopology t = ObserverTopology.of(ids(500), 8);
    int edges = 0;
    for (int s = 0; s < t.size(); s++) {
      int[] observers = t.observers(s);
      assertThat(observers).hasSize(8).doesNotHaveDuplicates().doesNotContain(s);
      for (int o : observers) {
        assertThat(t.subjects(o)).contains(s);
        assertThat(t.observerSlot(s, o)).isBetween(0, 7);
      }
      edges += t.subjects(s).length;
    }
    assertThat(edges).isEqualTo(500 * 8);
  }

  @Test
  void load_isSpread_noMemberObservesFarMoreThanK() {
    ObserverTopology t = ObserverTopology.of(ids(2000), 8);
    int max = 0;
    for (int o = 0; o < t.size(); o++) {
      max = Math.max(max, t.subjects(o).length);
    }
    // Each ring gives every member exactly one subject; skipping duplicates moves a few.
    assertThat(max).isLessThanOrEqualTo(16);
  }

  @Test
  void sameMembers_sameTopology_inAnyOrder() {
    List<String> members = ids(100);
    List<String> reversed = new ArrayList<>(members);
    java.util.Collections.reverse(reversed);
    ObserverTopology a = ObserverTopology.of(members, 5);
    ObserverTopology b = ObserverTopology.of(reversed, 5);
    for (String id : members) {
      assertThat(b.observersOf(id)).isEqualTo(a.observersOf(id));
    }
  }

  @Test
  void aJoiningMember_changesTheObserversOfFewOthers() {
    List<String> members = ids(1000);
    ObserverTopology before = ObserverTopology.of(members, 8);
    members.add("newcomer");
    ObserverTopology after = ObserverTopology.of(members, 8);
    int changed = 0;
    for (int i = 0; i < 1000; i++) {
      Set<String> was = new HashSet<>(before.observersOf("node-" + i));
      Set<String> is = new HashSet<>(after.observersOf("node-" + i));
      if (!was.equals(is)) {
        changed++;
      }
    }
    // Only the members right after the newcomer on some ring: about k of them, not n.
    assertThat(changed).isBetween(1, 3 * 8);
    assertThat(after.observersOf("newcomer")).hasSize(8);
  }

  @Test
  void smallClusters_areAllToAll() {
    ObserverTopology t = ObserverTopology.of(List.of("a", "b", "c", "d"), 8);
    assertThat(t.observersOf("a")).containsExactlyInAnyOrder("b", "c", "d");
    assertThat(t.subjectsOf("a")).containsExactlyInAnyOrder("b", "c", "d");
    ObserverTopology exact = ObserverTopology.of(List.of("a", "b", "c", "d"), 3);
    assertThat(exact.observersOf("d")).containsExactlyInAnyOrder("a", "b", "c");
  }

  @Test
  void unknownIds_haveNoObservers() {
    ObserverTopology t = ObserverTopology.of(ids(10), 3);
    assertThat(t.index("nobody")).isEqualTo(-1);
    assertThat(t.observersOf("nobody")).isEmpty();
  }

  @Test
  void badSettings_areNamed() {
    assertThatThrownBy(() -> ObserverTopology.of(ids(10), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("observers must be >= 1, got 0");
    assertThatThrownBy(() -> ObserverTopology.of(ids(100), 65))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("observers must be at most 64 (or all-to-all: members - 1 = 99), got 65");
    assertThatThrownBy(() -> ObserverTopology.of(List.of("a", ""), 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be empty");
  }
}
