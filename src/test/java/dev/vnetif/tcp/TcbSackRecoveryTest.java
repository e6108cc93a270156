package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_SEQ;
import static dev.vnetif.tcp.TcbHarness.MSS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_ISS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_SEQ;
import static dev.vnetif.tcp.TcbHarness.at;
import static dev.vnetif.tcp.TcbHarness.out;
import static dev.vnetif.tcp.TcbHarness.pattern;
import static dev.vnetif.tcp.TcbHarness.seg;
import static dev.vnetif.wire.TcpSegment.ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vnetif.tcp.TcbHarness.SegmentBuilder;
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Fast recovery with SACK (RFC 6675 §4–5 over RFC 6582): ten segments in flight, segments 0, 3 and
 * 6 lost, the peer's duplicate ACKs carrying SACK blocks as each later segment arrives. With SACK
 * every hole is retransmitted within the first round trip, as soon as DupThresh SACKed segments lie
 * above it and the pipe leaves room under ssthresh; without, NewReno repairs one hole per round
 * trip. NewReno's arithmetic is pinned so the window figures are exact.
 */
class TcbSackRecoveryTest {
  static final int IW = 10 * MSS;

  static TcpConfig config(boolean sack) {
    return TcbHarness.config().toBuilder()
        .sack(sack)
        .congestionControl(CongestionControlFactory.NEW_RENO)
        .lossDetection(LossDetection.DUP_ACK)
        .build();
  }

  /** ESTABLISHED with SACK-permitted exchanged (or not); ten segments written and sent. */
  static TcbHarness tenSegmentsInFlight(boolean sack) {
    TcbHarness h = TcbHarness.synSent(config(sack));
    TcpOptions options = TcpOptions.NONE.withMss(MSS);
    h.send(
        h.now,
        seg()
            .flags(TcpSegment.SYN | TcpSegment.ACK)
            .seq(REMOTE_ISS)
            .ack(LOCAL_SEQ)
            .options(sack ? options.withSackPermitted() : options));
    h.write(pattern(0, IW), false);
    h.clear();
    return h;
  }

  /** Our segment number {@code n} (from 0), resent. */
  static SegmentBuilder segment(int n) {
    return out().seq(LOCAL_SEQ + n * MSS).ack(REMOTE_SEQ).flags(ACK).payload(pattern(n * MSS, MSS));
  }

  /** The peer's duplicate ACK of nothing, SACKing segments given as [from, to) pairs. */
  static SegmentBuilder dupAck(int... segmentEdges) {
    int[] edges = new int[segmentEdges.length];
    for (int i = 0; i < edges.length; i++) {
      edges[i] = LOCAL_SEQ + segmentEdges[i] * MSS;
    }
    SegmentBuilder ack = seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ);
    return edges.length == 0 ? ack : ack.sack(edges);
  }

  @Test
  @DisplayName(
      "RFC 6675 §4–5 (DupThresh): with SACK, the holes at segments 3 and 6 are retransmitted in the first round trip, by IsLost and NextSeg rule 3")
  void everyHoleGoesInTheFirstRoundTrip() {
    TcbHarness h = tenSegmentsInFlight(true);
    h.send(at(10), dupAck(1, 2)); // segment 1 arrived
    h.send(at(11), dupAck(1, 3));
    h.expectNothing();
    h.send(at(12), dupAck(4, 5, 1, 3)); // third duplicate: fast retransmit of segment 0
    h.expectSegment(segment(0));
    h.expectNothing(); // segment 3 has one SACKed segment above it: not lost yet
    h.send(at(13), dupAck(4, 6, 1, 3));
    h.expectNothing(); // two above it, 2920 bytes: not more than (DupThresh - 1) * SMSS
    h.send(at(14), dupAck(7, 8, 4, 6, 1, 3));
    h.expectSegment(segment(3)); // three above: lost; pipe 5840 leaves 1460 under ssthresh 7300
    h.expectNothing();
    h.send(at(15), dupAck(7, 9, 4, 6, 1, 3));
    // Segment 6 has two SACKed segments above it, not yet lost; but the pipe (segments 6 and 9
    // and the two retransmissions) leaves one MSS, there is no new data, and NextSeg rule 3 sends
    // the first un-SACKed segment above HighRxt with SACKed data above it.
    h.expectSegment(segment(6));
    h.expectNothing();
    h.send(at(16), dupAck(7, 10, 4, 6, 1, 3));
    h.expectNothing(); // segment 6 is lost now, but its retransmission is in flight
    assertEquals(3, h.tcb.stats().retransmittedSegments());
    assertEquals(1, h.tcb.stats().fastRetransmits());

    // The retransmissions arrive: one ACK covers everything, recovery ends, nothing more is sent.
    h.send(at(30), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + IW));
    h.expectNothing();
    assertEquals(3, h.tcb.stats().retransmittedSegments(), "no segment was sent twice");
  }

  @Test
  @DisplayName(
      "RFC 6675 §5 step (2) (gVisor TestRecoveryEntry): one ACK whose SACK blocks put three segments above SND.UNA starts recovery before three duplicate ACKs")
  void sackBlocksAloneStartRecovery() {
    TcbHarness h = tenSegmentsInFlight(true);
    h.send(at(10), dupAck(1, 4)); // segments 1, 2 and 3 SACKed at once: segment 0 is lost
    h.expectSegment(segment(0));
    h.expectNothing();
    assertEquals(1, h.tcb.stats().fastRetransmits());
  }

  @Test
  @DisplayName(
      "RFC 6582 §3.2 without SACK: the same losses are repaired one per round trip, each after a partial ACK")
  void withoutSackOneHolePerRoundTrip() {
    TcbHarness h = tenSegmentsInFlight(false);
    for (int i = 0; i < 3; i++) {
      h.send(at(10 + i), dupAck());
    }
    h.expectSegment(segment(0));
    for (int i = 0; i < 4; i++) {
      h.send(at(13 + i), dupAck());
    }
    h.expectNothing(); // segments 3 and 6 wait
    h.send(at(30), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 3 * MSS)); // partial ACK
    h.expectSegment(segment(3));
    h.expectNothing();
    h.send(at(50), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 6 * MSS));
    h.expectSegment(segment(6));
  }
}
