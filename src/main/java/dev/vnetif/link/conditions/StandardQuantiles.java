package dev.vnetif.link.conditions;

import dev.vnetif.Distribution;

/**
 * The quantile functions behind {@link Distribution}: one uniform variate in (0, 1) in, one
 * standardized value z out, the way netem maps one random number through its distribution table.
 */
final class StandardQuantiles {
  private StandardQuantiles() {}

  /**
   * The Pareto law's cap: the upper tail beyond 1 - 2^-12 is held at its value there, 16 times the
   * scale (netem's table has 4096 steps, the same resolution).
   */
  static final double PARETO_TAIL = 0x1.0p-12;

  static final double PARETO_MAX = 16.0; // PARETO_TAIL^(-1/3)

  /** Mean of the capped Pareto(shape 3, scale 1): 3/2 (1 - t^(2/3)) + t^(2/3), t the tail. */
  static final double PARETO_MEAN = 1.5 - 0.5 * 0x1.0p-8;

  /** Standard deviation of the capped law: E[X^2] = 3 (1 - t^(1/3)) + t^(1/3) = 3 - 2/16. */
  static final double PARETO_SD = Math.sqrt(3.0 - 2.0 / 16.0 - PARETO_MEAN * PARETO_MEAN);

  /**
   * Standard deviation of {@code normal(u)/4 + 3 pareto(u)/4} for u uniform (both parts already
   * standardized, taken at the same u as netem's paretonormal table): E[W^2] computed once by
   * quadrature, see {@code StandardQuantilesTest}.
   */
  static final double PARETO_NORMAL_SD = 0.9479422;

  /** z for {@code distribution} at the uniform variate {@code u} in (0, 1). */
  static double z(Distribution distribution, double u) {
    return switch (distribution) {
      case UNIFORM -> 2 * u - 1;
      case NORMAL -> normal(u);
      case PARETO -> pareto(u);
      case PARETO_NORMAL -> paretoNormalUnscaled(u) / PARETO_NORMAL_SD;
    };
  }

  static double paretoNormalUnscaled(double u) {
    return 0.25 * normal(u) + 0.75 * pareto(u);
  }

  /** The standardized capped Pareto quantile: X = (1 - u)^(-1/3), at most 16. */
  static double pareto(double u) {
    double tail = 1 - u;
    double x = tail <= PARETO_TAIL ? PARETO_MAX : 1 / Math.cbrt(tail);
    return (x - PARETO_MEAN) / PARETO_SD;
  }

  // Acklam's rational approximation of the normal quantile (relative error below 1.2e-9).
  private static final double[] A = {
    -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
    1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00
  };
  private static final double[] B = {
    -5.447609879822406e+01,
    1.615858368580409e+02,
    -1.556989798598866e+02,
    6.680131188771972e+01,
    -1.328068155288572e+01
  };
  private static final double[] C = {
    -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
    -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00
  };
  private static final double[] D = {
    7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00
  };
  private static final double LOW = 0.02425;

  /** The standard normal quantile, for u in (0, 1). */
  static double normal(double u) {
    if (u < LOW) {
      return tail(Math.sqrt(-2 * Math.log(u)));
    }
    if (u > 1 - LOW) {
      return -tail(Math.sqrt(-2 * Math.log(1 - u)));
    }
    double q = u - 0.5;
    double r = q * q;
    return (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5])
        * q
        / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
  }

  private static double tail(double q) {
    return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
        / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  }
}
