package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_ISS;
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
import static dev.vnetif.wire.TcpSegment.PSH;
import static dev.vnetif.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Flow control: the window we advertise (RFC 9293 §3.8.6.2.2, receiver-side SWS avoidance of RFC
 * 1122 §4.2.3.3), the peer's window we honour, window scaling (RFC 7323 §2) and the maximum segment
 * size (RFC 9293 §3.7.1, RFC 6691).
 */
class TcbWindowTest {
  private static final int KIB_256 = 256 * 1024;

  /** {@code n} bytes of the peer's stream at offset {@code offset}. */
  private static TcbHarness.SegmentBuilder data(int offset, int n) {
    return seg().seq(REMOTE_SEQ + offset).ack(LOCAL_SEQ).payload(pattern(offset, n));
  }

  /** A SYN-ACK from the peer acknowledging our SYN. */
  private static TcbHarness.SegmentBuilder synAck() {
    return seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ);
  }

  /** The SYN an active open with {@code config} sends. */
  private static TcpSegment synFor(TcpConfig config) {
    TcbHarness h = new TcbHarness();
    h.tcb = Tcb.connect(config, TcbHarness.LOCAL_PORT, TcbHarness.REMOTE_PORT, LOCAL_ISS, h, h.now);
    return h.nextSegment();
  }

  /** Expects {@code n} bytes of our stream from offset {@code offset}, one MSS-or-less segment. */
  private static void expectData(TcbHarness h, int offset, int n, int flags, int window) {
    h.expectSegment(
        out()
            .flags(flags)
            .seq(LOCAL_SEQ + offset)
            .ack(REMOTE_SEQ)
            .window(window)
            .payload(pattern(offset, n)));
  }

  // ------------------------------------------------------------------ advertised window

  @Test
  @DisplayName(
      "RFC 9293 §3.8.6.2.2: the advertised window is the 64000-byte buffer minus bytes delivered and not consumed")
  void advertisedWindowIsBufferMinusUnconsumed() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), data(0, 1000));
    h.tick(at(50));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 1000).window(WINDOW - 1000));
    h.send(at(60), data(1000, 500));
    h.tick(at(100));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 1500).window(WINDOW - 1500));
    assertEquals(WINDOW - 1500, h.tcb.stats().receiveWindow());
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.3: consuming opens the window, but the update is sent only once the edge moves by min(buffer/2, MSS) = 1460")
  void windowUpdateThresholdIsMss() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), data(0, MSS));
    h.send(at(11), data(MSS, MSS));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 2 * MSS).window(WINDOW - 2 * MSS));
    h.tcb.consumed(MSS - 1, at(20));
    h.expectNothing();
    h.tcb.consumed(1, at(21));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 2 * MSS).window(WINDOW - MSS));
    h.tcb.consumed(MSS - 1, at(22));
    h.expectNothing();
    h.tcb.consumed(1, at(23));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 2 * MSS).window(WINDOW));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.3: with a 2000-byte buffer the update threshold is buffer/2 = 1000 bytes")
  void windowUpdateThresholdIsHalfTheBuffer() {
    TcbHarness h = TcbHarness.established(TcbHarness.config().withBuffers(2000, WINDOW));
    h.send(at(10), data(0, 1500));
    h.tick(at(50));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 1500).window(500));
    h.tcb.consumed(999, at(60));
    h.expectNothing();
    h.tcb.consumed(1, at(61));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 1500).window(1500));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.3: space freed below the threshold is not offered in later ACKs either; the right edge stays")
  void smallConsumptionNotAdvertised() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), data(0, MSS));
    h.send(at(11), data(MSS, MSS));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 2920).window(WINDOW - 2920));
    h.tcb.consumed(1000, at(20));
    h.expectNothing();
    h.send(at(30), data(2920, 100));
    h.tick(at(70));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 3020).window(WINDOW - 3020));
    // 1460 bytes consumed in all: the edge may move now, to everything free.
    h.tcb.consumed(460, at(80));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 3020).window(WINDOW - 3020 + 1460));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.8.6.2.2: while nothing is consumed every ACK keeps RCV.NXT+RCV.WND where it was, down to a zero window")
  void rightEdgeNeverMovesLeft() {
    TcbHarness h = TcbHarness.established(TcbHarness.config().withDelayedAck(0));
    int[] sizes = {1, 7, 100, MSS, 999, MSS, 3};
    int offset = 0;
    int i = 0;
    while (offset < WINDOW) {
      int n = Math.min(sizes[i++ % sizes.length], WINDOW - offset);
      h.send(at(10 + i), data(offset, n));
      offset += n;
      TcpSegment ack = h.nextSegment();
      assertEquals(REMOTE_SEQ + offset, ack.ack());
      assertEquals(REMOTE_SEQ + WINDOW, ack.ack() + ack.window(), "right edge after " + offset);
    }
    h.expectNothing();
    h.send(at(1_000), data(WINDOW, 1));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + WINDOW).window(0));
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.8.6.2.2, mirage-tcpip#340: a zero window reopened by the reader is announced at once by a window update")
  void zeroWindowReopenedByReader() {
    TcbHarness h = TcbHarness.established(TcbHarness.config().withBuffers(2000, WINDOW));
    h.send(at(10), data(0, 1000));
    h.send(at(20), data(1000, 1000));
    h.tick(at(50));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 2000).window(0));
    h.tcb.consumed(999, at(100));
    h.expectNothing();
    h.tcb.consumed(1, at(200));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 2000).window(1000));
    h.clear();
    h.send(at(210), data(2000, 1000));
    h.expectEvent(new TcbEvent.DataReceived(pattern(2000, 1000)));
    h.expectNothing();
  }

  // ------------------------------------------------------------------ window scaling

  @Test
  @DisplayName(
      "RFC 7323 §2.3: the shift is the least that fits the receive buffer in 16 bits: 64000→0, 65535→0, 65536→1, 256 KiB→3, 1 MiB→5, 1 GiB→14")
  void windowScaleDerivedFromBuffer() {
    int[][] cases = {
      {64_000, 0}, {65_535, 0}, {65_536, 1}, {KIB_256, 3}, {1 << 20, 5}, {1 << 30, 14}
    };
    for (int[] c : cases) {
      TcpSegment syn = synFor(TcbHarness.config().withBuffers(c[0], WINDOW));
      assertEquals(
          TcpOptions.NONE.withMss(MSS).withWindowScale(c[1]),
          syn.options(),
          "options for a buffer of " + c[0]);
      // RFC 7323 §2.2: the SYN's own window is never scaled.
      assertEquals(Math.min(c[0], 0xFFFF), syn.window(), "SYN window for a buffer of " + c[0]);
    }
  }

  @Test
  @DisplayName("RFC 7323 §2.2: with windowScaling off our SYN carries no window scale option")
  void windowScaleNotOfferedWhenDisabled() {
    TcpSegment syn =
        synFor(TcbHarness.config().withBuffers(KIB_256, WINDOW).withWindowScaling(false));
    assertEquals(TcpOptions.NONE.withMss(MSS), syn.options());
    assertEquals(0xFFFF, syn.window());
  }

  @Test
  @DisplayName(
      "RFC 7323 §2.2–2.3: both SYNs carry the option → our windows are sent >>3 and the peer's shift 7 makes field 100 mean 12800 bytes")
  void scalingUsedWhenBothOffer() {
    TcbHarness h = TcbHarness.synSent(TcbHarness.config().withBuffers(KIB_256, WINDOW));
    h.send(at(0), synAck().mss(MSS).windowScale(7).window(100));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ).window(KIB_256 >> 3));
    // The SYN-ACK's window field 100 is not scaled: 100 bytes may go.
    h.write(pattern(0, 12_900), true);
    expectData(h, 0, 100, ACK, KIB_256 >> 3);
    h.expectNothing();
    // A later ACK's field 100 is scaled by 2^7: 12800 bytes.
    h.send(at(10), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 100).window(100));
    for (int i = 0; i < 8; i++) {
      expectData(h, 100 + i * MSS, MSS, ACK, KIB_256 >> 3);
    }
    expectData(h, 100 + 8 * MSS, 12_800 - 8 * MSS, ACK | PSH, KIB_256 >> 3);
    h.expectNothing();
    assertEquals(12_800, h.tcb.stats().sendWindow());
    h.write(pattern(12_900, 1), true);
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 7323 §2.2: we offer, the peer does not → neither side scales; our field is capped at 65535")
  void noScalingWhenPeerDoesNotOffer() {
    TcbHarness h = TcbHarness.synSent(TcbHarness.config().withBuffers(KIB_256, WINDOW));
    h.send(at(0), synAck().mss(MSS).window(100));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ).window(0xFFFF));
    h.write(pattern(0, 300), true);
    expectData(h, 0, 100, ACK, 0xFFFF);
    h.expectNothing();
    h.send(at(10), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 100).window(200));
    expectData(h, 100, 200, ACK | PSH, 0xFFFF);
    h.write(pattern(300, 1), true);
    h.expectNothing();
    assertEquals(200, h.tcb.stats().sendWindow());
  }

  @Test
  @DisplayName(
      "RFC 7323 §2.2: the window field of a SYN-ACK is not scaled even when the SYN-ACK carries a shift")
  void synAckWindowFieldNotScaled() {
    TcbHarness h = TcbHarness.synSent();
    h.send(at(0), synAck().mss(MSS).windowScale(2).window(1000));
    h.clear();
    h.write(pattern(0, 3000), true);
    expectData(h, 0, 1000, ACK, WINDOW);
    h.expectNothing();
    // The ACK's 1000 is scaled: 4000 bytes from SND.UNA.
    h.send(at(10), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 1000).window(1000));
    expectData(h, 1000, MSS, ACK, WINDOW);
    expectData(h, 1000 + MSS, 2000 - MSS, ACK | PSH, WINDOW);
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 7323 §2.2: our SYN-ACK answers the peer's shift with ours and an unscaled window; later windows are scaled both ways")
  void passiveOpenScalesAfterTheSynAck() {
    TcbHarness h = TcbHarness.listen(TcbHarness.config().withBuffers(KIB_256, WINDOW));
    h.send(at(0), seg().flags(SYN).seq(REMOTE_ISS).mss(MSS).windowScale(2).window(1000));
    h.expectSegment(
        out()
            .flags(SYN | ACK)
            .seq(LOCAL_ISS)
            .ack(REMOTE_SEQ)
            .window(0xFFFF)
            .options(TcpOptions.NONE.withMss(MSS).withWindowScale(3)));
    h.send(at(1), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).window(1000));
    h.expectState(TcpState.ESTABLISHED);
    h.expectNothing();
    h.write(pattern(0, 4000), true);
    expectData(h, 0, MSS, ACK, KIB_256 >> 3);
    expectData(h, MSS, MSS, ACK, KIB_256 >> 3);
    expectData(h, 2 * MSS, 4000 - 2 * MSS, ACK | PSH, KIB_256 >> 3);
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 7323 §2.2: a SYN without the option gets a SYN-ACK without it, and no window is scaled")
  void passiveOpenWithoutPeerOffer() {
    TcbHarness h = TcbHarness.listen(TcbHarness.config().withBuffers(KIB_256, WINDOW));
    h.send(at(0), seg().flags(SYN).seq(REMOTE_ISS).mss(MSS).window(1000));
    h.expectSegment(
        out()
            .flags(SYN | ACK)
            .seq(LOCAL_ISS)
            .ack(REMOTE_SEQ)
            .window(0xFFFF)
            .options(TcpOptions.NONE.withMss(MSS)));
    h.send(at(1), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).window(1000));
    h.write(pattern(0, 5000), true);
    expectData(h, 0, 1000, ACK, 0xFFFF);
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 7323 §2.2: with windowScaling off a peer's offer is not taken up: no option in the SYN-ACK, windows unscaled")
  void passiveOpenWithScalingDisabled() {
    TcbHarness h =
        TcbHarness.listen(
            TcbHarness.config().withBuffers(KIB_256, WINDOW).withWindowScaling(false));
    h.send(at(0), seg().flags(SYN).seq(REMOTE_ISS).mss(MSS).windowScale(7).window(100));
    h.expectSegment(
        out()
            .flags(SYN | ACK)
            .seq(LOCAL_ISS)
            .ack(REMOTE_SEQ)
            .window(0xFFFF)
            .options(TcpOptions.NONE.withMss(MSS)));
    h.send(at(1), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).window(100));
    h.write(pattern(0, 5000), true);
    expectData(h, 0, 100, ACK, 0xFFFF);
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 7323 §2.4: a window rounded down by the shift does not retract what we offered: text up to the old edge is kept")
  void scaledWindowRetractionHonoured() {
    TcbHarness h = TcbHarness.synSent(TcbHarness.config().withBuffers(KIB_256, WINDOW));
    h.send(at(0), synAck().mss(MSS).windowScale(0));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ).window(KIB_256 >> 3));
    h.send(at(10), data(0, 5));
    h.tick(at(50));
    // 262139 bytes free, sent as 32767 << 3 = 262136: the visible edge is 3 bytes short.
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 5).window(32_767));
    h.clear();
    // The 3 bytes right up to the edge offered before are still accepted (held).
    h.send(at(60), data(KIB_256 - 3, 3));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 5).window(32_767));
    int offset = 5;
    long delivered = 0;
    while (offset < KIB_256 - 3) {
      int n = Math.min(MSS, KIB_256 - 3 - offset);
      h.send(at(70), data(offset, n));
      offset += n;
    }
    TcbEvent.DataReceived last = null;
    for (TcbEvent e : h.events) {
      if (e instanceof TcbEvent.DataReceived d) {
        delivered += d.data().length();
        last = d;
      }
    }
    assertEquals(KIB_256 - 5, delivered);
    assertEquals(new TcbEvent.DataReceived(pattern(KIB_256 - 3, 3)), last);
    TcpSegment finalAck = h.segments.peekLast();
    assertEquals(REMOTE_SEQ + KIB_256, finalAck.ack());
    assertEquals(0, finalAck.window());
  }

  // ------------------------------------------------------------------ MSS

  @Test
  @DisplayName("RFC 9293 §3.7.1: no MSS option from the peer → send MSS 536; no segment is larger")
  void defaultSendMssWithoutOption() {
    TcbHarness h = TcbHarness.synSent();
    h.send(at(0), synAck());
    h.clear();
    assertEquals(536, h.tcb.stats().sendMss());
    h.write(pattern(0, 2000), true);
    expectData(h, 0, 536, ACK, WINDOW);
    expectData(h, 536, 536, ACK, WINDOW);
    expectData(h, 1072, 536, ACK, WINDOW);
    expectData(h, 1608, 392, ACK | PSH, WINDOW);
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.7.1, RFC 6691: our SYN advertises our MSS; send MSS = min(peer 1460, ours 1000)")
  void sendMssBoundedByOurs() {
    TcpConfig config = TcbHarness.config().withMss(1000);
    assertEquals(TcpOptions.NONE.withMss(1000).withWindowScale(0), synFor(config).options());
    TcbHarness h = TcbHarness.synSent(config);
    h.send(at(0), synAck().mss(1460));
    h.clear();
    assertEquals(1000, h.tcb.stats().sendMss());
    h.write(pattern(0, 2500), true);
    expectData(h, 0, 1000, ACK, WINDOW);
    expectData(h, 1000, 1000, ACK, WINDOW);
    expectData(h, 2000, 500, ACK | PSH, WINDOW);
    h.expectNothing();
  }

  @Test
  @DisplayName("RFC 9293 §3.7.1, RFC 6691: send MSS = min(peer 1200, ours 1460)")
  void sendMssBoundedByPeer() {
    TcbHarness h = TcbHarness.synSent();
    h.send(at(0), synAck().mss(1200));
    h.clear();
    assertEquals(1200, h.tcb.stats().sendMss());
    h.write(pattern(0, 3000), true);
    expectData(h, 0, 1200, ACK, WINDOW);
    expectData(h, 1200, 1200, ACK, WINDOW);
    expectData(h, 2400, 600, ACK | PSH, WINDOW);
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.7.1: on the passive side too, the send MSS comes from the peer's SYN (536 when it has none)")
  void passiveSideSendMss() {
    TcbHarness h = TcbHarness.listen();
    h.send(at(0), seg().flags(SYN).seq(REMOTE_ISS));
    h.send(at(1), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    h.clear();
    assertEquals(536, h.tcb.stats().sendMss());
    h.write(pattern(0, 1000), true);
    expectData(h, 0, 536, ACK, WINDOW);
    expectData(h, 536, 464, ACK | PSH, WINDOW);
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.7.1: over a long transfer no segment is larger than the effective send MSS (900)")
  void segmentsNeverExceedEffectiveMss() {
    TcbHarness h = TcbHarness.synSent();
    h.send(at(0), synAck().mss(900));
    h.clear();
    int total = 50_000;
    int written = h.write(pattern(0, total), false);
    assertEquals(total, written);
    int acked = 0;
    int sent = 0;
    long t = 1;
    while (acked < total) {
      TcpSegment s = h.segments.pollFirst();
      if (s == null) {
        // ACK everything sent so far; the window is the peer's full 64000.
        acked = sent;
        h.send(at(t++), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + acked));
        continue;
      }
      assertEquals(LOCAL_SEQ + sent, s.seq());
      int n = s.payload().length();
      assertEquals(Math.min(900, total - sent), n, "segment at offset " + sent);
      assertEquals(pattern(sent, n), s.payload());
      sent += n;
    }
    assertEquals(total, sent);
  }
}
