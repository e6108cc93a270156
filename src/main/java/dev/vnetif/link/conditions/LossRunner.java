package dev.vnetif.link.conditions;

import dev.vnetif.ConditionStep;
import dev.vnetif.Frame;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/** {@code loss}: the model decides for each frame it applies to. */
final class LossRunner extends StepRunner {
  private final Predicate<Frame> which;
  private final LossProcess process;

  LossRunner(ConditionStep.Loss step, SplittableRandom random) {
    super(step);
    this.which = step.which();
    this.process = LossProcess.of(step.model(), random);
  }

  @Override
  Verdict apply(InFlight frame) {
    if (which != null && !accepts(which, frame)) {
      return Verdict.PASS; // not subject to the model: no draw, no state change
    }
    if (process.lose()) {
      dropped++;
      return Verdict.DROP;
    }
    return Verdict.PASS;
  }
}
