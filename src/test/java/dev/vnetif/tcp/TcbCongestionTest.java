package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_SEQ;
import static dev.vnetif.tcp.TcbHarness.MSS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_ISS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_SEQ;
import static dev.vnetif.tcp.TcbHarness.WINDOW;
import static dev.vnetif.tcp.TcbHarness.at;
import static dev.vnetif.tcp.TcbHarness.out;
import static dev.vnetif.tcp.TcbHarness.pattern;
import static dev.vnetif.tcp.TcbHarness.seg;
import static dev.vnetif.wire.TcpSegment.ACK;
import static dev.vnetif.wire.TcpSegment.FIN;
import static dev.vnetif.wire.TcpSegment.PSH;
import static dev.vnetif.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.vnetif.tcp.TcbHarness.SegmentBuilder;
import dev.vnetif.tcp.TcbTimers.Kind;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Congestion control on the sending side: the initial window (RFC 6928), slow start and congestion
 * avoidance (RFC 5681 §3.1) of NewReno, fast retransmit and NewReno fast recovery (RFC 5681 §3.2,
 * RFC 6582 §3.2), the response to a retransmission timeout, and what a duplicate ACK is (RFC 5681
 * §2). SMSS is 1460 and the peer's window 64000 throughout, so the congestion window is what limits
 * the sender.
 */
class TcbCongestionTest {

  /**
   * The fixture's configuration with NewReno pinned: these tests are of NewReno's numbers (CUBIC's
   * are {@link TcbCubicTest}'s).
   */
  private static TcpConfig config() {
    return TcbHarness.config().withCongestionControl(CongestionControlFactory.NEW_RENO);
  }

  /** RFC 6928 §2 for SMSS 1460: min(10·1460, max(2·1460, 14600)). */
  private static final int IW = 10 * MSS;

  /** ESTABLISHED; the user wrote {@code written} bytes and the first ten segments went out. */
  private static TcbHarness tenSegmentsInFlight(int written) {
    TcbHarness h = TcbHarness.established(config());
    h.write(pattern(0, written), false);
    h.clear();
    return h;
  }

  /**
   * Ten segments (exactly IW, nothing more queued, so limited transmit has nothing to send) and
   * three duplicate ACKs at 10–12 ms: segment 1 was fast-retransmitted, ssthresh = 7300, cwnd =
   * 11680, recover = the last byte of segment 10. Then the user queued {@code more} bytes, which
   * the inflated window does not admit yet.
   */
  private static TcbHarness inFastRecovery(int more) {
    TcbHarness h = tenSegmentsInFlight(IW);
    for (int i = 0; i < 3; i++) {
      h.send(at(10 + i), ackOf(0));
    }
    h.write(pattern(IW, more), false);
    h.clear();
    return h;
  }

  /** Our segment carrying bytes [offset, offset + length) of the pattern the user wrote. */
  private static SegmentBuilder data(int offset, int length, int flags) {
    return out()
        .seq(LOCAL_SEQ + offset)
        .ack(REMOTE_SEQ)
        .flags(flags)
        .payload(pattern(offset, length));
  }

  /** Our full-sized segment number {@code n} (from 1) of the pattern, without PSH. */
  private static SegmentBuilder segment(int n) {
    return data((n - 1) * MSS, MSS, ACK);
  }

