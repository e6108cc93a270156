package dev.vnetif.link.conditions;

import dev.vnetif.ConditionStep;

/**
 * mirage's drop-after backend: counts the bytes of every frame reaching it (dropped ones too, as
 * mirage counts every write); the frame taking the count above the mark opens a window of {@code
 * duration} from its entry time in which every frame is dropped. It happens once.
 */
final class DropAfterRunner extends StepRunner {
  private final long mark;
  private final long duration;
  private long seen;
  private boolean triggered;
  private long until;

  DropAfterRunner(ConditionStep.DropAfter step) {
    super(step);
    this.mark = step.bytes();
    this.duration = step.duration().toNanos();
  }

  @Override
  Verdict apply(InFlight frame) {
    seen += frame.bytes.length();
    if (!triggered && seen > mark) {
      triggered = true;
      until = later(frame.enteredAt, duration);
    }
    if (triggered && frame.enteredAt < until) {
      dropped++;
      return Verdict.DROP;
    }
    return Verdict.PASS;
  }
}
