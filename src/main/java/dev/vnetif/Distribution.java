package dev.vnetif;

/**
 * The shape of the jitter a {@link ConditionStep.Delay} adds: each frame's delay is {@code mean +
 * jitter * z}, never below zero, where {@code z} is drawn from one of these laws (netem's {@code
 * distribution} keyword). Except for {@link #UNIFORM}, {@code z} has mean 0 and standard deviation
 * 1, so {@code jitter} is the standard deviation of the delay.
 *
 * <p>{@code z} is computed from one uniform variate through the law's quantile function, as netem
 * looks its tables up with one random number; a delay correlation therefore mixes uniform variates
 * the way netem's {@code get_crandom} does (see {@link LinkConditions#correlation(double)}).
 */
public enum Distribution {
  /**
   * Uniform on [-1, 1): the delay is uniform on [mean - jitter, mean + jitter), exactly netem's
   * default. Its standard deviation is therefore {@code jitter / sqrt(3)}, not {@code jitter}.
   */
  UNIFORM,
  /** The standard normal law (netem's {@code normal} table). */
  NORMAL,
  /**
   * A Pareto law of shape 3 (netem's {@code pareto} table is shape 3), capped at 16 times its scale
   * (the resolution of netem's table: tail mass 1/4096), then standardized with the exact moments
   * of that capped law: mean 0, standard deviation 1, {@code z} from about -0.627 (X = 1) up to
   * about 18.26 (X = 16) — a long right tail, no left one. netem's own table scales by 4/3 instead
   * of dividing by the standard deviation and clips at +4 because of its 16-bit entries; we
   * standardize properly and keep the tail.
   */
  PARETO,
  /**
   * netem's {@code paretonormal}: 1/4 of the normal quantile plus 3/4 of the {@link #PARETO}
   * quantile taken at the same uniform variate (netem builds its table that way, entry by entry),
   * standardized to mean 0 and standard deviation 1.
   */
  PARETO_NORMAL;

  /** The keyword netem uses for this law. */
  public String netemName() {
    return switch (this) {
      case UNIFORM -> "uniform";
      case NORMAL -> "normal";
      case PARETO -> "pareto";
      case PARETO_NORMAL -> "paretonormal";
    };
  }
}
