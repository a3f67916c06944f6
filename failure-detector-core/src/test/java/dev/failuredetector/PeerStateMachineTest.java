package dev.failuredetector;

import static dev.failuredetector.PeerEvent.CONFIRMATION_PASSED;
import static dev.failuredetector.PeerEvent.CONNECTION_REFUSED;
import static dev.failuredetector.PeerEvent.DEADLINE_PASSED;
import static dev.failuredetector.PeerEvent.EXTERNAL;
import static dev.failuredetector.PeerEvent.HEARTBEAT;
import static dev.failuredetector.PeerEvent.LEFT;
import static dev.failuredetector.PeerEvent.RESTART;
import static dev.failuredetector.PeerEvent.UNHEALTHY;
import static dev.failuredetector.PeerState.AVAILABLE;
import static dev.failuredetector.PeerState.FAILED;
import static dev.failuredetector.PeerState.REMOVED;
import static dev.failuredetector.PeerState.SUSPECTED;
import static dev.failuredetector.PeerState.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The state machine's table, row by row: this is the specification of a peer's life. */
class PeerStateMachineTest {

  /** (state, reason it was entered for, event) -> (state, reason, mistake), or "-" for none. */
  private record Row(PeerState state, TransitionReason reason, PeerEvent event, String expected) {}

  private static final List<Row> TABLE = new ArrayList<>();

  private static void row(PeerState state, TransitionReason reason, PeerEvent event,
      String expected) {
    TABLE.add(new Row(state, reason, event, expected));
  }

  static {
    TransitionReason registered = TransitionReason.REGISTERED;
    row(UNKNOWN, registered, HEARTBEAT, "AVAILABLE FIRST_HEARTBEAT");
    row(UNKNOWN, registered, RESTART, "AVAILABLE FIRST_HEARTBEAT");
    row(UNKNOWN, registered, DEADLINE_PASSED, "-");
    row(UNKNOWN, registered, CONFIRMATION_PASSED, "-");
    row(UNKNOWN, registered, CONNECTION_REFUSED, "FAILED CONNECTION_REFUSED");
    row(UNKNOWN, registered, UNHEALTHY, "FAILED UNHEALTHY");
    row(UNKNOWN, registered, LEFT, "FAILED LEFT");
    row(UNKNOWN, registered, EXTERNAL, "FAILED EXTERNAL");
    for (TransitionReason reason : List.of(TransitionReason.FIRST_HEARTBEAT,
        TransitionReason.RECOVERED, TransitionReason.RESTARTED)) {
      row(AVAILABLE, reason, HEARTBEAT, "-");
      row(AVAILABLE, reason, RESTART, "AVAILABLE RESTARTED");
      row(AVAILABLE, reason, DEADLINE_PASSED, "SUSPECTED TIMEOUT");
      row(AVAILABLE, reason, CONFIRMATION_PASSED, "-");
      row(AVAILABLE, reason, CONNECTION_REFUSED, "FAILED CONNECTION_REFUSED");
      row(AVAILABLE, reason, UNHEALTHY, "FAILED UNHEALTHY");
      row(AVAILABLE, reason, LEFT, "FAILED LEFT");
      row(AVAILABLE, reason, EXTERNAL, "FAILED EXTERNAL");
    }
    TransitionReason timeout = TransitionReason.TIMEOUT;
    row(SUSPECTED, timeout, HEARTBEAT, "AVAILABLE RECOVERED mistake");
    row(SUSPECTED, timeout, RESTART, "AVAILABLE RESTARTED");
    row(SUSPECTED, timeout, DEADLINE_PASSED, "-");
    row(SUSPECTED, timeout, CONFIRMATION_PASSED, "FAILED TIMEOUT");
    row(SUSPECTED, timeout, CONNECTION_REFUSED, "FAILED CONNECTION_REFUSED");
    row(SUSPECTED, timeout, UNHEALTHY, "FAILED UNHEALTHY");
    row(SUSPECTED, timeout, LEFT, "FAILED LEFT");
    row(SUSPECTED, timeout, EXTERNAL, "FAILED EXTERNAL");
    row(FAILED, timeout, HEARTBEAT, "AVAILABLE RECOVERED mistake");
    for (TransitionReason clue : List.of(TransitionReason.CONNECTION_REFUSED,
        TransitionReason.UNHEALTHY, TransitionReason.LEFT, TransitionReason.EXTERNAL)) {
      row(FAILED, clue, HEARTBEAT, "AVAILABLE RECOVERED");
    }
    for (TransitionReason reason : List.of(timeout, TransitionReason.CONNECTION_REFUSED,
        TransitionReason.UNHEALTHY, TransitionReason.LEFT, TransitionReason.EXTERNAL)) {
      row(FAILED, reason, RESTART, "AVAILABLE RESTARTED");
      for (PeerEvent event : EnumSet.of(DEADLINE_PASSED, CONFIRMATION_PASSED, CONNECTION_REFUSED,
          UNHEALTHY, LEFT, EXTERNAL)) {
        row(FAILED, reason, event, "-");
      }
    }
    for (PeerEvent event : PeerEvent.values()) {
      row(REMOVED, TransitionReason.REMOVED, event, "-");
    }
  }

  @Test
  void everyRow() {
    for (Row row : TABLE) {
      PeerStateMachine.Step step = PeerStateMachine.next(row.state(), row.reason(), row.event());
      String actual = step == null ? "-"
          : step.to() + " " + step.reason() + (step.mistake() ? " mistake" : "");
      assertThat(actual).as("%s (%s) + %s", row.state(), row.reason(), row.event())
          .isEqualTo(row.expected());
    }
  }

  @Test
  void theTableCoversEveryStateAndEvent() {
    for (PeerState state : PeerState.values()) {
      for (PeerEvent event : PeerEvent.values()) {
        assertThat(TABLE).as("%s + %s", state, event)
            .anyMatch(row -> row.state() == state && row.event() == event);
      }
    }
  }
}
