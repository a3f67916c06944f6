package dev.failuredetector;

/** Long arithmetic that saturates at {@link Long#MIN_VALUE}/{@link Long#MAX_VALUE} instead of wrapping. */
final class Saturating {

  private Saturating() {}

  static long add(long a, long b) {
    long sum = a + b;
    // Overflow iff both operands have the sign opposite to the sum's.
    if (((a ^ sum) & (b ^ sum)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return sum;
  }

  static long negate(long a) {
    return a == Long.MIN_VALUE ? Long.MAX_VALUE : -a;
  }

  static long multiply(long a, long b) {
    long high = Math.multiplyHigh(a, b);
    long low = a * b;
    if ((high == 0 && low >= 0) || (high == -1 && low < 0)) {
      return low;
    }
    return (a ^ b) < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
  }
}
