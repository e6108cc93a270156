package dev.vnetif.link.conditions;

import dev.vnetif.ConditionStep;
import java.util.SplittableRandom;

/**
 * {@code slot}: netem's slotting ({@code get_slot_next} and the slot checks of {@code
 * netem_dequeue}). A slot opens at a time and lets out the frames waiting then, up to its budget of
 * frames and bytes; when the budget is spent the next slot opens a uniform interval in [min, max)
 * later. A frame that becomes ready after the current slot opened (the link was idle) draws a fresh
 * slot an interval after it is ready, as netem re-draws {@code slot_next} when the head frame's
 * send time is past it.
 */
final class SlotRunner extends StepRunner {
  private final long min;
  private final long spread;
  private final int packets;
  private final long bytes;
  private final SplittableRandom random;

  private long slotAt = Long.MIN_VALUE;
  private int packetsLeft;
  private long bytesLeft;
  private long lastOut = Long.MIN_VALUE;

  /**
   * When the last slot that ran out of budget opened: frames ready by then waited behind others.
   */
  private long fullAt = Long.MIN_VALUE;

  SlotRunner(ConditionStep.Slot step, SplittableRandom random) {
    super(step);
    this.min = step.min().toNanos();
    this.spread = step.max().toNanos() - min;
    this.packets = step.packets() == 0 ? Integer.MAX_VALUE : step.packets();
    this.bytes = step.bytes() == 0 ? Long.MAX_VALUE : step.bytes();
    this.random = random;
  }

  @Override
  Verdict apply(InFlight frame) {
    if (frame.early) {
      return Verdict.PASS;
    }
    long ready = Math.max(frame.readyAt, lastOut);
    if (slotAt < ready) {
      openNextSlot(ready);
    } else if (frame.readyAt <= fullAt) {
      queued++;
    }
    frame.readyAt = slotAt;
    lastOut = slotAt;
    packetsLeft--;
    bytesLeft -= frame.bytes.length();
    if (packetsLeft <= 0 || bytesLeft <= 0) {
      fullAt = slotAt;
      openNextSlot(slotAt);
    }
    return Verdict.PASS;
  }

  private void openNextSlot(long from) {
    long interval = spread == 0 ? 0 : random.nextLong(spread);
    slotAt = later(from, min + interval);
    packetsLeft = packets;
    bytesLeft = bytes;
  }
}
