package dev.failuredetector.netty;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OutgoingSequencesTest {

  @Test
  void numbersFollowTheSlots_fromOnePerLife_aSkippedSlotIsAGap() {
    OutgoingSequences sequences = new OutgoingSequences();
    assertThat(sequences.next(0, 0)).isEqualTo(1); // before the peer is heard: echo 0
    assertThat(sequences.next(7, 1)).isEqualTo(1); // its life 7 learned: from 1
    assertThat(sequences.next(7, 2)).isEqualTo(2);
    assertThat(sequences.next(7, 13)).as("10 slots missed in a pause").isEqualTo(13);
    assertThat(sequences.next(7, 13)).as("a goodbye in the same slot").isEqualTo(14);
    assertThat(sequences.next(7, 14)).isEqualTo(15);
  }

  @Test
  void turningBackToARecentLife_goesOnAboveItsLastNumber() {
    OutgoingSequences sequences = new OutgoingSequences();
    for (long slot = 0; slot < 100; slot++) {
      sequences.next(7, slot);
    }
    assertThat(sequences.next(666, 100)).isEqualTo(1); // turned away for a moment
    assertThat(sequences.next(7, 101)).as("not 1: the peer would drop it as stale")
        .isEqualTo(102);
    // Past the remembered lives, the oldest is forgotten and starts again.
    for (long life = 1; life <= OutgoingSequences.REMEMBERED; life++) {
      sequences.next(1000 + life, 102 + life);
    }
    assertThat(sequences.next(7, 200)).isEqualTo(1);
  }
}
