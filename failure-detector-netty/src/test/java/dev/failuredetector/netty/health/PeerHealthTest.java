package dev.failuredetector.netty.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failuredetector.PeerState;
import dev.failuredetector.TransitionReason;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/**
 * Phi as an operator reads it (JSON, the status page, the demo): before, a FAILED peer's phi was
 * null (infinity has no JSON form), a LEFT one's 22.6 and the demo's 999. Now one rule everywhere.
 */
class PeerHealthTest {

  private static PeerHealth withPhi(OptionalDouble phi) {
    return new PeerHealth("b", PeerState.FAILED, TransitionReason.TIMEOUT, false, false, false, 0,
        phi, 5_000_000_000L, 1_000_000_000L, 1_000_000_000L, List.of());
  }

  @Test
  void phi_isCappedAt999_infinityIncluded_notANumberIsAbsent() {
    assertThat(withPhi(OptionalDouble.of(Double.POSITIVE_INFINITY)).phi())
        .hasValue(PeerHealth.MAX_PHI);
    assertThat(withPhi(OptionalDouble.of(12_345)).phi()).hasValue(999);
    assertThat(withPhi(OptionalDouble.of(22.6)).phi()).hasValue(22.6);
    assertThat(withPhi(OptionalDouble.of(Double.NaN)).phi()).isEmpty();
    assertThat(withPhi(OptionalDouble.empty()).phi()).isEmpty();
    assertThat(HealthJson.peer(withPhi(OptionalDouble.of(Double.POSITIVE_INFINITY))))
        .contains("\"phi\":999.000");
  }
}
