package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_ISS;
import static dev.vnetif.tcp.TcbHarness.LOCAL_PORT;
import static dev.vnetif.tcp.TcbHarness.LOCAL_SEQ;
import static dev.vnetif.tcp.TcbHarness.MSS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_ISS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_PORT;
import static dev.vnetif.tcp.TcbHarness.REMOTE_SEQ;
import static dev.vnetif.tcp.TcbHarness.T0;
import static dev.vnetif.tcp.TcbHarness.WINDOW;
import static dev.vnetif.tcp.TcbHarness.at;
import static dev.vnetif.tcp.TcbHarness.out;
import static dev.vnetif.tcp.TcbHarness.pattern;
import static dev.vnetif.tcp.TcbHarness.seg;
import static dev.vnetif.wire.TcpSegment.ACK;
import static dev.vnetif.wire.TcpSegment.PSH;
import static dev.vnetif.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.wire.SackBlock;
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The SACK receiver (RFC 2018) and D-SACK (RFC 2883): SACK-permitted on SYN and SYN-ACK, the blocks
 * our ACKs carry and their order, the block limit beside timestamps, duplicates reported, and the
 * peer's blocks handed to the sender.
 */
class TcbSackTest {
  private static final int R = REMOTE_SEQ;

  private static TcpConfig sackOnly() {
    return TcbHarness.withTimestampsAndSack().withTimestamps(false);
  }

  /** Established at T0 with {@code config}; the peer's SYN-ACK offered SACK (and TS if given). */
  private static TcbHarness established(TcpConfig config, boolean peerTimestamps) {
    TcbHarness h = new TcbHarness();
    h.tcb = Tcb.connect(config, LOCAL_PORT, REMOTE_PORT, LOCAL_ISS, h, T0);
    TcbHarness.SegmentBuilder synAck =
        seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(MSS).sackOk();
    if (peerTimestamps) {
      synAck.ts(1, 1);
    }
    h.send(T0, synAck);
    h.clear();
    return h;
  }

  private static TcbHarness established() {
    return established(sackOnly(), false);
  }

  /** 100 bytes of the peer's data at {@code R + offset}. */
  private static TcbHarness.SegmentBuilder data(int offset) {
    return seg().seq(R + offset).ack(LOCAL_SEQ).payload(pattern(offset, 100));
  }

  private static TcpOptions blocks(int... edges) {
    List<SackBlock> list = new ArrayList<>();
    for (int i = 0; i < edges.length; i += 2) {
      list.add(new SackBlock(R + edges[i], R + edges[i + 1]));
    }
    return TcpOptions.NONE.withSackBlocks(list);
  }

  // ------------------------------------------------------------------ negotiation

  @Test
  @DisplayName("RFC 2018 §2: our SYN offers SACK-permitted; with TcpConfig.sack off it does not")
  void synOffersSackPermitted() {
    TcbHarness on = new TcbHarness();
    on.tcb = Tcb.connect(sackOnly(), LOCAL_PORT, REMOTE_PORT, LOCAL_ISS, on, T0);
    on.expectSegment(
        out()
            .flags(SYN)
            .seq(LOCAL_ISS)
            .ack(0)
            .options(TcpOptions.NONE.withMss(MSS).withSackPermitted().withWindowScale(0)));
    TcbHarness off = new TcbHarness();
    off.tcb = Tcb.connect(sackOnly().withSack(false), LOCAL_PORT, REMOTE_PORT, LOCAL_ISS, off, T0);
    off.expectSegment(
        out()
            .flags(SYN)
            .seq(LOCAL_ISS)
            .ack(0)
            .options(TcpOptions.NONE.withMss(MSS).withWindowScale(0)));
  }

