package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_SEQ;
import static dev.vnetif.tcp.TcbHarness.MS;
import static dev.vnetif.tcp.TcbHarness.MSS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_ISS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_SEQ;
import static dev.vnetif.tcp.TcbHarness.at;
import static dev.vnetif.tcp.TcbHarness.config;
import static dev.vnetif.tcp.TcbHarness.out;
import static dev.vnetif.tcp.TcbHarness.pattern;
import static dev.vnetif.tcp.TcbHarness.seg;
import static dev.vnetif.wire.TcpSegment.ACK;
import static dev.vnetif.wire.TcpSegment.PSH;
import static dev.vnetif.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vnetif.tcp.TcbHarness.SegmentBuilder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Round-trip time measurement and the RTO computed from it (RFC 6298 §2, §3), observed through
 * {@link Tcb#stats()} after known ACK delays. Expected values are worked out in exact integer
 * nanoseconds (divisions truncate), as the estimator computes them: first sample SRTT = R, RTTVAR =
 * R/2; then RTTVAR = (3·RTTVAR + |SRTT − R|) / 4 with the old SRTT, SRTT = (7·SRTT + R) / 8; RTO =
 * SRTT + max(G = 1 ms, 4·RTTVAR) within [200 ms, 60 s].
 */
class TcbRttTest {

  /**
   * Active open whose SYN-ACK comes {@code rttMs} after the SYN, so the handshake gives the first
   * sample R = rttMs (the harness fixture answers at once and samples 0 ns).
   */
  private static TcbHarness establishedAfter(long rttMs) {
    TcbHarness h = TcbHarness.synSent(config());
    h.send(at(rttMs), seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(MSS));
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

  /** The peer's pure ACK of the first {@code bytes} bytes we wrote. */
  private static SegmentBuilder ackOf(int bytes) {
    return seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + bytes);
  }

  /** At {@code sendMs} the user writes {@code length} bytes from {@code offset}; sent at once. */
  private static void writeAt(TcbHarness h, long sendMs, int offset, int length, int flags) {
    h.tick(at(sendMs));
    h.write(pattern(offset, length), false);
    h.expectSegment(data(offset, length, flags));
    h.expectNothing();
  }

  private static void assertRtt(TcbHarness h, long srtt, long rttvar, long rto) {
    TcbStats stats = h.tcb.stats();
    assertEquals(srtt, stats.srttNanos(), "SRTT");
    assertEquals(rttvar, stats.rttvarNanos(), "RTTVAR");
    assertEquals(rto, stats.rtoNanos(), "RTO");
  }

  @Test
  @DisplayName("RFC 6298 §2.1: before any RTT sample the RTO is the initial 1 s")
  void initialRtoBeforeSample() {
    TcbHarness h = TcbHarness.synSent();
    assertRtt(h, 0, 0, 1_000 * MS);
  }

  @Test
  @DisplayName(
      "RFC 6298 §2.2: the handshake's round trip is the first sample: R = 100 ms gives SRTT 100 ms, RTTVAR 50 ms, RTO 300 ms")
  void handshakeGivesFirstSample() {
    TcbHarness h = establishedAfter(100);
    // SRTT = 100_000_000; RTTVAR = 100_000_000 / 2; RTO = 100_000_000 + 4 * 50_000_000.
    assertRtt(h, 100_000_000, 50_000_000, 300_000_000);
  }

  @Test
  @DisplayName(
      "RFC 6298 §2.2, §2.4: the fixture's 0 ns handshake sample gives SRTT = RTTVAR = 0 and RTO = max(G, 0) = 1 ms, clamped up to 200 ms")
  void zeroSampleClampedToMinimum() {
    TcbHarness h = TcbHarness.established();
    assertRtt(h, 0, 0, 200 * MS);
  }

  @Test
  @DisplayName(
      "RFC 6298 §2.2: RTO = SRTT + max(G, K·RTTVAR): with a 1 ms minimum a 0 ns sample leaves just G = 1 ms, and data is retransmitted 1 ms after it was sent")
  void clockGranularityIsTheFloorOfTheVarianceTerm() {
    TcbHarness h = TcbHarness.established(config().withRto(1_000 * MS, MS, 60_000 * MS));
    assertRtt(h, 0, 0, MS);
    h.write(pattern(0, 5), false);
    h.expectSegment(data(0, 5, ACK | PSH));
    h.tick(at(1) - 1);
    h.expectNothing();
    h.tick(at(1));
    h.expectSegment(data(0, 5, ACK | PSH));
  }

  @Test
  @DisplayName(
      "RFC 6298 §2.3: samples 100 (handshake), 120, 80, 200 ms give the exact SRTT, RTTVAR and RTO after each")
  void sequenceOfSamples() {
    TcbHarness h = establishedAfter(100);
    assertRtt(h, 100_000_000, 50_000_000, 300_000_000);

    writeAt(h, 200, 0, 100, ACK | PSH);
    h.send(at(320), ackOf(100)); // R = 120 ms
    // RTTVAR = (3 * 50_000_000 + |100_000_000 - 120_000_000|) / 4 = 170_000_000 / 4
    // SRTT = (7 * 100_000_000 + 120_000_000) / 8 = 820_000_000 / 8
    // RTO = 102_500_000 + 4 * 42_500_000
    assertRtt(h, 102_500_000, 42_500_000, 272_500_000);

    writeAt(h, 400, 100, 100, ACK | PSH);
    h.send(at(480), ackOf(200)); // R = 80 ms
    // RTTVAR = (3 * 42_500_000 + |102_500_000 - 80_000_000|) / 4 = 150_000_000 / 4
    // SRTT = (7 * 102_500_000 + 80_000_000) / 8 = 797_500_000 / 8
    // RTO = 99_687_500 + 4 * 37_500_000
    assertRtt(h, 99_687_500, 37_500_000, 249_687_500);

    writeAt(h, 600, 200, 100, ACK | PSH);
    h.send(at(800), ackOf(300)); // R = 200 ms
    // RTTVAR = (3 * 37_500_000 + |99_687_500 - 200_000_000|) / 4 = 212_812_500 / 4 = 53_203_125
    // SRTT = (7 * 99_687_500 + 200_000_000) / 8 = 897_812_500 / 8 = 112_226_562 (truncated)
    // RTO = 112_226_562 + 4 * 53_203_125 = 112_226_562 + 212_812_500
    assertRtt(h, 112_226_562, 53_203_125, 325_039_062);
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 6298 §2.4: a computed RTO below the minimum is raised to it: R = 10 ms gives 30 ms, used as 200 ms")
  void smallRttClampedToMinimum() {
    TcbHarness h = establishedAfter(10);
    assertRtt(h, 10_000_000, 5_000_000, 200 * MS);
    writeAt(h, 10, 0, 5, ACK | PSH);
    h.tick(at(210) - 1);
    h.expectNothing();
    h.tick(at(210));
    h.expectSegment(data(0, 5, ACK | PSH));
  }

  @Test
  @DisplayName("RFC 6298 §3 (Karn): the ACK of a retransmitted segment gives no RTT sample")
  void karnNoSampleFromRetransmission() {
    TcbHarness h = establishedAfter(100); // RTO 300 ms
    writeAt(h, 100, 0, 5, ACK | PSH);
    h.tick(at(400));
    h.expectSegment(data(0, 5, ACK | PSH));
    h.send(at(450), ackOf(5)); // 50 ms after the retransmission, 350 ms after the original
    assertRtt(h, 100_000_000, 50_000_000, 600_000_000); // unchanged, and still backed off
  }

  @Test
  @DisplayName(
      "RFC 6298 §5 (note after 5.7): the backed-off RTO is kept until a fresh segment is timed; its sample collapses it")
  void freshSampleCollapsesBackoff() {
    TcbHarness h = establishedAfter(100);
    writeAt(h, 100, 0, 5, ACK | PSH);
    h.tick(at(400));
    h.expectSegment(data(0, 5, ACK | PSH));
    h.send(at(450), ackOf(5));
    writeAt(h, 500, 5, 5, ACK | PSH);
    assertEquals(at(1_100), h.tcb.timers().deadline(TcbTimers.Kind.RETRANSMIT)); // 500 + 600
    h.send(at(560), ackOf(10)); // R = 60 ms
    // RTTVAR = (3 * 50_000_000 + 40_000_000) / 4; SRTT = (700_000_000 + 60_000_000) / 8
    assertRtt(h, 95_000_000, 47_500_000, 285_000_000);
  }

  @Test
  @DisplayName(
      "RFC 6298 §3: one segment is timed at a time: a segment sent while another is timed gives no sample")
  void oneSegmentTimedAtATime() {
    TcbHarness h = establishedAfter(100);
    writeAt(h, 100, 0, MSS, ACK | PSH); // timed
    writeAt(h, 150, MSS, MSS, ACK | PSH); // not timed
    h.send(at(200), ackOf(MSS)); // R = 100 ms
    // RTTVAR = (3 * 50_000_000 + 0) / 4; SRTT = (7 * 100_000_000 + 100_000_000) / 8
    assertRtt(h, 100_000_000, 37_500_000, 250_000_000);
    h.send(at(260), ackOf(2 * MSS)); // 110 ms after the second segment: not measured
    assertRtt(h, 100_000_000, 37_500_000, 250_000_000);
  }

  @Test
  @DisplayName(
      "RFC 6298 §3: a cumulative ACK covering the timed segment and later ones measures from the timed segment's send time")
  void cumulativeAckMeasuresTimedSegment() {
    TcbHarness h = establishedAfter(100);
    writeAt(h, 100, 0, MSS, ACK | PSH);
    writeAt(h, 150, MSS, MSS, ACK | PSH);
    h.send(at(230), ackOf(2 * MSS)); // R = 130 ms (from 100), not 80 ms (from 150)
    // RTTVAR = (3 * 50_000_000 + 30_000_000) / 4; SRTT = (700_000_000 + 130_000_000) / 8
    assertRtt(h, 103_750_000, 45_000_000, 283_750_000);
  }

  @Test
  @DisplayName(
      "RFC 6298 §3: after a sample the next new segment is timed, and only an ACK that covers it gives the next sample")
  void onlyAckCoveringTimedSegmentSamples() {
    TcbHarness h = establishedAfter(100);
    writeAt(h, 100, 0, MSS, ACK | PSH); // timed
    writeAt(h, 150, MSS, MSS, ACK | PSH); // not timed
    h.send(at(200), ackOf(MSS)); // R = 100 ms
    assertRtt(h, 100_000_000, 37_500_000, 250_000_000);
    writeAt(h, 250, 2 * MSS, MSS, ACK | PSH); // timed
    h.send(at(260), ackOf(2 * MSS)); // acknowledges up to, not into, the timed segment
    assertRtt(h, 100_000_000, 37_500_000, 250_000_000);
    h.send(at(330), ackOf(3 * MSS)); // R = 80 ms
    // RTTVAR = (3 * 37_500_000 + 20_000_000) / 4 = 132_500_000 / 4
    // SRTT = (7 * 100_000_000 + 80_000_000) / 8
    assertRtt(h, 97_500_000, 33_125_000, 230_000_000);
  }

  @Test
  @DisplayName(
      "RFC 6298 §3 (Karn), RFC 5681 §3.2: a fast-retransmitted segment is not timed either: the ACK after recovery gives no sample")
  void karnAfterFastRetransmit() {
    TcbHarness h = establishedAfter(100);
    h.write(pattern(0, 10 * MSS), false);
    h.clear();
    for (int i = 0; i < 3; i++) {
      h.send(at(150 + i), ackOf(0));
    }
    h.expectSegment(data(0, MSS, ACK));
    h.send(at(250), ackOf(10 * MSS));
    assertRtt(h, 100_000_000, 50_000_000, 300_000_000);
  }

  @Test
  @DisplayName(
      "RFC 6298 §3, §2.2: a handshake with a retransmitted SYN gives no sample, so the first data sample initialises SRTT = R, RTTVAR = R/2")
  void firstDataSampleAfterSynRetransmission() {
    TcbHarness h = TcbHarness.synSent();
    h.tick(at(1_000));
    h.send(at(1_100), seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(MSS));
    h.clear();
    assertEquals(0, h.tcb.stats().srttNanos());
    assertEquals(0, h.tcb.stats().rttvarNanos());
    writeAt(h, 1_100, 0, 5, ACK | PSH);
    h.send(at(1_180), ackOf(5)); // R = 80 ms
    assertRtt(h, 80_000_000, 40_000_000, 240_000_000);
  }
}
