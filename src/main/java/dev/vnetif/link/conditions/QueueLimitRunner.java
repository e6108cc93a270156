package dev.vnetif.link.conditions;

import dev.vnetif.ConditionStep;

/**
 * {@code limit}: tail drop when the link already holds as many frames as the limit. Checked when
 * the frame enters the link, before any step (netem checks its limit first on enqueue), so a
 * tail-dropped frame never takes bandwidth at a rate step or a place in a slot.
 */
final class QueueLimitRunner extends StepRunner {
  private final int limit;
  private final HeldFrames held;

  QueueLimitRunner(ConditionStep.QueueLimit step, HeldFrames held) {
    super(step);
    this.limit = step.frames();
    this.held = held;
  }

  @Override
  boolean appliesAtEntry() {
    return true;
  }

  @Override
  Verdict apply(InFlight frame) {
    if (held.count() >= limit) {
      tailDropped++;
      return Verdict.DROP;
    }
    return Verdict.PASS;
  }
}
