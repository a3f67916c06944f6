package dev.failuredetector;

/**
 * The life of a registered peer as one table: (state, event) to (new state, reason, mistake?).
 * Every state change a registry makes is a row of this table; {@code PeerStateMachineTest} checks
 * each row, so the table is the specification.
 *
 * <pre>
 *   state      event                 new state  reason              mistake?
 *   UNKNOWN    HEARTBEAT, RESTART    AVAILABLE  FIRST_HEARTBEAT     no
 *   AVAILABLE  HEARTBEAT             -
 *   AVAILABLE  RESTART               AVAILABLE  RESTARTED           no
 *   SUSPECTED  HEARTBEAT             AVAILABLE  RECOVERED           yes (suspected by timeout)
 *   FAILED     HEARTBEAT             AVAILABLE  RECOVERED           if it failed by TIMEOUT
 *   SUSPECTED, FAILED  RESTART       AVAILABLE  RESTARTED           no (it did go down)
 *   AVAILABLE  DEADLINE_PASSED       SUSPECTED  TIMEOUT             no
 *   SUSPECTED  CONFIRMATION_PASSED   FAILED     TIMEOUT             no
 *   not FAILED CONNECTION_REFUSED,   FAILED     the event's reason  no
 *              UNHEALTHY, LEFT,
 *              EXTERNAL
 *   anything else                    -
 * </pre>
 * A heartbeat after which the peer's detector is already past its deadline (a late heartbeat of an
 * old number) is not a HEARTBEAT event for a peer suspected by timeout: the suspicion goes on
 * ({@code SuspicionTimer}), so a stuck estimate shows as one mistake, not a flap per heartbeat.
 * Registration ({@code REMOVED -> UNKNOWN}) and removal ({@code any -> REMOVED}) are membership,
 * made by the registry itself.
 */
final class PeerStateMachine {

  /**
   * One row's outcome.
   *
   * @param to the new state
   * @param reason the reason listeners are told
   * @param mistake whether the change proves an earlier suspicion wrong
   */
  record Step(PeerState to, TransitionReason reason, boolean mistake) {}

  private static final Step FIRST_HEARTBEAT =
      new Step(PeerState.AVAILABLE, TransitionReason.FIRST_HEARTBEAT, false);
  private static final Step RESTARTED =
      new Step(PeerState.AVAILABLE, TransitionReason.RESTARTED, false);
  private static final Step RECOVERED_MISTAKE =
      new Step(PeerState.AVAILABLE, TransitionReason.RECOVERED, true);
  private static final Step RECOVERED =
      new Step(PeerState.AVAILABLE, TransitionReason.RECOVERED, false);
  private static final Step SUSPECTED =
      new Step(PeerState.SUSPECTED, TransitionReason.TIMEOUT, false);
  private static final Step CONFIRMED = new Step(PeerState.FAILED, TransitionReason.TIMEOUT, false);
  private static final Step REFUSED =
      new Step(PeerState.FAILED, TransitionReason.CONNECTION_REFUSED, false);
  private static final Step UNHEALTHY =
      new Step(PeerState.FAILED, TransitionReason.UNHEALTHY, false);
  private static final Step LEFT = new Step(PeerState.FAILED, TransitionReason.LEFT, false);
  private static final Step EXTERNAL = new Step(PeerState.FAILED, TransitionReason.EXTERNAL, false);

  private PeerStateMachine() {}

  /**
   * The step for {@code event} in {@code state} (entered for {@code reason}), or null when the
   * event changes nothing.
   */
  static Step next(PeerState state, TransitionReason reason, PeerEvent event) {
    return switch (state) {
      case UNKNOWN -> switch (event) {
        case HEARTBEAT, RESTART -> FIRST_HEARTBEAT;
        case CONNECTION_REFUSED -> REFUSED;
        case UNHEALTHY -> UNHEALTHY;
        case LEFT -> LEFT;
        case EXTERNAL -> EXTERNAL;
        case DEADLINE_PASSED, CONFIRMATION_PASSED -> null;
      };
      case AVAILABLE -> switch (event) {
        case HEARTBEAT, CONFIRMATION_PASSED -> null;
        case RESTART -> RESTARTED;
        case DEADLINE_PASSED -> SUSPECTED;
        case CONNECTION_REFUSED -> REFUSED;
        case UNHEALTHY -> UNHEALTHY;
        case LEFT -> LEFT;
        case EXTERNAL -> EXTERNAL;
      };
      case SUSPECTED -> switch (event) {
        case HEARTBEAT -> RECOVERED_MISTAKE;
        case RESTART -> RESTARTED;
        case DEADLINE_PASSED -> null;
        case CONFIRMATION_PASSED -> CONFIRMED;
        case CONNECTION_REFUSED -> REFUSED;
        case UNHEALTHY -> UNHEALTHY;
        case LEFT -> LEFT;
        case EXTERNAL -> EXTERNAL;
      };
      case FAILED -> switch (event) {
        case HEARTBEAT -> reason == TransitionReason.TIMEOUT ? RECOVERED_MISTAKE : RECOVERED;
        case RESTART -> RESTARTED;
        case DEADLINE_PASSED, CONFIRMATION_PASSED, CONNECTION_REFUSED, UNHEALTHY, LEFT, EXTERNAL
            -> null;
      };
      case REMOVED -> null;
    };
  }
}
