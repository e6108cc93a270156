package dev.vnetif.link.conditions;

import dev.vnetif.ConditionStep;
import java.util.SplittableRandom;

/** {@code duplicate}: netem's {@code q->duplicate >= get_crandom(&q->dup_cor)}. */
final class DuplicateRunner extends StepRunner {
  private final double p;
  private final CorrelatedUniform variates;

  DuplicateRunner(ConditionStep.Duplicate step, SplittableRandom random) {
    super(step);
    this.p = step.p();
    this.variates = new CorrelatedUniform(random, step.correlation());
  }

  @Override
  Verdict apply(InFlight frame) {
    if (p > 0 && variates.next() < p) {
      duplicated++;
      return Verdict.DUPLICATE;
    }
    return Verdict.PASS;
  }
}
