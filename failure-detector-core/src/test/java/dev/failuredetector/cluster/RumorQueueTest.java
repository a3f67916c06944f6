package dev.failuredetector.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RumorQueueTest {

  private static List<Rumor> take(RumorQueue queue, int max, int limit) {
    List<Rumor> out = new ArrayList<>();
    queue.take(out, max, limit);
    return out;
  }

  @Test
  void revivalsGoFirst_thenTheLeastSent_thenTheNewest() {
    RumorQueue queue = new RumorQueue(16);
    queue.add(Rumor.failed("a", 1));
    queue.add(Rumor.failed("b", 1));
    assertThat(take(queue, 1, 4)).containsExactly(Rumor.failed("b", 1)); // the newest
    queue.add(Rumor.alive("c", 2));
    queue.add(Rumor.failed("d", 1));
    // c is a revival: before everything; then a and d (never sent; d newer), then b (sent once).
    assertThat(take(queue, 8, 4)).containsExactly(Rumor.alive("c", 2), Rumor.failed("d", 1),
        Rumor.failed("a", 1), Rumor.failed("b", 1));
  }

  @Test
  void aRumorLeavesAfterItsLimit_andANewerOneReplacesTheOlder() {
    RumorQueue queue = new RumorQueue(16);
    queue.add(Rumor.failed("a", 1));
    queue.add(Rumor.alive("a", 2)); // it came back: the verdict is no news any more
    queue.add(Rumor.failed("a", 1)); // late, older: ignored
    assertThat(queue.size()).isEqualTo(1);
    for (int i = 0; i < 3; i++) {
      assertThat(take(queue, 8, 3)).containsExactly(Rumor.alive("a", 2));
    }
    assertThat(queue.isEmpty()).isTrue();
  }

  @Test
  void aFullQueue_dropsAVerdictBeforeARevival_theMostSentFirst() {
    RumorQueue queue = new RumorQueue(16);
    for (int i = 0; i < 15; i++) {
      queue.add(Rumor.alive("r" + i, 2));
    }
    queue.add(Rumor.failed("f", 1));
    take(queue, 16, 100); // all sent once
    queue.add(Rumor.alive("new", 2));
    assertThat(queue.dropped()).isEqualTo(1);
    assertThat(take(queue, 16, 100)).hasSize(16).doesNotContain(Rumor.failed("f", 1))
        .contains(Rumor.alive("new", 2));
  }
}