  @Test
  @DisplayName(
      "RFC 2018 §2: the SYN-ACK carries SACK-permitted only if the SYN did (and our config allows it)")
  void synAckAnswersSackPermittedOnlyIfOffered() {
    TcbHarness offered = TcbHarness.listen(sackOnly());
    offered.send(at(0), seg().flags(SYN).seq(REMOTE_ISS).ack(0).mss(MSS).sackOk());
    offered.expectSegment(
        out()
            .flags(SYN | ACK)
            .seq(LOCAL_ISS)
            .ack(REMOTE_SEQ)
            .options(TcpOptions.NONE.withMss(MSS).withSackPermitted()));
    TcbHarness notOffered = TcbHarness.listen(sackOnly());
    notOffered.send(at(0), seg().flags(SYN).seq(REMOTE_ISS).ack(0).mss(MSS));
    notOffered.expectSegment(
        out()
            .flags(SYN | ACK)
            .seq(LOCAL_ISS)
            .ack(REMOTE_SEQ)
            .options(TcpOptions.NONE.withMss(MSS)));
    TcbHarness configOff = TcbHarness.listen(sackOnly().withSack(false));
    configOff.send(at(0), seg().flags(SYN).seq(REMOTE_ISS).ack(0).mss(MSS).sackOk());
    configOff.expectSegment(
        out()
            .flags(SYN | ACK)
            .seq(LOCAL_ISS)
            .ack(REMOTE_SEQ)
            .options(TcpOptions.NONE.withMss(MSS)));
  }

  @Test
  @DisplayName("RFC 2018 §2: without SACK negotiated, an ACK for out-of-order data has no blocks")
  void noBlocksWithoutSack() {
    TcbHarness peerDidNotOffer = new TcbHarness();
    peerDidNotOffer.tcb =
        Tcb.connect(sackOnly(), LOCAL_PORT, REMOTE_PORT, LOCAL_ISS, peerDidNotOffer, T0);
    peerDidNotOffer.send(T0, seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(MSS));
    peerDidNotOffer.clear();
    peerDidNotOffer.send(at(1), data(100));
    peerDidNotOffer.expectSegment(out().seq(LOCAL_SEQ).ack(R));

    TcbHarness weDidNotOffer = established(sackOnly().withSack(false), false);
    weDidNotOffer.send(at(1), data(100));
    weDidNotOffer.expectSegment(out().seq(LOCAL_SEQ).ack(R));
  }

  // ------------------------------------------------------------------ blocks and their order

