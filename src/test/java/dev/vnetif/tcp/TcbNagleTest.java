package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_SEQ;
import static dev.vnetif.tcp.TcbHarness.MSS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_ISS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_SEQ;
import static dev.vnetif.tcp.TcbHarness.WINDOW;
import static dev.vnetif.tcp.TcbHarness.at;
import static dev.vnetif.tcp.TcbHarness.config;
import static dev.vnetif.tcp.TcbHarness.out;
import static dev.vnetif.tcp.TcbHarness.pattern;
import static dev.vnetif.tcp.TcbHarness.seg;
import static dev.vnetif.wire.TcpSegment.ACK;
import static dev.vnetif.wire.TcpSegment.PSH;
import static dev.vnetif.wire.TcpSegment.SYN;

import dev.vnetif.tcp.TcbHarness.SegmentBuilder;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * When the sender holds small segments: Nagle's algorithm (RFC 896, RFC 1122 §4.2.3.4), the nodelay
 * bypass, PSH on the last queued byte, and sender-side silly window syndrome avoidance (RFC 1122
 * §4.2.3.4) against small peer windows.
 */
class TcbNagleTest {

  /** Active open whose peer offered a window of {@code window} bytes in its SYN-ACK. */
  private static TcbHarness establishedWithPeerWindow(int window) {
    TcbHarness h = TcbHarness.synSent();
    h.send(seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(MSS).window(window));
    h.clear();
    return h;
  }

  /** Our segment with {@code text}, {@code offset} bytes into what the user wrote. */
  private static SegmentBuilder text(int offset, String text, int flags) {
    return out().seq(LOCAL_SEQ + offset).ack(REMOTE_SEQ).flags(flags).payload(text);
  }

  /** Our segment carrying bytes [offset, offset + length) of the pattern the user wrote. */
  private static SegmentBuilder data(int offset, int length, int flags) {
    return out()
        .seq(LOCAL_SEQ + offset)
        .ack(REMOTE_SEQ)
        .flags(flags)
        .payload(pattern(offset, length));
  }

