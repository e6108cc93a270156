package dev.vnetif.link.conditions;

import dev.vnetif.Frame;
import dev.vnetif.link.TappedFrame;
import java.util.function.Function;
import org.apache.pekko.util.ByteString;

/** One frame on its way through a link's steps: its bytes as they are now, and when it is ready. */
final class InFlight {
  private final TappedFrame entered;
  private final Function<TappedFrame, Frame> views;

  /** When the frame entered the link. */
  final long enteredAt;

  ByteString bytes;

  /** When the frame could leave, given the steps it went through so far. */
  long readyAt;

  /** Sent ahead of the queue by a reorder step: leaves at its entry time, skips time steps. */
  boolean early;

  /** For a copy made by a duplicate step: the index of the step it resumes at. */
  int resumeAt;

  private Frame view;

  InFlight(TappedFrame entered, long enteredAt, Function<TappedFrame, Frame> views) {
    this.entered = entered;
    this.views = views;
    this.enteredAt = enteredAt;
    this.bytes = entered.bytes() == null ? ByteString.emptyByteString() : entered.bytes();
    this.readyAt = enteredAt;
  }

  private InFlight(InFlight original) {
    this.entered = original.entered;
    this.views = original.views;
    this.enteredAt = original.enteredAt;
    this.bytes = original.bytes;
    this.readyAt = original.readyAt;
    this.early = original.early;
    this.view = original.view;
  }

  InFlight copy() {
    return new InFlight(this);
  }

  void replaceBytes(ByteString changed) {
    bytes = changed;
    view = null;
  }

  /** The public view of the frame as it is now, for predicates (made once per change of bytes). */
  Frame view() {
    if (view == null) {
      TappedFrame now =
          bytes == entered.bytes()
              ? entered
              : new TappedFrame(
                  bytes, entered.ingressPort(), entered.ingressName(), entered.epochNanos());
      view = views.apply(now);
    }
    return view;
  }
}
