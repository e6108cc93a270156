package dev.vnetif.link.conditions;

import dev.vnetif.ConditionStep;
import java.util.SplittableRandom;
import org.apache.pekko.util.ByteString;

/** {@code corrupt}: netem flips bit {@code rand % 8} of byte {@code rand % length}, in a copy. */
final class CorruptRunner extends StepRunner {
  private final double p;
  private final CorrelatedUniform variates;
  private final SplittableRandom random;

  CorruptRunner(ConditionStep.Corrupt step, SplittableRandom random) {
    super(step);
    this.p = step.p();
    this.random = random;
    this.variates = new CorrelatedUniform(random, step.correlation());
  }

  @Override
  Verdict apply(InFlight frame) {
    if (p > 0 && variates.next() < p) {
      int length = frame.bytes.length();
      if (length > 0) {
        byte[] copy = frame.bytes.toArray();
        copy[random.nextInt(length)] ^= (byte) (1 << random.nextInt(8));
        frame.replaceBytes(ByteString.fromArrayUnsafe(copy));
        corrupted++;
      }
    }
    return Verdict.PASS;
  }
}
