package dev.vnetif.link.conditions;

import dev.vnetif.ConditionStep;
import java.util.SplittableRandom;
import org.apache.pekko.util.ByteString;

/** mirage's trailing-bytes backend: random bytes appended after every frame. */
final class TrailingBytesRunner extends StepRunner {
  private final int count;
  private final SplittableRandom random;

  TrailingBytesRunner(ConditionStep.TrailingBytes step, SplittableRandom random) {
    super(step);
    this.count = step.count();
    this.random = random;
  }

  @Override
  Verdict apply(InFlight frame) {
    if (count > 0) {
      byte[] garbage = new byte[count];
      random.nextBytes(garbage);
      frame.replaceBytes(frame.bytes.concat(ByteString.fromArrayUnsafe(garbage)));
    }
    return Verdict.PASS;
  }
}