  /** The peer's pure ACK of the first {@code bytes} bytes we wrote. */
  private static SegmentBuilder ackOf(int bytes) {
    return seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + bytes);
  }

  private static ByteString bytes(String text) {
    return ByteString.fromString(text);
  }

  // ------------------------------------------------------------------ Nagle

  @Test
  @DisplayName(
      "RFC 896, RFC 1122 §4.2.3.4: a small write with nothing in flight is sent at once, with PSH")
  void smallWriteSentWhenIdle() {
    TcbHarness h = TcbHarness.established();
    h.write("a");
    h.expectSegment(text(0, "a", ACK | PSH));
    h.expectNothing();
  }

  @Test
  @DisplayName("RFC 896: a second small write while the first is unacknowledged is held")
  void secondSmallWriteHeld() {
    TcbHarness h = TcbHarness.established();
    h.write("a");
    h.expectSegment(text(0, "a", ACK | PSH));
    h.tick(at(10));
    h.write("b");
    h.expectNothing();
    h.tick(at(150));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 896: the ACK of the outstanding data releases the held small writes as one coalesced segment with PSH")
  void ackReleasesCoalescedSegment() {
    TcbHarness h = TcbHarness.established();
    h.write("a");
    h.expectSegment(text(0, "a", ACK | PSH));
    h.write("b");
    h.write("c");
    h.write("d");
    h.expectNothing();
    h.send(at(50), ackOf(1));
    h.expectSegment(text(1, "bcd", ACK | PSH));
    h.expectNothing();
    h.expectEvent(new TcbEvent.DataAcknowledged(1, WINDOW - 3));
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.4: data written with nodelay bypasses Nagle and goes out while other data is in flight")
  void nodelayBypassesNagle() {
    TcbHarness h = TcbHarness.established();
    h.write("a");
    h.expectSegment(text(0, "a", ACK | PSH));
    h.write(bytes("b"), true);
    h.expectSegment(text(1, "b", ACK | PSH));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 896: nodelay covers only the data written with it; a later ordinary small write is held again")
  void nodelayOnlyForItsData() {
    TcbHarness h = TcbHarness.established();
    h.write("a");
    h.expectSegment(text(0, "a", ACK | PSH));
    h.write(bytes("b"), true);
    h.expectSegment(text(1, "b", ACK | PSH));
    h.write("c");
    h.expectNothing();
    h.send(at(50), ackOf(2));
    h.expectSegment(text(2, "c", ACK | PSH));
  }

  @Test
  @DisplayName("RFC 1122 §4.2.3.4: a nodelay write sends the held bytes before it along with it")
  void nodelayFlushesHeldData() {
    TcbHarness h = TcbHarness.established();
    h.write("a");
    h.expectSegment(text(0, "a", ACK | PSH));
    h.write("b");
    h.expectNothing();
    h.write(bytes("c"), true);
    h.expectSegment(text(1, "bc", ACK | PSH));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.4: with Nagle disabled by configuration every small write is sent at once")
  void nagleDisabled() {
    TcbHarness h = TcbHarness.established(config().withNagle(false));
    h.write("a");
    h.write("b");
    h.write("c");
    h.expectSegment(text(0, "a", ACK | PSH));
    h.expectSegment(text(1, "b", ACK | PSH));
    h.expectSegment(text(2, "c", ACK | PSH));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.4 (classic Nagle): a full-sized segment is never held; the small tail waits until everything is acknowledged")
  void fullSegmentsNeverHeld() {
    TcbHarness h = TcbHarness.established(config().withMinshallNagle(false));
    h.write("a");
    h.expectSegment(text(0, "a", ACK | PSH));
    h.write(pattern(1, MSS + 100), false);
    h.expectSegment(data(1, MSS, ACK));
    h.expectNothing();
    h.send(at(50), ackOf(1)); // the full segment is still unacknowledged
    h.expectNothing();
    h.send(at(60), ackOf(1 + MSS));
    h.expectSegment(data(1 + MSS, 100, ACK | PSH));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.9.1: PSH is set only on the segment that carries the last queued byte (2920 bytes: two segments)")
  void pshOnLastSegmentOnly() {
    TcbHarness h = TcbHarness.established();
    h.write(pattern(0, 2 * MSS), false);
    h.expectSegment(data(0, MSS, ACK));
    h.expectSegment(data(MSS, MSS, ACK | PSH));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 896 (classic Nagle): of 3000 bytes the two full segments go at once, the 80-byte tail (with PSH) only after they are acknowledged")
  void tailHeldUntilAllAcknowledged() {
    TcbHarness h = TcbHarness.established(config().withMinshallNagle(false));
    h.write(pattern(0, 3_000), false);
    h.expectSegment(data(0, MSS, ACK));
    h.expectSegment(data(MSS, MSS, ACK));
    h.expectNothing();
    h.send(at(40), ackOf(MSS));
    h.expectNothing();
    h.send(at(50), ackOf(2 * MSS));
    h.expectSegment(data(2 * MSS, 80, ACK | PSH));
    h.expectNothing();
  }

  // ------------------------------------------------------------------ Minshall's Nagle

  @Test
  @DisplayName(
      "draft-minshall-nagle: of 3000 bytes the two full segments and the 80-byte tail all go at once (no small segment in flight)")
  void minshallSendsTailAfterFullSegments() {
    TcbHarness h = TcbHarness.established();
    h.write(pattern(0, 3_000), false);
    h.expectSegment(data(0, MSS, ACK));
    h.expectSegment(data(MSS, MSS, ACK));
    h.expectSegment(data(2 * MSS, 80, ACK | PSH));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "draft-minshall-nagle: a small tail waits while an earlier small segment is unacknowledged, and goes on its ACK though a full segment is still in flight")
  void minshallHoldsOnlyBehindASmallSegment() {
    TcbHarness h = TcbHarness.established();
    h.write("a");
    h.expectSegment(text(0, "a", ACK | PSH));
    h.write(pattern(1, MSS + 100), false);
    h.expectSegment(data(1, MSS, ACK));
    h.expectNothing(); // the 100-byte tail: "a" is small and unacknowledged
    h.send(at(50), ackOf(1)); // "a" acknowledged; the full segment is still in flight
    h.expectSegment(data(1 + MSS, 100, ACK | PSH));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "draft-minshall-nagle: small writes behind a small unacknowledged segment are still coalesced, as RFC 896 asks")
  void minshallStillCoalescesSmallWrites() {
    TcbHarness h = TcbHarness.established();
    h.write("a");
    h.expectSegment(text(0, "a", ACK | PSH));
    h.write("b");
    h.write("c");
    h.expectNothing();
    h.send(at(50), ackOf(1));
    h.expectSegment(text(1, "bc", ACK | PSH));
    h.write("d");
    h.expectNothing(); // "bc" is small and in flight
    h.send(at(90), ackOf(3));
    h.expectSegment(text(3, "d", ACK | PSH));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "draft-minshall-nagle, RFC 6298 §5.4: after a timeout rewinds SND.NXT, the small tail sent before it is not \"in flight\": resent at once when the first segment's ACK empties the pipe")
  void minshallAfterGoBackN() {
    TcbHarness h = TcbHarness.established();
    h.write(pattern(0, MSS + 100), false);
    h.expectSegment(data(0, MSS, ACK));
    h.expectSegment(data(MSS, 100, ACK | PSH));
    h.expectNothing();
    h.tick(at(200)); // RTO (200 ms after the handshake sample): go back to SND.UNA
    h.expectSegment(data(0, MSS, ACK));
    h.expectNothing(); // cwnd is one segment
    h.send(at(210), ackOf(MSS)); // nothing in flight now, SND.NXT == SND.UNA
    h.expectSegment(data(MSS, 100, ACK | PSH));
    h.expectNothing();
  }

  // ------------------------------------------------------------------ sender SWS

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.4: a 1000-byte window (largest offered 64000) with 5000 bytes queued sends nothing at once; the override timeout (one RTO, 200 ms) sends 1000 bytes")
  void smallWindowWaitsForOverrideTimeout() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), ackOf(0).window(1_000));
    h.tick(at(20));
    h.write(pattern(0, 5_000), false);
    h.expectNothing();
    h.tick(at(220) - 1);
    h.expectNothing();
    h.tick(at(220));
    h.expectSegment(data(0, 1_000, ACK));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.4: nodelay (PUSH) does not send into a small window unless all queued data fits")
  void smallWindowNodelayStillHeld() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), ackOf(0).window(1_000));
    h.write(pattern(0, 5_000), true);
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.4: all queued data (500 bytes) fits the 1000-byte window and nothing is in flight: sent at once")
  void allQueuedDataFitsSmallWindow() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), ackOf(0).window(1_000));
    h.write(pattern(0, 500), false);
    h.expectSegment(data(0, 500, ACK | PSH));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.4: a window below one segment but at least half the largest ever offered (1000 of 2000) is used at once")
  void windowOfHalfTheMaximumIsUsed() {
    TcbHarness h = establishedWithPeerWindow(2_000);
    h.send(at(10), ackOf(0).window(1_000));
    h.write(pattern(0, 5_000), false);
    h.expectSegment(data(0, 1_000, ACK));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.4: a window below half the largest ever offered (999 of 2000) is not used at once")
  void windowBelowHalfTheMaximumWaits() {
    TcbHarness h = establishedWithPeerWindow(2_000);
    h.send(at(10), ackOf(0).window(999));
    h.write(pattern(0, 5_000), false);
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.8.6.2.1: the peer's window bounds what is in flight (3000: two segments); its ACK opens room for one more")
  void peerWindowLimitsFlight() {
    TcbHarness h = establishedWithPeerWindow(3_000);
    h.write(pattern(0, 5_000), false);
    h.expectSegment(data(0, MSS, ACK));
    h.expectSegment(data(MSS, MSS, ACK));
    h.expectNothing(); // 80 bytes of window left: not worth a segment
    h.send(at(50), ackOf(MSS).window(3_000));
    h.expectSegment(data(2 * MSS, MSS, ACK));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.4: once the window opens to a full segment the held data goes without waiting for the override timer")
  void windowUpdateReleasesHeldData() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), ackOf(0).window(1_000));
    h.tick(at(20));
    h.write(pattern(0, 5_000), false);
    h.expectNothing();
    h.send(at(30), ackOf(0).window(WINDOW));
    h.expectSegment(data(0, MSS, ACK));
    h.expectSegment(data(MSS, MSS, ACK));
    h.expectSegment(data(2 * MSS, MSS, ACK));
    // the 620-byte tail too: no small segment is in flight (Minshall's Nagle)
    h.expectSegment(data(3 * MSS, 5_000 - 3 * MSS, ACK | PSH));
    h.expectNothing();
  }
}
