package dev.vnetif.link.conditions;

import dev.vnetif.ConditionStep;
import java.util.SplittableRandom;

/**
 * {@code reorder p gap}, as netem's enqueue: a frame is delayed as usual while fewer than {@code
 * gap - 1} frames were delayed since the last early one, else it goes early with probability p
 * (drawn only then, as netem's short-circuit does) and the count starts again.
 */
final class ReorderRunner extends StepRunner {
  private final double p;
  private final int gap;
  private final CorrelatedUniform variates;
  private int counter;

  ReorderRunner(ConditionStep.Reorder step, SplittableRandom random) {
    super(step);
    this.p = step.p();
    this.gap = step.gap();
    this.variates = new CorrelatedUniform(random, step.correlation());
  }

  @Override
  Verdict apply(InFlight frame) {
    if (frame.early) {
      return Verdict.PASS;
    }
    if (counter < gap - 1 || !(variates.next() < p)) {
      counter++;
      return Verdict.PASS;
    }
    counter = 0;
    frame.early = true;
    frame.readyAt = frame.enteredAt; // netem: time_to_send = now, at the head of the queue
    reordered++;
    return Verdict.PASS;
  }
}