  /** The peer's pure ACK of the first {@code bytes} bytes we wrote. */
  private static SegmentBuilder ackOf(int bytes) {
    return seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + bytes);
  }

  private static void assertWindow(TcbHarness h, int cwnd, int ssthresh) {
    assertEquals(cwnd, h.tcb.stats().cwnd(), "cwnd");
    assertEquals(ssthresh, h.tcb.stats().ssthresh(), "ssthresh");
  }

  // ------------------------------------------------------------------ initial window

  @Test
  @DisplayName(
      "RFC 6928 §2: IW = min(10·SMSS, max(2·SMSS, 14600)) = 14600: of 20000 bytes written, ten 1460-byte segments go out at once, then nothing until an ACK")
  void initialWindowIsTenSegments() {
    TcbHarness h = TcbHarness.established(config());
    assertWindow(h, IW, Integer.MAX_VALUE);
    assertEquals(20_000, h.write(pattern(0, 20_000), false));
    for (int n = 1; n <= 10; n++) {
      h.expectSegment(segment(n));
    }
    h.expectNothing();
    h.tick(at(199));
    h.expectNothing();
    assertEquals(IW, h.tcb.stats().bytesSent());
  }

  @Test
  @DisplayName(
      "RFC 6928 §2: for SMSS 536 the initial window is 10·536 = 5360 bytes: ten 536-byte segments")
  void initialWindowForSmallMss() {
    TcbHarness h = TcbHarness.synSent(config());
    h.send(seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(536));
    h.clear();
    assertWindow(h, 5_360, Integer.MAX_VALUE);
    h.write(pattern(0, 10_000), false);
    for (int n = 0; n < 10; n++) {
      h.expectSegment(data(n * 536, 536, ACK));
    }
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 6928 §2: for SMSS 4000 the initial window is max(2·4000, 14600) = 14600 bytes: three full segments (the 2600-byte rest is held by sender SWS avoidance)")
  void initialWindowForLargeMss() {
    TcbHarness h = TcbHarness.synSent(config().withMss(4_000));
    h.send(seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(4_000));
    h.clear();
    assertWindow(h, 14_600, Integer.MAX_VALUE);
    h.write(pattern(0, 20_000), false);
    for (int n = 0; n < 3; n++) {
      h.expectSegment(data(n * 4_000, 4_000, ACK));
    }
    h.expectNothing();
  }

  // ------------------------------------------------------------------ slow start, avoidance

  @Test
  @DisplayName(
      "RFC 5681 §3.1 (slow start): the ACK of one segment grows cwnd by SMSS to 16060 and releases two more segments")
  void slowStartAckOfOneSegmentReleasesTwo() {
    TcbHarness h = tenSegmentsInFlight(20_000);
    h.send(at(50), ackOf(MSS));
    assertWindow(h, IW + MSS, Integer.MAX_VALUE);
    h.expectSegment(segment(11));
    h.expectSegment(segment(12));
    h.expectNothing();
    h.expectEvent(new TcbEvent.DataAcknowledged(MSS, WINDOW - 20_000 + MSS));
  }

  @Test
  @DisplayName(
      "RFC 5681 §3.1 eq. 2: cwnd += min(N, SMSS): an ACK of two segments grows cwnd by one SMSS only, releasing three segments")
  void slowStartGrowthCappedAtSmss() {
    TcbHarness h = tenSegmentsInFlight(20_000);
    h.send(at(50), ackOf(2 * MSS));
    assertWindow(h, IW + MSS, Integer.MAX_VALUE);
    h.expectSegment(segment(11));
    h.expectSegment(segment(12));
    h.expectSegment(segment(13));
    h.expectNothing(); // 1020 bytes remain; the window is full
  }

  @Test
  @DisplayName("RFC 5681 §3.1 eq. 2: an ACK of N < SMSS bytes grows cwnd by N (100 bytes)")
  void slowStartSmallAck() {
    TcbHarness h = tenSegmentsInFlight(20_000);
    h.send(at(50), ackOf(100));
    assertWindow(h, IW + 100, Integer.MAX_VALUE);
    h.expectNothing(); // 200 usable bytes: not worth a segment (RFC 1122 §4.2.3.4)
  }

  @Test
  @DisplayName(
      "RFC 5681 §3.1 eq. 3: once cwnd ≥ ssthresh, each ACK adds max(1, SMSS·SMSS/cwnd): 2920 → 3650 → 4234 → 4737")
  void congestionAvoidance() {
    TcbHarness h = TcbHarness.established(config());
    h.write(pattern(0, 2 * MSS), false);
    h.expectSegment(segment(1));
    h.expectSegment(data(MSS, MSS, ACK | PSH));
    h.tick(at(200)); // RTO: ssthresh = max(2920 / 2, 2·1460) = 2920, cwnd = 1460
    h.expectSegment(segment(1));
    assertWindow(h, MSS, 2 * MSS);
    h.send(at(250), ackOf(MSS)); // slow start while cwnd < ssthresh: 1460 + 1460
    assertWindow(h, 2 * MSS, 2 * MSS);
    h.expectSegment(data(MSS, MSS, ACK | PSH));
    h.send(at(300), ackOf(2 * MSS)); // 2920 + 1460·1460/2920 = 2920 + 730
    assertWindow(h, 3_650, 2 * MSS);
    // Four segments written: cwnd lets two go and holds the rest, so the window is in use and
    // may grow (RFC 7661; see applicationLimitedWindowDoesNotGrow).
    h.write(pattern(2 * MSS, 4 * MSS), false);
    h.expectSegment(segment(3));
    h.expectSegment(segment(4));
    h.expectNothing();
    h.send(at(350), ackOf(3 * MSS)); // 3650 + 2131600/3650 = 3650 + 584
    assertWindow(h, 4_234, 2 * MSS);
    h.expectSegment(segment(5));
    h.expectNothing(); // 4234 holds two segments, not three
    h.send(at(360), ackOf(4 * MSS)); // 4234 + 2131600/4234 = 4234 + 503
    assertWindow(h, 4_737, 2 * MSS);
  }

  @Test
  @DisplayName(
      "RFC 7661 §4.2, RFC 9438 §5.8: a sender that does not use its window does not grow it — twenty one-segment exchanges leave cwnd at IW")
  void applicationLimitedWindowDoesNotGrow() {
    TcbHarness h = TcbHarness.established(config());
    for (int i = 0; i < 20; i++) {
      h.write(pattern(i * MSS, MSS), false);
      h.send(at(10 * (i + 1)), ackOf((i + 1) * MSS));
    }
    assertWindow(h, IW, Integer.MAX_VALUE);
    // A bulk writer fills the window: it grows again, one MSS per ACK in slow start.
    h.write(pattern(20 * MSS, 20 * MSS), false);
    h.send(at(300), ackOf(22 * MSS));
    assertWindow(h, IW + MSS, Integer.MAX_VALUE);
  }

  @Test
  @DisplayName(
      "RFC 5681 §4.1: after an idle period longer than the RTO, cwnd restarts at min(IW, cwnd): 16060 → 14600, ten segments")
  void idleRestart() {
    TcbHarness h = tenSegmentsInFlight(IW);
    h.send(at(50), ackOf(IW));
    assertWindow(h, IW + MSS, Integer.MAX_VALUE);
    h.tick(at(10_000));
    h.write(pattern(IW, 20_000), false);
    for (int n = 11; n <= 20; n++) {
      h.expectSegment(segment(n));
    }
    h.expectNothing();
    assertWindow(h, IW, Integer.MAX_VALUE);
  }

  @Test
  @DisplayName(
      "RFC 5681 §4.1: a pause shorter than the RTO keeps cwnd: 16060 bytes, eleven segments")
  void noRestartWithinRto() {
    TcbHarness h = tenSegmentsInFlight(IW);
    h.send(at(50), ackOf(IW));
    h.tick(at(150));
    h.write(pattern(IW, 20_000), false);
    for (int n = 11; n <= 21; n++) {
      h.expectSegment(segment(n));
    }
    h.expectNothing();
    assertWindow(h, IW + MSS, Integer.MAX_VALUE);
  }

  // ------------------------------------------------------------------ fast retransmit

  @Test
  @DisplayName(
      "RFC 5681 §3.2 steps 1–3: the third duplicate ACK retransmits the segment at SND.UNA; ssthresh = max(14600/2, 2·SMSS) = 7300, cwnd = ssthresh + 3·SMSS = 11680")
  void fastRetransmitOnThirdDuplicate() {
    TcbHarness h = tenSegmentsInFlight(IW);
    h.send(at(10), ackOf(0));
    h.expectNothing();
    h.send(at(11), ackOf(0));
    h.expectNothing();
    assertWindow(h, IW, Integer.MAX_VALUE);
    h.send(at(12), ackOf(0));
    h.expectSegment(segment(1));
    h.expectNothing();
    assertWindow(h, 11_680, 7_300);
    assertEquals(1, h.tcb.stats().fastRetransmits());
    assertEquals(1, h.tcb.stats().retransmittedSegments());
    h.expectNoEvent();
  }

  @Test
  @DisplayName(
      "RFC 5681 §3.2 steps 4–5: each further duplicate ACK inflates cwnd by SMSS; once it exceeds FlightSize new segments go out")
  void extraDuplicatesInflateWindow() {
    TcbHarness h = inFastRecovery(5_400);
    h.send(at(13), ackOf(0));
    assertWindow(h, 13_140, 7_300);
    h.expectNothing();
    h.send(at(14), ackOf(0));
    assertWindow(h, 14_600, 7_300);
    h.expectNothing();
    h.send(at(15), ackOf(0));
    assertWindow(h, 16_060, 7_300);
    h.expectSegment(segment(11));
    h.expectNothing();
    h.send(at(16), ackOf(0));
    assertWindow(h, 17_520, 7_300);
    h.expectSegment(segment(12));
    h.expectNothing();
    assertEquals(1, h.tcb.stats().fastRetransmits());
  }

  @Test
  @DisplayName(
      "RFC 6582 §3.2 step 3: a partial ACK retransmits the next unacknowledged segment and deflates cwnd: 11680 − 2920 + SMSS = 10220")
  void partialAckRetransmitsNextSegment() {
    TcbHarness h = inFastRecovery(5_400);
    h.send(at(50), ackOf(2 * MSS));
    h.expectSegment(segment(3));
    h.expectNothing(); // 11680 in flight > 10220
    assertWindow(h, 10_220, 7_300);
    // 20000 bytes were written in all; 2920 of them are now acknowledged.
    h.expectEvent(new TcbEvent.DataAcknowledged(2 * MSS, WINDOW - 20_000 + 2 * MSS));
  }

  @Test
  @DisplayName(
      "RFC 6582 §3.2 step 3: a partial ACK of less than SMSS deflates cwnd by that amount without adding SMSS back: 11680 − 1000")
  void partialAckBelowSmss() {
    TcbHarness h = inFastRecovery(5_400);
    h.send(at(50), ackOf(1_000));
    h.expectSegment(data(1_000, MSS, ACK));
    h.expectNothing();
    assertWindow(h, 10_680, 7_300);
  }

  @Test
  @DisplayName("RFC 6582 §3.2 step 3: only the first partial ACK resets the retransmission timer")
  void onlyFirstPartialAckResetsTimer() {
    TcbHarness h = inFastRecovery(5_400);
    assertEquals(
        at(200), h.tcb.timers().deadline(Kind.RETRANSMIT)); // untouched by the fast retransmit
    h.send(at(50), ackOf(2 * MSS));
    h.expectSegment(segment(3));
    assertEquals(at(250), h.tcb.timers().deadline(Kind.RETRANSMIT));
    h.send(at(100), ackOf(4 * MSS)); // second partial ACK: 10220 − 2920 + 1460
    h.expectSegment(segment(5));
    h.expectNothing();
    assertWindow(h, 8_760, 7_300);
    assertEquals(at(250), h.tcb.timers().deadline(Kind.RETRANSMIT));
  }

  @Test
  @DisplayName(
      "RFC 6582 §3.2 step 3: a full ACK (beyond recover) ends recovery with cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS) = 2920 when nothing is outstanding")
  void fullAckEndsRecovery() {
    TcbHarness h = inFastRecovery(0);
    h.send(at(50), ackOf(IW));
    assertWindow(h, 2 * MSS, 7_300);
    assertFalse(h.tcb.timers().isArmed(Kind.RETRANSMIT));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 6582 §3.2 step 3: the full ACK with 2920 bytes sent during recovery still out gives cwnd = 2920 + SMSS = 4380, and one more segment goes")
  void fullAckWithDataOutstanding() {
    TcbHarness h = inFastRecovery(5_400);
    for (int i = 0; i < 4; i++) { // duplicates 4–7 release segments 11 and 12
      h.send(at(13 + i), ackOf(0));
    }
    h.clear();
    h.send(at(50), ackOf(IW));
    assertWindow(h, 4_380, 7_300);
    h.expectSegment(segment(13));
    h.expectNothing(); // 1020 bytes left and the window full
  }

  @Test
  @DisplayName(
      "RFC 6582 §3.2 step 3: the full ACK sets cwnd = ssthresh when FlightSize + SMSS exceeds it")
  void fullAckCappedAtSsthresh() {
    TcbHarness h = inFastRecovery(15_400); // 30000 written in all
    for (int i = 0; i < 9; i++) { // duplicates 4–12 release segments 11 to 17
      h.send(at(13 + i), ackOf(0));
    }
    assertWindow(h, 24_820, 7_300);
    h.clear();
    h.send(at(50), ackOf(IW)); // 10220 still in flight
    assertWindow(h, 7_300, 7_300);
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 6582 §3.2 step 2: after recovery, three duplicates of an ACK covering more than the old recover (one segment past the old SND.MAX) trigger a new fast retransmit")
  void newFastRetransmitAfterRecovery() {
    TcbHarness h = inFastRecovery(4 * MSS);
    h.send(at(50), ackOf(IW)); // full ACK: cwnd = min(7300, 1460 + 1460)
    h.expectSegment(segment(11));
    h.expectSegment(segment(12));
    h.expectNothing();
    h.send(at(55), ackOf(IW + MSS)); // slow start: cwnd 4380, segment 12 in flight
    h.expectSegment(segment(13));
    h.expectSegment(data(13 * MSS, MSS, ACK | PSH));
    h.expectNothing();
    // Duplicates exactly at the old SND.MAX would not do (TcbRecoverPointTest); these cover more.
    for (int i = 0; i < 3; i++) {
      h.send(at(60 + i), ackOf(IW + MSS));
    }
    h.expectSegment(segment(12));
    h.expectNothing();
    // FlightSize 4380: ssthresh = max(4380 / 2, 2·1460) = 2920; cwnd = 2920 + 3·1460
    assertWindow(h, 7_300, 2 * MSS);
    assertEquals(2, h.tcb.stats().fastRetransmits());
  }

  @Test
  @DisplayName(
      "RFC 6582 §3.2 steps 2, 4: after an RTO, duplicate ACKs that do not cover recover start no fast retransmit")
  void noFastRetransmitBelowRecoverAfterRto() {
    TcbHarness h = tenSegmentsInFlight(IW);
    h.tick(at(200));
    h.expectSegment(segment(1));
    for (int i = 0; i < 3; i++) {
      h.send(at(250 + i), ackOf(0));
    }
    h.expectNothing();
    assertEquals(0, h.tcb.stats().fastRetransmits());
    assertWindow(h, MSS, 7_300);
  }

  // ------------------------------------------------------------------ timeout

  @Test
  @DisplayName(
      "RFC 5681 §3.1: on RTO ssthresh = max(FlightSize/2, 2·SMSS) = 7300, cwnd = 1 SMSS; one segment goes, the next two only after its ACK")
  void rtoCollapsesWindow() {
    TcbHarness h = tenSegmentsInFlight(20_000);
    h.tick(at(200));
    h.expectSegment(segment(1));
    h.expectNothing();
    assertWindow(h, MSS, 7_300);
    h.send(at(250), ackOf(MSS)); // slow start: 1460 + 1460
    assertWindow(h, 2 * MSS, 7_300);
    h.expectSegment(segment(2));
    h.expectSegment(segment(3));
    h.expectNothing();
    TcbStats stats = h.tcb.stats();
    assertEquals(1, stats.timeouts());
    assertEquals(3, stats.retransmittedSegments());
    assertEquals(IW, stats.bytesSent());
  }

  @Test
  @DisplayName(
      "RFC 5681 §3.1, go-back-N: an ACK beyond the rewound SND.NXT skips what the peer already has; only new data follows")
  void rtoAckBeyondRewoundSndNxt() {
    TcbHarness h = tenSegmentsInFlight(20_000);
    h.tick(at(200));
    h.expectSegment(segment(1));
    h.send(at(250), ackOf(IW)); // the peer had segments 2–10
    assertWindow(h, 2 * MSS, 7_300);
    h.expectSegment(segment(11));
    h.expectSegment(segment(12));
    h.expectNothing();
    assertEquals(1, h.tcb.stats().retransmittedSegments());
  }

  @Test
  @DisplayName(
      "RFC 5681 §3.1, RFC 6582 §3.2 step 4: an RTO during fast recovery ends it: cwnd = 1 SMSS, one segment")
  void rtoDuringFastRecovery() {
    TcbHarness h = inFastRecovery(5_400);
    h.tick(at(200));
    h.expectSegment(segment(1));
    h.expectNothing();
    assertWindow(h, MSS, 7_300);
    h.send(at(250), ackOf(0)); // no longer in recovery: a duplicate does not inflate
    h.expectNothing();
    assertWindow(h, MSS, 7_300);
  }

  // ------------------------------------------------------------------ what a duplicate is

  @Test
  @DisplayName(
      "RFC 5681 §2 (e): an ACK that changes the window is not a duplicate; one that repeats the new window is")
  void windowChangeIsNotDuplicate() {
    TcbHarness h = tenSegmentsInFlight(IW);
    h.send(at(10), ackOf(0));
    h.send(at(11), ackOf(0));
    h.send(at(12), ackOf(0).window(63_000));
    h.expectNothing();
    assertEquals(0, h.tcb.stats().fastRetransmits());
    h.send(at(13), ackOf(0).window(63_000)); // the third duplicate (RFC 5681 §3.2)
    h.expectSegment(segment(1));
    assertEquals(1, h.tcb.stats().fastRetransmits());
  }

  @Test
  @DisplayName("RFC 5681 §2 (b): a segment carrying data is not a duplicate ACK")
  void dataSegmentIsNotDuplicate() {
    TcbHarness h = tenSegmentsInFlight(IW);
    h.send(at(10), ackOf(0));
    h.send(at(11), ackOf(0));
    h.send(at(12), ackOf(0).payload("x"));
    h.expectNothing(); // the data's ACK is delayed; no retransmission
    assertEquals(0, h.tcb.stats().fastRetransmits());
    assertWindow(h, IW, Integer.MAX_VALUE);
  }

  @Test
  @DisplayName("RFC 5681 §2 (c): a segment with FIN is not a duplicate ACK")
  void finIsNotDuplicate() {
    TcbHarness h = tenSegmentsInFlight(IW);
    h.send(at(10), ackOf(0));
    h.send(at(11), ackOf(0));
    h.send(at(12), ackOf(0).flags(ACK | FIN));
    // Only the ACK of the FIN (the right edge stays, so the window reads one less).
    h.expectSegment(out().seq(LOCAL_SEQ + IW).ack(REMOTE_SEQ + 1).window(WINDOW - 1));
    h.expectNothing();
    assertEquals(0, h.tcb.stats().fastRetransmits());
  }

  @Test
  @DisplayName(
      "RFC 5681 §2 (a): with no data outstanding, repeated ACKs are not duplicates: cwnd and ssthresh stay")
  void noOutstandingDataNoDuplicate() {
    TcbHarness h = tenSegmentsInFlight(IW);
    h.send(at(50), ackOf(IW));
    assertWindow(h, IW + MSS, Integer.MAX_VALUE);
    for (int i = 0; i < 4; i++) {
      h.send(at(60 + i), ackOf(IW));
    }
    h.expectNothing();
    assertWindow(h, IW + MSS, Integer.MAX_VALUE);
    assertEquals(0, h.tcb.stats().fastRetransmits());
  }

  @Test
  @DisplayName("RFC 5681 §2 (d): an ACK below SND.UNA is not a duplicate")
  void oldAckIsNotDuplicate() {
    TcbHarness h = tenSegmentsInFlight(IW);
    h.send(at(50), ackOf(MSS));
    for (int i = 0; i < 3; i++) {
      h.send(at(60 + i), ackOf(0));
    }
    h.expectNothing();
    assertEquals(0, h.tcb.stats().fastRetransmits());
  }

  @Test
  @DisplayName(
      "RFC 5681 §3.2: duplicates count only without an intervening ACK that moves SND.UNA: 2 + new ACK + 2 is no loss, the next one is")
  void newAckResetsDuplicateCount() {
    TcbHarness h = tenSegmentsInFlight(IW);
    h.send(at(10), ackOf(0));
    h.send(at(11), ackOf(0));
    h.send(at(12), ackOf(MSS));
    h.send(at(13), ackOf(MSS));
    h.send(at(14), ackOf(MSS));
    h.expectNothing();
    h.send(at(15), ackOf(MSS));
    h.expectSegment(segment(2));
    h.expectNothing();
    // FlightSize = 14600 − 1460 = 13140: ssthresh 6570, cwnd 6570 + 4380
    assertWindow(h, 10_950, 6_570);
  }

  @Test
  @DisplayName(
      "RFC 5681 §3.2 step 1 (RFC 3042 limited transmit): the first and second duplicate ACKs each send one new segment, cwnd unchanged; the third retransmits with ssthresh from FlightSize without them")
  void limitedTransmit() {
    TcbHarness h = tenSegmentsInFlight(20_000);
    h.send(at(10), ackOf(0));
    h.expectSegment(segment(11));
    h.expectNothing();
    h.send(at(11), ackOf(0));
    h.expectSegment(segment(12));
    h.expectNothing();
    assertWindow(h, IW, Integer.MAX_VALUE);
    h.send(at(12), ackOf(0));
    h.expectSegment(segment(1));
    h.expectNothing();
    // ssthresh = max(14600 / 2, 2·1460): the two limited-transmit segments are not counted.
    assertWindow(h, 11_680, 7_300);
  }
}