  @Test
  @DisplayName(
      "RFC 2018 §4: the first block holds the most recently received segment, then the most recently reported others; blocks merge and go as holes fill")
  void blocksAreOrderedByRecency() {
    TcbHarness h = established();
    h.send(at(1), data(100));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(R).options(blocks(100, 200)));
    h.send(at(2), data(500));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(R).options(blocks(500, 600, 100, 200)));
    h.send(at(3), data(300));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(R).options(blocks(300, 400, 500, 600, 100, 200)));
    // 200..300 joins the first and third blocks: the merged block is now the most recent.
    h.send(at(4), data(200));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(R).options(blocks(100, 400, 500, 600)));
    // The first hole fills: RCV.NXT jumps to 400 and only 500..600 is left to report.
    h.send(at(5), data(0));
    h.expectSegment(
        out().seq(LOCAL_SEQ).ack(R + 400).window(WINDOW - 400).options(blocks(500, 600)));
    h.send(at(6), data(400));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(R + 600).window(WINDOW - 600));
    h.expectNothing();
  }

  /** Five holes filled every other 100 bytes; returns the blocks of the last ACK. */
  private static List<SackBlock> blocksAfterFiveIslands(TcbHarness h) {
    for (int offset = 100; offset <= 900; offset += 200) {
      h.send(at(offset), data(offset));
    }
    TcpSegment last = null;
    while (!h.segments.isEmpty()) {
      last = h.nextSegment();
    }
    return last.options().sackBlocks();
  }

  @Test
  @DisplayName(
      "RFC 2018 §3: at most 4 blocks fit the 40 bytes of options; the oldest reported island is left out")
  void fourBlocksWithoutTimestamps() {
    assertEquals(
        blocks(900, 1000, 700, 800, 500, 600, 300, 400).sackBlocks(),
        blocksAfterFiveIslands(established()));
  }

  @Test
  @DisplayName("RFC 2018 §3, RFC 7323 §3.2: beside the 12 bytes of timestamps only 3 blocks fit")
  void threeBlocksWithTimestamps() {
    TcbHarness h = established(TcbHarness.withTimestampsAndSack(), true);
    assertEquals(blocks(900, 1000, 700, 800, 500, 600).sackBlocks(), blocksAfterFiveIslands(h));
  }

  @Test
  @DisplayName(
      "RFC 2018 §3-4: while a block is pending, a data segment is cut to leave it room (1460 - 12 = 1448 bytes, as Linux's tcp_current_mss); a short one carries it beside its payload")
  void dataSegmentsCarryWhatFits() {
    TcbHarness h = established();
    h.send(at(1), data(100));
    h.clear();
    h.write(pattern(0, MSS + 540), false);
    h.expectSegment(
        out().seq(LOCAL_SEQ).ack(R).payload(pattern(0, MSS - 12)).options(blocks(100, 200)));
    h.expectSegment(
        out()
            .flags(ACK | PSH)
            .seq(LOCAL_SEQ + MSS - 12)
            .ack(R)
            .payload(pattern(MSS - 12, 552))
            .options(blocks(100, 200)));
  }

  // ------------------------------------------------------------------ D-SACK (RFC 2883)

  @Test
  @DisplayName(
      "RFC 2883 §4: a duplicate below RCV.NXT is reported in the first block of the next ACK, once")
  void dsackBelowRcvNxt() {
    TcbHarness h = established();
    h.send(at(10), data(0));
    h.tick(at(50));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(R + 100).window(WINDOW - 100));
    h.send(at(60), data(0)); // again: our ACK was lost, say
    h.expectSegment(out().seq(LOCAL_SEQ).ack(R + 100).window(WINDOW - 100).options(blocks(0, 100)));
    h.send(at(70), data(200));
    h.expectSegment(
        out().seq(LOCAL_SEQ).ack(R + 100).window(WINDOW - 100).options(blocks(200, 300)));
  }

  @Test
  @DisplayName(
      "RFC 2883 §4.2.1 (ex. 4): a segment partly below RCV.NXT reports just its duplicate part")
  void dsackForThePartBelowRcvNxt() {
    TcbHarness h = established();
    h.send(at(10), data(0));
    h.tick(at(50));
    h.clear();
    h.send(at(60), seg().seq(R + 50).ack(LOCAL_SEQ).payload(pattern(50, 100)));
    h.tick(at(100));
    h.expectSegment(
        out().seq(LOCAL_SEQ).ack(R + 150).window(WINDOW - 150).options(blocks(50, 100)));
  }

  @Test
  @DisplayName(
      "RFC 2883 §4.1.3 (ex. 3): a duplicate of queued out-of-order data is the first block, the block holding it the second")
  void dsackInsideTheQueue() {
    TcbHarness h = established();
    h.send(at(1), data(100));
    h.send(at(2), data(300));
    h.clear();
    h.send(at(3), data(100));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(R).options(blocks(100, 200, 100, 200, 300, 400)));
  }

  // ------------------------------------------------------------------ the peer's blocks

  @Test
  @DisplayName(
      "RFC 2018 §3, RFC 2883 §4: the peer's SACK blocks reach the sender and are counted, D-SACKs apart")
  void peerBlocksAreHandedToTheSender() {
    TcbHarness h = established();
    h.write(pattern(0, 3 * MSS), false);
    h.clear();
    h.send(at(10), seg().seq(R).ack(LOCAL_SEQ).sack(LOCAL_SEQ + MSS, LOCAL_SEQ + 2 * MSS));
    h.send(at(11), seg().seq(R).ack(LOCAL_SEQ).sack(LOCAL_SEQ + MSS, LOCAL_SEQ + 3 * MSS));
    h.send(at(12), seg().seq(R).ack(LOCAL_SEQ + 3 * MSS).sack(LOCAL_SEQ, LOCAL_SEQ + MSS));
    TcbStats stats = h.tcb.stats();
    assertEquals(3, stats.sackBlocksReceived());
    assertEquals(1, stats.dsacksReceived());
  }

  @Test
  @DisplayName("RFC 2018 §2: without SACK negotiated the peer's blocks are ignored")
  void peerBlocksIgnoredWithoutSack() {
    TcbHarness h = established(sackOnly().withSack(false), false);
    h.write(pattern(0, 3 * MSS), false);
    h.send(at(10), seg().seq(R).ack(LOCAL_SEQ).sack(LOCAL_SEQ + MSS, LOCAL_SEQ + 2 * MSS));
    assertEquals(0, h.tcb.stats().sackBlocksReceived());
    assertTrue(h.tcb.stats().dsacksReceived() == 0);
  }
}
