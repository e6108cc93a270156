package dev.vnetif.link.conditions;

import dev.vnetif.ConditionStep;
import dev.vnetif.Frame;
import java.util.function.Predicate;

/** A scripted drop: the frames the predicate accepts go no further. */
final class DropRunner extends StepRunner {
  private final Predicate<Frame> which;

  DropRunner(ConditionStep.Drop step) {
    super(step);
    this.which = step.which();
  }

  @Override
  Verdict apply(InFlight frame) {
    if (accepts(which, frame)) {
      dropped++;
      return Verdict.DROP;
    }
    return Verdict.PASS;
  }
}
