package dev.vnetif.link.conditions;

import dev.vnetif.ConditionStep;
import dev.vnetif.Frame;
import java.util.function.Predicate;

/** A scripted delay: the frames the predicate accepts wait a fixed time more. */
final class DelayMatchingRunner extends StepRunner {
  private final Predicate<Frame> which;
  private final long delay;

  DelayMatchingRunner(ConditionStep.DelayMatching step) {
    super(step);
    this.which = step.which();
    this.delay = step.delay().toNanos();
  }

  @Override
  Verdict apply(InFlight frame) {
    if (delay > 0 && accepts(which, frame)) {
      delayed++;
      frame.readyAt = later(frame.readyAt, delay);
    }
    return Verdict.PASS;
  }
}
