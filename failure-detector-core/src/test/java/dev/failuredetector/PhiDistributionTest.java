package dev.failuredetector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Known values computed independently with Python's math.erfc and Pekko's formula. */
class PhiDistributionTest {

  @ParameterizedTest(name = "normal phi({0}) = {1}")
  @CsvSource({
      "-3, 0.0005866493137900705",
      "-1, 0.07502601295781802",
      "0, 0.3010299956639812",
      "0.5, 0.5106919892652408",
      "1, 0.7995455414919704",
      "2, 1.6430160801409368",
      "2.83, 2.633128931440048",      // x just above 2: first continued-fraction point
      "3, 2.8696990359293686",
      "4.25, 4.971082191139438",      // x just above 3: 40 terms
      "5.66, 8.12098159177613",       // x just above 4: 20 terms
      "5, 6.542645672390654",
      "8, 15.206142551017152",
      "10, 23.118053405486073",
      "20, 88.56009534307557",
      "30, 197.3092092616609",
      // beyond where erfc underflows a double: asymptotic series of the tail
      "40, 349.43700645934575",
      "100, 2173.8715428690343",
  })
  void normal_knownValues(double y, double expectedPhi) {
    assertThat(PhiDistribution.NORMAL.phi(y, 0, 1)).isCloseTo(expectedPhi, within(expectedPhi * 1e-12));
  }

  @ParameterizedTest(name = "logistic phi({0}) = {1}")
  @CsvSource({
      "-3, 0.0005352745494572701",
      "-1, 0.0750330321409399",
      "0, 0.3010299956639812",
      "1, 0.7995083208395598",
      "3, 2.9094753264849538",
      "5, 7.299947394460206",
      "10, 37.58471305287122",
      "20, 259.04797256565166",
  })
  void logistic_knownValues(double y, double expectedPhi) {
    assertThat(PhiDistribution.LOGISTIC.phi(y, 0, 1)).isCloseTo(expectedPhi, within(expectedPhi * 1e-12));
    assertThat(PhiAccrualFailureDetector.phi(y, 0, 1)).isEqualTo(PhiDistribution.LOGISTIC.phi(y, 0, 1));
  }

  @Test
  void logistic_approximatesTheNormalCdfWithinItsPublishedError() {
    // "Error is 0.00014 at +- 3.16" (Pekko's Javadoc, from the logistic approximation's source).
    for (double y = -3.16; y <= 3.16; y += 0.01) {
      double logisticTail = Math.pow(10, -PhiDistribution.LOGISTIC.phi(y, 0, 1));
      double normalTail = Math.pow(10, -PhiDistribution.NORMAL.phi(y, 0, 1));
      assertThat(logisticTail).as("y=%s", y).isCloseTo(normalTail, within(1.5e-4));
    }
  }

  @Test
  void exponential_isLinearInTime() {
    double mean = 1e9;
    assertThat(PhiDistribution.EXPONENTIAL.phi(mean * Math.log(10), mean, 0)).isCloseTo(1.0, within(1e-15));
    assertThat(PhiDistribution.EXPONENTIAL.phi(8 * mean * Math.log(10), mean, 0)).isCloseTo(8.0, within(1e-14));
    assertThat(PhiDistribution.EXPONENTIAL.phi(-5, mean, 0)).isZero();
  }

  @ParameterizedTest
  @EnumSource(PhiDistribution.class)
  void phi_isNeverNegativeNorNaN_andMonotone(PhiDistribution distribution) {
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 100_000; i++) {
      double mean = random.nextDouble(1, 1e12);
      double std = random.nextDouble(1, 1e11);
      double t = random.nextDouble(-1e13, 1e13);
      double phi = distribution.phi(t, mean, std);
      assertThat(phi).as("t=%s mean=%s std=%s", t, mean, std).isNotNaN().isGreaterThanOrEqualTo(0.0);
      assertThat(distribution.phi(t + Math.abs(t) * 1e-3 + 1, mean, std))
          .as("monotone at t=%s mean=%s std=%s", t, mean, std).isGreaterThanOrEqualTo(phi);
    }
    assertThat(distribution.phi(Double.NaN, 1, 1)).isNotNaN();
  }

  @ParameterizedTest
  @EnumSource(PhiDistribution.class)
  void standardizedThreshold_isWherePhiReachesTheThreshold(PhiDistribution distribution) {
    for (double threshold : new double[] {0.01, 0.5, 1, 3, 8, 16, 50}) {
      double y = distribution.standardizedThreshold(threshold);
      // standardized units: y for the normal models (mean 0, std 1), t / mean for the exponential
      double phi = distribution == PhiDistribution.EXPONENTIAL
          ? distribution.phi(y, 1, 1)
          : distribution.phi(y, 0, 1);
      assertThat(phi).as("threshold %s", threshold).isCloseTo(threshold, within(threshold * 1e-9));
    }
  }
}
