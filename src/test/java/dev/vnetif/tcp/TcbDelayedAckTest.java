package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_SEQ;
import static dev.vnetif.tcp.TcbHarness.MS;
import static dev.vnetif.tcp.TcbHarness.MSS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_SEQ;
import static dev.vnetif.tcp.TcbHarness.WINDOW;
import static dev.vnetif.tcp.TcbHarness.at;
import static dev.vnetif.tcp.TcbHarness.out;
import static dev.vnetif.tcp.TcbHarness.pattern;
import static dev.vnetif.tcp.TcbHarness.seg;
import static dev.vnetif.wire.TcpSegment.ACK;
import static dev.vnetif.wire.TcpSegment.FIN;
import static dev.vnetif.wire.TcpSegment.PSH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Delayed ACK (RFC 1122 §4.2.3.2, RFC 9293 §3.8.6.3, RFC 5681 §4.2): an ACK for in-order data may
 * wait up to the configured delay (40 ms in the fixture), but not past the second full-sized
 * segment; out-of-order data and hole fills are acknowledged at once; any segment we send carries
 * the ACK and makes the timer moot.
 */
class TcbDelayedAckTest {

  /** {@code n} bytes of the peer's stream at offset {@code offset}. */
  private static TcbHarness.SegmentBuilder data(int offset, int n) {
    return seg().seq(REMOTE_SEQ + offset).ack(LOCAL_SEQ).payload(pattern(offset, n));
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.2: one in-order segment is ACKed when the 40 ms delay ends, not a millisecond earlier")
  void singleSegmentAckedAfterDelay() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), data(0, 100));
    h.expectNothing();
    assertEquals(at(50), h.tcb.timers().deadline(TcbTimers.Kind.DELAYED_ACK));
    h.tick(at(49));
    h.expectNothing();
    h.tick(at(50));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 100).window(WINDOW - 100));
    h.expectNothing();
    h.tick(at(10_000));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.2: a second small segment does not restart the timer; the ACK is due 40 ms after the first")
  void laterSegmentsDoNotPostponeTheAck() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), data(0, 100));
    h.send(at(30), data(100, 100));
    h.tick(at(49));
    h.expectNothing();
    h.tick(at(50));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 200).window(WINDOW - 200));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.2, RFC 5681 §4.2: the second full-sized segment is ACKed at once and the timer is cancelled")
  void secondFullSegmentAckedAtOnce() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), data(0, MSS));
    h.expectNothing();
    h.send(at(11), data(MSS, MSS));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 2 * MSS).window(WINDOW - 2 * MSS));
    assertFalse(h.tcb.timers().isArmed(TcbTimers.Kind.DELAYED_ACK));
    h.tick(at(1_000));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.2: after an immediate ACK of two full segments, the third waits for its own 40 ms")
  void countRestartsAfterEachAck() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), data(0, MSS));
    h.send(at(11), data(MSS, MSS));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 2 * MSS).window(WINDOW - 2 * MSS));
    h.send(at(12), data(2 * MSS, MSS));
    h.expectNothing();
    h.tick(at(51));
    h.expectNothing();
    h.tick(at(52));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 3 * MSS).window(WINDOW - 3 * MSS));
    h.send(at(60), data(3 * MSS, MSS));
    h.expectNothing();
    h.send(at(61), data(4 * MSS, MSS));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 5 * MSS).window(WINDOW - 5 * MSS));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 5681 §4.2: an out-of-order segment is ACKed at once, taking the pending delayed ACK with it")
  void outOfOrderSegmentAckedAtOnce() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), data(0, 100));
    h.expectNothing();
    h.send(at(20), data(200, 100));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 100).window(WINDOW - 100));
    assertFalse(h.tcb.timers().isArmed(TcbTimers.Kind.DELAYED_ACK));
    h.tick(at(1_000));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.2: a data segment we send carries the ACK and cancels the delayed-ACK timer")
  void outgoingDataCarriesTheAck() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), data(0, 100));
    h.tick(at(20));
    h.expectNothing();
    h.write("xyz");
    h.expectSegment(
        out()
            .flags(ACK | PSH)
            .seq(LOCAL_SEQ)
            .ack(REMOTE_SEQ + 100)
            .window(WINDOW - 100)
            .payload("xyz"));
    assertFalse(h.tcb.timers().isArmed(TcbTimers.Kind.DELAYED_ACK));
    h.tick(at(60));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.2: a window update sent because the reader consumed carries the ACK and cancels the timer")
  void windowUpdateCarriesTheAck() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), data(0, MSS));
    h.tick(at(20));
    h.tcb.consumed(MSS, h.now);
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + MSS).window(WINDOW));
    assertFalse(h.tcb.timers().isArmed(TcbTimers.Kind.DELAYED_ACK));
    h.tick(at(1_000));
    h.expectNothing();
  }

  @Test
  @DisplayName("RFC 9293 §3.10.7.4 eighth: a FIN is acknowledged at once, not after the delay")
  void finAckedAtOnce() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), data(0, 100).flags(ACK | FIN));
    h.expectEvent(new TcbEvent.DataReceived(pattern(0, 100)));
    h.expectEvent(TcbEvent.PEER_FINISHED);
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 101).window(WINDOW - 101));
    h.tick(at(1_000));
    h.expectNothing();
  }

  @Test
  @DisplayName("RFC 1122 §4.2.3.2: withDelayedAck(0) acknowledges every segment at once")
  void zeroDelayAcksEverySegment() {
    TcbHarness h = TcbHarness.established(TcbHarness.config().withDelayedAck(0));
    h.send(at(10), data(0, 100));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 100).window(WINDOW - 100));
    h.send(at(11), data(100, 1));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 101).window(WINDOW - 101));
    h.send(at(12), data(101, MSS));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 101 + MSS).window(WINDOW - 101 - MSS));
    assertFalse(h.tcb.timers().isArmed(TcbTimers.Kind.DELAYED_ACK));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.2: the delay MUST be less than 0.5 s; 500 ms is refused, 499 ms accepted")
  void delayMustBeUnderHalfASecond() {
    assertThrows(
        IllegalArgumentException.class, () -> TcbHarness.config().withDelayedAck(500 * MS));
    TcbHarness h = TcbHarness.established(TcbHarness.config().withDelayedAck(499 * MS));
    h.send(at(10), data(0, 100));
    h.tick(at(508));
    h.expectNothing();
    h.tick(at(509));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 100).window(WINDOW - 100));
  }
}
