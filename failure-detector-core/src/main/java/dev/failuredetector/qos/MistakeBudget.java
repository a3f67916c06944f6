package dev.failuredetector.qos;

/**
 * The one rule for "meets a mistake budget", used by {@code tune} ({@link QosAdvisor}) and by
 * {@link AutoTuner}: the 95% upper bound of the mistake rate, kept {@code headroom} times below
 * the budget, and no window worse than chance at the budget ({@link
 * PoissonBound#worstWindowAllowed}): a load that comes and goes shows there, not in the mean.
 */
public final class MistakeBudget {

  private MistakeBudget() {}

  /**
   * Whether {@code mistakes} in {@code observedDays}, with at most {@code worstWindowMistakes} in
   * any of {@code windows} windows of {@code windowDays}, meet {@code budgetPerDay} with {@code
   * headroom}.
   */
  public static boolean meets(long mistakes, double observedDays, long worstWindowMistakes,
      double windowDays, long windows, double budgetPerDay, double headroom) {
    return PoissonBound.upper95(mistakes) / observedDays * headroom <= budgetPerDay
        && worstWindowMistakes
            <= PoissonBound.worstWindowAllowed(budgetPerDay * windowDays, Math.max(1, windows));
  }
}
