package dev.vnetif;

import static dev.vnetif.link.conditions.Arguments.atLeast;
import static dev.vnetif.link.conditions.Arguments.nonNegative;
import static dev.vnetif.link.conditions.Arguments.probability;

import dev.vnetif.link.conditions.NetemText;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * One step of a {@link LinkConditions}: what happens to each frame at that point of the link. Steps
 * run in the order they were written; each record checks its arguments when built and prints like
 * the netem clause it mirrors ({@code loss random 1%}, {@code delay 50ms 10ms normal 25%}). Records
 * holding a {@link Predicate} compare it by identity.
 */
public sealed interface ConditionStep
    permits ConditionStep.Delay,
        ConditionStep.Loss,
        ConditionStep.Duplicate,
        ConditionStep.Corrupt,
        ConditionStep.Reorder,
        ConditionStep.Rate,
        ConditionStep.QueueLimit,
        ConditionStep.Slot,
        ConditionStep.Drop,
        ConditionStep.DelayMatching,
        ConditionStep.TrailingBytes,
        ConditionStep.DropAfter {

  /**
   * netem {@code delay}: each frame waits {@code mean + jitter * z} (never less than zero), z drawn
   * from {@code distribution}; with a {@code correlation}, the uniform variate behind z is mixed
   * with the previous one as netem's {@code get_crandom}. The link stays first in, first out: a
   * frame never leaves before the one ahead of it, so jitter does not reorder (use {@link
   * Reorder}).
   */
  record Delay(Duration mean, Duration jitter, Distribution distribution, double correlation)
      implements ConditionStep {
    public Delay {
      nonNegative("delay", mean);
      nonNegative("delay jitter", jitter);
      Objects.requireNonNull(distribution, "delay distribution");
      probability("delay correlation", correlation);
    }

    @Override
    public String toString() {
      StringBuilder text = new StringBuilder("delay ").append(NetemText.time(mean));
      if (!jitter.isZero()) {
        text.append(' ').append(NetemText.time(jitter));
        if (distribution != Distribution.UNIFORM) {
          text.append(' ').append(distribution.netemName());
        }
        if (correlation != 0) {
          text.append(' ').append(NetemText.percent(correlation));
        }
      }
      return text.toString();
    }
  }

  /**
   * netem {@code loss}: frames lost as {@code model} decides. With {@code which} (null: every
   * frame), only the frames it accepts are subject to the model: the others pass without a draw and
   * without moving a Markov model's state. A {@code which} that throws counts as not accepting.
   */
  record Loss(LossModel model, Predicate<Frame> which, String whichDescription)
      implements ConditionStep {
    public Loss {
      Objects.requireNonNull(model, "loss model");
      if (which == null) {
        whichDescription = null;
      } else if (whichDescription == null || whichDescription.isBlank()) {
        whichDescription = "selected frames";
      }
    }

    /** The loss of every frame. */
    public Loss(LossModel model) {
      this(model, null, null);
    }

    @Override
    public String toString() {
      return "loss " + model + (which == null ? "" : " only " + whichDescription);
    }
  }

  /**
   * netem {@code duplicate}: with probability {@code p} the frame is sent twice. The copy goes on
   * through the steps after this one (as netem re-enqueues it), and leaves right behind the
   * original; this step never duplicates a copy it made.
   */
  record Duplicate(double p, double correlation) implements ConditionStep {
    public Duplicate {
      probability("duplicate probability", p);
      probability("duplicate correlation", correlation);
    }

    @Override
    public String toString() {
      return "duplicate "
          + NetemText.percent(p)
          + (correlation == 0 ? "" : " " + NetemText.percent(correlation));
    }
  }

  /**
   * netem {@code corrupt}: with probability {@code p}, one random bit of one random byte is flipped
   * (in a new copy of the bytes; the sender's buffer is never touched). An empty frame has no bit
   * to flip and passes unchanged.
   */
  record Corrupt(double p, double correlation) implements ConditionStep {
    public Corrupt {
      probability("corrupt probability", p);
      probability("corrupt correlation", correlation);
    }

    @Override
    public String toString() {
      return "corrupt "
          + NetemText.percent(p)
          + (correlation == 0 ? "" : " " + NetemText.percent(correlation));
    }
  }

  /**
   * netem {@code reorder p gap}: every frame goes through the delay except that, once {@code gap -
   * 1} frames in a row were delayed, each next frame is sent at once with probability {@code p}
   * (leaving at its entry time, ahead of the delayed ones), which starts the count again. With
   * {@code p = 1} the frames gap, 2*gap, 3*gap... jump the queue. Without a delay it has no visible
   * effect (netem refuses it then).
   */
  record Reorder(double p, int gap, double correlation) implements ConditionStep {
    public Reorder {
      probability("reorder probability", p);
      atLeast("reorder gap", gap, 1);
      probability("reorder correlation", correlation);
    }

    @Override
    public String toString() {
      return "reorder "
          + NetemText.percent(p)
          + (correlation == 0 ? "" : " " + NetemText.percent(correlation))
          + " gap "
          + gap;
    }
  }

  /**
   * netem {@code rate}: the link serializes frames one after the other at {@code bitsPerSecond},
   * each taking {@code (length + overheadBytes) * 8 / bitsPerSecond} seconds, the sum floored at
   * one byte; {@code overheadBytes} may be negative, as in netem (e.g. -4 to not count an FCS). A
   * frame waiting for the ones ahead of it counts as queued.
   */
  record Rate(long bitsPerSecond, int overheadBytes) implements ConditionStep {
    public Rate {
      atLeast("rate (bits per second)", bitsPerSecond, 1);
    }

    @Override
    public String toString() {
      return "rate "
          + NetemText.rate(bitsPerSecond)
          + (overheadBytes == 0 ? "" : " packetoverhead " + overheadBytes);
    }
  }

  /**
   * netem {@code limit}: the link holds at most {@code frames} frames that entered but have not
   * left yet; a frame arriving when that many are held is dropped (counted as tail-dropped, not as
   * dropped). Wherever it is written, it is checked when the frame enters the link, before any step
   * (as netem checks its limit first), so a tail-dropped frame takes no bandwidth. Without this
   * step the queue is unlimited: unlike netem, whose hidden default limit of 1000 drops silently,
   * we never drop unless asked.
   */
  record QueueLimit(int frames) implements ConditionStep {
    public QueueLimit {
      atLeast("limit (frames)", frames, 1);
    }

    @Override
    public String toString() {
      return "limit " + frames;
    }
  }

  /**
   * netem {@code slot}: frames leave only when a slot opens. A slot opens a uniform random interval
   * in [min, max) after the previous one, and lets out at most {@code packets} frames and {@code
   * bytes} bytes (0: no limit; the frame that crosses the byte budget still goes); the rest wait
   * for the next slot. As in netem, a frame that finds the link idle waits one fresh interval.
   */
  record Slot(Duration min, Duration max, int packets, int bytes) implements ConditionStep {
    public Slot {
      nonNegative("slot min", min);
      nonNegative("slot max", max);
      if (max.compareTo(min) < 0) {
        throw new IllegalArgumentException(
            "slot max must be >= slot min (" + min + "), got " + max);
      }
      atLeast("slot packets", packets, 0);
      atLeast("slot bytes", bytes, 0);
    }

    @Override
    public String toString() {
      return "slot "
          + NetemText.time(min)
          + " "
          + NetemText.time(max)
          + (packets == 0 ? "" : " packets " + packets)
          + (bytes == 0 ? "" : " bytes " + bytes);
    }
  }

  /**
   * A scripted drop (not in netem): every frame {@code which} accepts is dropped, e.g. "the 2nd
   * SYN-ACK" with a predicate that counts. A {@code which} that throws counts as not accepting.
   */
  record Drop(Predicate<Frame> which, String description) implements ConditionStep {
    public Drop {
      Objects.requireNonNull(which, "drop predicate");
      if (description == null || description.isBlank()) {
        description = "frames matching a predicate";
      }
    }

    @Override
    public String toString() {
      return "drop " + description;
    }
  }

  /**
   * A scripted delay (not in netem): every frame {@code which} accepts waits {@code delay} more,
   * the others pass untouched — Toxiproxy's {@code slow_close} is "every FIN", a slow handshake
   * "every SYN-ACK". The link stays first in, first out, so frames behind a delayed one wait for it
   * (as on a real link); put a {@code reorder} step after it to let them pass.
   */
  record DelayMatching(Predicate<Frame> which, Duration delay, String description)
      implements ConditionStep {
    public DelayMatching {
      Objects.requireNonNull(which, "delay predicate");
      nonNegative("delay", delay);
      if (description == null || description.isBlank()) {
        description = "frames matching a predicate";
      }
    }

    @Override
    public String toString() {
      return "delay " + NetemText.time(delay) + " " + description;
    }
  }

  /**
   * mirage-tcpip's trailing-bytes backend: {@code count} garbage bytes (drawn from the link's
   * random stream) are appended to every frame, as a driver that pads frames would.
   */
  record TrailingBytes(int count) implements ConditionStep {
    public TrailingBytes {
      atLeast("trailing bytes", count, 0);
    }

    @Override
    public String toString() {
      return "trailing-bytes " + count;
    }
  }

  /**
   * mirage-tcpip's drop-1-second-after-1-megabyte backend: every frame's length is added to a
   * count; the frame that takes the count above {@code bytes} and every frame entering within
   * {@code duration} after it are dropped; then frames pass again, for good (it happens once).
   */
  record DropAfter(long bytes, Duration duration) implements ConditionStep {
    public DropAfter {
      atLeast("drop-after bytes", bytes, 0);
      nonNegative("drop-after duration", duration);
    }

    @Override
    public String toString() {
      return "drop-after " + bytes + " bytes for " + NetemText.time(duration);
    }
  }
}
