package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_SEQ;
import static dev.vnetif.tcp.TcbHarness.REMOTE_SEQ;
import static dev.vnetif.tcp.TcbHarness.WINDOW;
import static dev.vnetif.tcp.TcbHarness.at;
import static dev.vnetif.tcp.TcbHarness.out;
import static dev.vnetif.tcp.TcbHarness.pattern;
import static dev.vnetif.tcp.TcbHarness.seg;
import static dev.vnetif.wire.TcpSegment.ACK;
import static dev.vnetif.wire.TcpSegment.FIN;
import static dev.vnetif.wire.TcpSegment.PSH;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The receiving side in ESTABLISHED: the first check (acceptability, RFC 9293 §3.10.7.4) and the
 * seventh and eighth steps (segment text, FIN), with out-of-order data held for reassembly and
 * acknowledged at once (RFC 5681 §4.2).
 *
 * <p>Offsets in the tests are relative to {@link TcbHarness#REMOTE_SEQ}; the peer's bytes are the
 * harness pattern, so {@code pattern(o, n)} is the n bytes at offset o of the stream.
 */
class TcbReceiveTest {
  /** A receive buffer of 1000 bytes: the window can be filled and trimmed with few segments. */
  private static final int SMALL = 1000;

  private static TcbHarness smallWindow() {
    return TcbHarness.established(TcbHarness.config().withBuffers(SMALL, WINDOW));
  }

  /** {@code n} bytes of the peer's stream at offset {@code offset}, acknowledging LOCAL_SEQ. */
  private static TcbHarness.SegmentBuilder data(int offset, int n) {
    return seg().seq(REMOTE_SEQ + offset).ack(LOCAL_SEQ).payload(pattern(offset, n));
  }

  /** Fills the small window: 1000 bytes delivered and not consumed, their ACK (window 0) sent. */
  private static TcbHarness smallWindowFilled() {
    TcbHarness h = smallWindow();
    h.send(at(0), data(0, SMALL));
    h.tick(at(40));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + SMALL).window(0));
    h.clear();
    return h;
  }

  // ------------------------------------------------------------------ in order

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 seventh: in-order text is delivered and RCV.NXT advances over it")
  void inOrderTextDelivered() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), data(0, 5));
    h.expectEvent(new TcbEvent.DataReceived(pattern(0, 5)));
    h.tick(at(50));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 5).window(WINDOW - 5));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 seventh: consecutive segments are delivered in order, RCV.NXT after the last")
  void consecutiveSegmentsDeliveredInOrder() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), data(0, 100));
    h.send(at(20), data(100, 100));
    h.send(at(30), data(200, 100));
    h.expectEvent(new TcbEvent.DataReceived(pattern(0, 100)));
    h.expectEvent(new TcbEvent.DataReceived(pattern(100, 100)));
    h.expectEvent(new TcbEvent.DataReceived(pattern(200, 100)));
    h.expectNothing();
    h.tick(at(50));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 300).window(WINDOW - 300));
    h.expectNothing();
  }

  // ------------------------------------------------------------------ out of order

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 seventh, RFC 5681 §4.2: out-of-order text is held and draws a duplicate ACK at once")
  void outOfOrderHeldAndDuplicateAcked() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), data(100, 100));
    h.expectNoEvent();
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ).window(WINDOW));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 5681 §4.2: the segment that fills the hole is delivered with the held data and ACKed at once")
  void holeFillingDeliversHeldDataAndAcksAtOnce() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), data(100, 100));
    h.clear();
    h.send(at(20), data(0, 100));
    h.expectEvent(new TcbEvent.DataReceived(pattern(0, 100)));
    h.expectEvent(new TcbEvent.DataReceived(pattern(100, 100)));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 200).window(WINDOW - 200));
    h.expectNothing();
    h.tick(at(1_000));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 seventh: two holes filled one by one; each fill delivers what became contiguous")
  void twoHolesFilledOneByOne() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), data(300, 100));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.send(at(11), data(100, 100));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectNoEvent();

    h.send(at(12), data(0, 100));
    h.expectEvent(new TcbEvent.DataReceived(pattern(0, 100)));
    h.expectEvent(new TcbEvent.DataReceived(pattern(100, 100)));
    h.expectNoEvent();
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 200).window(WINDOW - 200));

    h.send(at(13), data(200, 100));
    h.expectEvent(new TcbEvent.DataReceived(pattern(200, 100)));
    h.expectEvent(new TcbEvent.DataReceived(pattern(300, 100)));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 400).window(WINDOW - 400));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4: a duplicate of held out-of-order text is ACKed again and its bytes delivered once")
  void duplicateOfHeldSegmentDeliveredOnce() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), data(100, 100));
    h.send(at(11), data(100, 100));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.send(at(12), data(0, 100));
    h.expectEvent(new TcbEvent.DataReceived(pattern(0, 100)));
    h.expectEvent(new TcbEvent.DataReceived(pattern(100, 100)));
    h.expectNoEvent();
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 200).window(WINDOW - 200));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4: overlapping out-of-order segments are merged; every byte is delivered once")
  void overlappingHeldSegmentsMerged() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), data(100, 100));
    h.send(at(11), data(150, 150));
    h.send(at(12), data(250, 100));
    h.clear();
    h.send(at(13), data(0, 100));
    h.expectEvent(new TcbEvent.DataReceived(pattern(0, 100)));
    h.expectEvent(new TcbEvent.DataReceived(pattern(100, 250)));
    h.expectNoEvent();
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 350).window(WINDOW - 350));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4: a hole filler that overlaps held data delivers its new bytes and the rest once")
  void holeFillerOverlappingHeldData() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), data(100, 100));
    h.clear();
    h.send(at(11), data(0, 150));
    h.expectEvent(new TcbEvent.DataReceived(pattern(0, 150)));
    h.expectEvent(new TcbEvent.DataReceived(pattern(150, 50)));
    h.expectNoEvent();
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 200).window(WINDOW - 200));
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4: a segment straddling RCV.NXT is trimmed; only its new part is delivered")
  void overlappingInOrderSegmentTrimmed() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), data(0, 100));
    h.send(at(20), data(50, 100));
    h.expectEvent(new TcbEvent.DataReceived(pattern(0, 100)));
    h.expectEvent(new TcbEvent.DataReceived(pattern(100, 50)));
    h.expectNoEvent();
    h.tick(at(50));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 150).window(WINDOW - 150));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 first check: a segment entirely before RCV.NXT is answered with an ACK, every time, and not delivered")
  void oldSegmentAckedNotDelivered() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), data(0, 100));
    h.tick(at(50));
    h.clear();
    h.send(at(60), data(0, 100));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 100).window(WINDOW - 100));
    h.send(at(61), data(40, 60));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 100).window(WINDOW - 100));
    h.expectNoEvent();
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 seventh: text beyond the window is trimmed (and the FIN after it dropped)")
  void textBeyondWindowTrimmed() {
    TcbHarness h = smallWindow();
    h.send(at(10), data(0, 1400).flags(ACK | FIN));
    h.expectEvent(new TcbEvent.DataReceived(pattern(0, SMALL)));
    h.expectNoEvent();
    h.expectState(TcpState.ESTABLISHED);
    h.tick(at(50));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + SMALL).window(0));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 seventh: out-of-order text reaching beyond the window is held only up to the window's edge")
  void outOfOrderTextBeyondWindowTrimmed() {
    TcbHarness h = smallWindow();
    h.send(at(10), data(600, 800));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ).window(SMALL));
    h.send(at(11), data(0, 600));
    h.expectEvent(new TcbEvent.DataReceived(pattern(0, 600)));
    h.expectEvent(new TcbEvent.DataReceived(pattern(600, 400)));
    h.expectNoEvent();
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + SMALL).window(0));
    h.expectNothing();
  }

  // ------------------------------------------------------------------ FIN

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 eighth: a FIN with out-of-order text is held until the gap fills, then processed (it takes a sequence number inside the window)")
  void finOutOfOrderHeldUntilGapFills() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), data(100, 50).flags(ACK | FIN));
    h.expectNoEvent();
    h.expectState(TcpState.ESTABLISHED);
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.send(at(20), data(0, 100));
    h.expectEvent(new TcbEvent.DataReceived(pattern(0, 100)));
    h.expectEvent(new TcbEvent.DataReceived(pattern(100, 50)));
    h.expectEvent(TcbEvent.PEER_FINISHED);
    h.expectState(TcpState.CLOSE_WAIT);
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 151).window(WINDOW - 151));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 eighth: a bare FIN ahead of missing text waits for it; the FIN is then ACKed")
  void bareFinOutOfOrderHeld() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), seg().flags(ACK | FIN).seq(REMOTE_SEQ + 100).ack(LOCAL_SEQ));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectNoEvent();
    h.expectState(TcpState.ESTABLISHED);
    h.send(at(20), data(0, 100));
    h.expectEvent(new TcbEvent.DataReceived(pattern(0, 100)));
    h.expectEvent(TcbEvent.PEER_FINISHED);
    h.expectState(TcpState.CLOSE_WAIT);
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 101).window(WINDOW - 101));
    h.expectNothing();
  }

  // ------------------------------------------------------------------ acceptability

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 acceptability, SEG.LEN=0 RCV.WND=0: acceptable only if SEG.SEQ = RCV.NXT")
  void emptySegmentZeroWindowAcceptableOnlyAtRcvNxt() {
    TcbHarness h = smallWindowFilled();
    h.write("xy");
    h.expectSegment(
        out().flags(ACK | PSH).seq(LOCAL_SEQ).ack(REMOTE_SEQ + SMALL).window(0).payload("xy"));
    // SEG.SEQ = RCV.NXT + 1: not acceptable, answered, its ACK field not used.
    h.send(at(100), seg().seq(REMOTE_SEQ + SMALL + 1).ack(LOCAL_SEQ + 1));
    h.expectSegment(out().seq(LOCAL_SEQ + 2).ack(REMOTE_SEQ + SMALL).window(0));
    h.expectNoEvent();
    // SEG.SEQ = RCV.NXT: acceptable, the ACK is processed, nothing is sent.
    h.send(at(110), seg().seq(REMOTE_SEQ + SMALL).ack(LOCAL_SEQ + 1));
    h.expectEvent(new TcbEvent.DataAcknowledged(1, WINDOW - 1));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 acceptability, SEG.LEN=0 RCV.WND>0: acceptable iff RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND")
  void emptySegmentOpenWindowAcceptability() {
    TcbHarness h = smallWindow();
    h.write("xyz");
    h.expectSegment(
        out().flags(ACK | PSH).seq(LOCAL_SEQ).ack(REMOTE_SEQ).window(SMALL).payload("xyz"));
    // Just past the right edge: not acceptable.
    h.send(at(0), seg().seq(REMOTE_SEQ + SMALL).ack(LOCAL_SEQ + 1));
    h.expectSegment(out().seq(LOCAL_SEQ + 3).ack(REMOTE_SEQ).window(SMALL));
    h.expectNoEvent();
    // Just before RCV.NXT: not acceptable (answered again once 500 ms passed).
    h.send(at(500), seg().seq(REMOTE_SEQ - 1).ack(LOCAL_SEQ + 1));
    h.expectSegment(out().seq(LOCAL_SEQ + 3).ack(REMOTE_SEQ).window(SMALL));
    h.expectNoEvent();
    // The last sequence number of the window: acceptable, its ACK processed silently.
    h.send(at(501), seg().seq(REMOTE_SEQ + SMALL - 1).ack(LOCAL_SEQ + 1));
    h.expectEvent(new TcbEvent.DataAcknowledged(1, WINDOW - 2));
    h.expectNothing();
    // RCV.NXT itself: acceptable.
    h.send(at(502), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 3));
    h.expectEvent(new TcbEvent.DataAcknowledged(3, WINDOW));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 acceptability, SEG.LEN>0 RCV.WND=0: a zero-window probe is not acceptable and draws an ACK each time")
  void zeroWindowProbeNotAcceptable() {
    TcbHarness h = smallWindowFilled();
    h.send(at(100), data(SMALL, 1));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + SMALL).window(0));
    h.send(at(101), data(SMALL, 1));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + SMALL).window(0));
    h.expectNoEvent();
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4: with RCV.WND=0 the text of a probe is refused, but special allowance is made to accept its valid ACK")
  void zeroWindowProbeStillCarriesValidAck() {
    TcbHarness h = smallWindowFilled();
    h.write("xy");
    h.expectSegment(
        out().flags(ACK | PSH).seq(LOCAL_SEQ).ack(REMOTE_SEQ + SMALL).window(0).payload("xy"));
    // The peer probes our zero window and acknowledges our 2 bytes in the same segment.
    h.send(at(100), seg().seq(REMOTE_SEQ + SMALL).ack(LOCAL_SEQ + 2).payload("!"));
    h.expectEvent(new TcbEvent.DataAcknowledged(2, WINDOW));
    h.expectSegment(out().seq(LOCAL_SEQ + 2).ack(REMOTE_SEQ + SMALL).window(0));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 acceptability, SEG.LEN>0 RCV.WND>0: acceptable if its first or its last byte is in the window")
  void dataSegmentAcceptableIfEitherEndInWindow() {
    TcbHarness h = smallWindow();
    h.send(at(10), data(0, 100));
    h.tick(at(50));
    h.clear();
    // First byte before RCV.NXT, last inside: acceptable, the new part delivered.
    h.send(at(60), data(90, 20));
    h.expectEvent(new TcbEvent.DataReceived(pattern(100, 10)));
    // First byte is the last one of the window (RCV.NXT+RCV.WND-1 = 999): acceptable, held.
    h.send(at(61), data(999, 100));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 110).window(890));
    // First byte at RCV.NXT+RCV.WND: not acceptable, answered.
    h.send(at(62), data(1000, 100));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 110).window(890));
    h.expectNoEvent();
    // Filling the gap delivers the one byte that was held at the window's edge.
    h.send(at(63), data(110, 889));
    h.expectEvent(new TcbEvent.DataReceived(pattern(110, 889)));
    h.expectEvent(new TcbEvent.DataReceived(pattern(999, 1)));
    h.expectNoEvent();
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + SMALL).window(0));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4: an unacceptable empty segment is answered at most every 500 ms (design choice)")
  void unacceptableEmptySegmentAnswerRateLimited() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), seg().seq(REMOTE_SEQ + WINDOW + 5).ack(LOCAL_SEQ));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.send(at(509), seg().seq(REMOTE_SEQ + WINDOW + 5).ack(LOCAL_SEQ));
    h.expectNothing();
    h.send(at(510), seg().seq(REMOTE_SEQ + WINDOW + 5).ack(LOCAL_SEQ));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4: an unacceptable segment with text is answered every time (design choice)")
  void unacceptableDataSegmentAlwaysAnswered() {
    TcbHarness h = TcbHarness.established();
    for (int i = 0; i < 3; i++) {
      h.send(at(10 + i), data(WINDOW + 5, 10));
      h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    }
    h.expectNoEvent();
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4: out-of-order text is held in at most 64 ranges (design choice); a 65th range is dropped")
  void outOfOrderRangesBounded() {
    TcbHarness h = TcbHarness.established();
    // 65 ranges of 10 bytes at 20i+10, each with a 10-byte gap before it.
    for (int i = 0; i < 65; i++) {
      h.send(at(10), data(20 * i + 10, 10));
    }
    h.clear();
    for (int i = 0; i < 64; i++) {
      h.send(at(20), data(20 * i, 10));
      h.expectEvent(new TcbEvent.DataReceived(pattern(20 * i, 10)));
      h.expectEvent(new TcbEvent.DataReceived(pattern(20 * i + 10, 10)));
      h.expectSegment(
          out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 20 * i + 20).window(WINDOW - 20 * i - 20));
    }
    // The last gap fills, but the 65th range was not kept: RCV.NXT stops after the gap.
    h.send(at(30), data(1280, 10));
    h.expectEvent(new TcbEvent.DataReceived(pattern(1280, 10)));
    h.expectNoEvent();
    h.tick(at(70));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 1290).window(WINDOW - 1290));
    h.expectNothing();
  }
}
