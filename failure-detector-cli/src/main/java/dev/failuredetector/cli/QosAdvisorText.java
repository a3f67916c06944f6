package dev.failuredetector.cli;

import java.math.BigDecimal;
import java.math.MathContext;

/** How {@code tune} writes numbers for people: rates to three digits, settings without noise. */
final class QosAdvisorText {

  private QosAdvisorText() {}

  /** Up to three significant digits, no trailing zeros: 1, 0.5, 36, 12300. */
  static String rate(double value) {
    if (value == 0 || Double.isNaN(value) || Double.isInfinite(value)) {
      return value == 0 ? "0" : Double.toString(value);
    }
    return new BigDecimal(value).round(new MathContext(3)).stripTrailingZeros().toPlainString();
  }

  /** A swept value: 48, 0.5, 799.9 (milliseconds to a tenth at most shown as given). */
  static String setting(double value) {
    return new BigDecimal(Double.toString(value)).stripTrailingZeros().toPlainString();
  }
}
