package dev.vnetif.link.conditions;

import java.util.SplittableRandom;

/**
 * netem's correlated random numbers ({@code get_crandom} in sch_netem.c): each variate is {@code (1
 * - rho) * fresh + rho * previous}, on uniform variates. With {@code rho = 0} the variates are
 * independent and uniform; otherwise successive ones resemble each other (lag-1 autocorrelation
 * {@code rho}) and, as in netem, they are no longer uniform: they gather toward 1/2.
 */
final class CorrelatedUniform {
  private final SplittableRandom random;
  private final double rho;
  private double last;

  CorrelatedUniform(SplittableRandom random, double rho) {
    this.random = random;
    this.rho = rho;
    // netem's init_crandom starts from a random "previous" value.
    this.last = rho == 0 ? 0.5 : LinkRandom.open01(random);
  }

  /** The next variate, in (0, 1). */
  double next() {
    double fresh = LinkRandom.open01(random);
    if (rho == 0) {
      return fresh;
    }
    last = (1 - rho) * fresh + rho * last;
    return last;
  }
}
