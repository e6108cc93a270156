package dev.vnetif.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.tcp.SackScoreboard.AckSummary;
import dev.vnetif.tcp.SackScoreboard.Segment;
import dev.vnetif.wire.SackBlock;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The sender's scoreboard against RFC 6675 §4's definitions (IsLost, SetPipe, NextSeg with its
 * rules 1, 3 and 4) and RFC 2883's D-SACK recognition, with exact records after each step. Ten
 * segments of 1000 bytes from sequence number 1000 (and, where it matters, near the 2^32 wrap).
 */
class SackScoreboardTest {
  static final int SMSS = 1000;

  /** Segment n (0..9) is [base + n·SMSS, base + (n+1)·SMSS). */
  static SackScoreboard tenSegments(int base) {
    SackScoreboard board = new SackScoreboard();
    for (int n = 0; n < 10; n++) {
      board.sent(base + n * SMSS, base + (n + 1) * SMSS, n * 1_000L);
    }
    return board;
  }

  static SackBlock block(int base, int fromSegment, int toSegmentExclusive) {
    return new SackBlock(base + fromSegment * SMSS, base + toSegmentExclusive * SMSS);
  }

  static String records(SackScoreboard board, int base) {
    StringBuilder sb = new StringBuilder();
    for (Segment s : board.segments()) {
      sb.append(sb.length() == 0 ? "" : " ")
          .append(s.start - base)
          .append('-')
          .append(s.end - base)
          .append(s.sacked ? "s" : "")
          .append(s.lost ? "L" : "")
          .append(s.retransmissionInFlight ? "R" : "");
    }
    return sb.toString();
  }

  /** The first {@code n} records, as {@link #records} writes them. */
  static String firstRecords(SackScoreboard board, int n) {
    String[] all = records(board, 0).split(" ");
    return String.join(" ", java.util.Arrays.copyOf(all, Math.min(n, all.length)));
  }

  @Test
  @DisplayName(
      "RFC 6675 §5: the scoreboard records SACKed segments and drops what the cumulative ACK covers")
  void sackedSegmentsAreMarkedAndCumulativelyAckedOnesDropped() {
    int base = 1000;
    SackScoreboard board = tenSegments(base);
    AckSummary ack = board.onAck(base + 2 * SMSS, List.of(block(base, 4, 6)), 20_000);
    assertEquals(2 * SMSS, ack.bytesCumulativelyAcked);
    assertEquals(2 * SMSS, ack.bytesNewlySacked);
    assertFalse(ack.dsack);
    assertEquals(
        "2000-3000 3000-4000 4000-5000s 5000-6000s 6000-7000 7000-8000 8000-9000 9000-10000",
        records(board, base));
    assertEquals(2 * SMSS, board.sackedBytes());
    assertEquals(2, board.sackedSegments());
    // The newest delivered is segment 5 (sent at 5 µs), which RACK takes.
    assertEquals(5_000L, ack.newestDeliveredSentNanos);
    assertEquals(base + 6 * SMSS, ack.newestDeliveredEnd);
  }

  @Test
  @DisplayName(
      "RFC 6675 §5: a block that cuts a record splits it, so every record is wholly SACKed or not")
  void aBlockInsideARecordSplitsIt() {
    int base = 0;
    SackScoreboard board = new SackScoreboard();
    board.sent(0, 3000, 0); // one record for three segments' worth (a large write)
    board.onAck(0, List.of(new SackBlock(1000, 2000)), 1);
    assertEquals("0-1000 1000-2000s 2000-3000", records(board, base));
    board.onAck(500, List.of(), 2);
    assertEquals("500-1000 1000-2000s 2000-3000", records(board, base), "a partial cumulative ACK");
  }

  @Test
  @DisplayName(
      "RFC 6675 §4 IsLost: DupThresh SACKed segments above, or more than (DupThresh-1)*SMSS SACKed bytes")
  void isLostFollowsTheDefinition() {
    SackScoreboard board = tenSegments(0);
    board.onAck(0, List.of(block(0, 2, 3)), 1);
    assertFalse(board.isLost(0, SMSS), "one SACKed segment above: not yet");
    board.onAck(0, List.of(block(0, 4, 5), block(0, 2, 3)), 2);
    assertFalse(board.isLost(0, SMSS), "two segments, 2000 bytes = (DupThresh-1)*SMSS: not more");
    board.onAck(0, List.of(block(0, 6, 7), block(0, 4, 5), block(0, 2, 3)), 3);
    assertTrue(board.isLost(0, SMSS), "three discontiguous SACKed segments above");
    assertTrue(board.isLost(SMSS, SMSS), "segment 1 has the same three above it");
    assertFalse(board.isLost(3 * SMSS, SMSS), "segment 3 has only two above it");

    SackScoreboard bytes = new SackScoreboard();
    bytes.sent(0, 1000, 0);
    bytes.sent(1000, 3500, 1); // one large record, 2500 bytes
    bytes.onAck(0, List.of(new SackBlock(1000, 3500)), 2);
    assertTrue(bytes.isLost(0, SMSS), "2500 SACKed bytes > 2000: lost though one block");
  }

  @Test
  @DisplayName("RFC 6675 §4 SetPipe: un-SACKed not-lost segments plus retransmissions in flight")
  void pipeCountsWhatIsInTheNetwork() {
    SackScoreboard board = tenSegments(0);
    assertEquals(10 * SMSS, board.pipe(), "nothing known: everything is in flight");
    board.onAck(0, List.of(block(0, 1, 4)), 1); // segments 1, 2, 3 SACKed: segment 0 lost
    assertEquals(SMSS, board.markLostByDupThresh(SMSS), "only segment 0 has three SACKed above it");
    assertEquals(
        "0-1000L 1000-2000s 2000-3000s 3000-4000s 4000-5000 5000-6000 6000-7000"
            + " 7000-8000 8000-9000 9000-10000",
        records(board, 0),
        "only segment 0 has three SACKed above it");
    assertEquals(6 * SMSS, board.pipe(), "segments 4..9; 0 is lost, 1..3 delivered");
    board.sent(0, 1000, 20);
    assertEquals(7 * SMSS, board.pipe(), "its retransmission is in flight again");
    assertEquals("0-1000LR", firstRecords(board, 1));
  }

  @Test
  @DisplayName(
      "RFC 6675 §4 NextSeg rule 1: the first lost segment not yet sent again, then nothing")
  void nextSegRuleOne() {
    SackScoreboard board = tenSegments(0);
    board.onAck(0, List.of(block(0, 5, 8), block(0, 2, 3)), 1);
    board.markLostByDupThresh(SMSS);
    // Above segment 0: 2, 5, 6, 7 SACKed (4): lost. Above 1: same: lost. Above 3, 4: 5, 6, 7: lost.
    assertEquals("0-1000L 1000-2000L 2000-3000s 3000-4000L 4000-5000L", firstRecords(board, 5));
    Segment first = board.nextSeg(false);
    assertEquals(0, first.start);
    board.sent(first.start, first.end, 2);
    assertEquals(1000, board.nextSeg(false).start);
    board.sent(1000, 2000, 3);
    assertEquals(3000, board.nextSeg(false).start, "segment 2 is SACKed: skipped");
    board.sent(3000, 4000, 4);
    board.sent(4000, 5000, 5);
    assertNull(board.nextSeg(false), "every lost segment is on its way again");
  }

  @Test
  @DisplayName(
      "RFC 6675 §4 NextSeg rule 3: an un-SACKed segment above HighRxt with SACKed data above it")
  void nextSegRuleThree() {
    SackScoreboard board = tenSegments(0);
    board.onAck(0, List.of(block(0, 2, 3)), 1); // one SACKed segment: nothing is lost yet
    board.markLostByDupThresh(SMSS);
    assertNull(board.nextSeg(false), "rule 1 finds nothing");
    Segment rule3 = board.nextSeg(true);
    assertEquals(0, rule3.start, "segment 0 lies below the SACKed segment 2");
    board.sent(0, 1000, 2);
    assertEquals(1000, board.nextSeg(true).start, "then segment 1, above HighRxt");
    board.sent(1000, 2000, 3);
    assertNull(board.nextSeg(true), "segments 3..9 have nothing SACKed above them");
  }

  @Test
  @DisplayName(
      "RFC 6675 §4 NextSeg rule 4: one rescue retransmission per recovery, of the highest un-SACKed segment")
  void rescueRetransmission() {
    SackScoreboard board = tenSegments(0);
    board.onAck(0, List.of(block(0, 9, 10), block(0, 2, 3)), 1);
    int recoveryPoint = 10 * SMSS;
    Segment rescue = board.rescueSegment(recoveryPoint);
    assertEquals(8000, rescue.start, "segment 9 is SACKed; 8 is the highest un-SACKed");
    assertNull(board.rescueSegment(recoveryPoint), "one per recovery episode");
    assertEquals(8000, board.rescueSegment(12 * SMSS).start, "a later episode may rescue again");
  }

  @Test
  @DisplayName(
      "RFC 2883 §4: a first block below the cumulative ACK, or inside the second block, is a D-SACK")
  void dsackIsRecognized() {
    SackScoreboard board = tenSegments(0);
    board.onAck(2 * SMSS, List.of(), 1);
    AckSummary below = board.onAck(2 * SMSS, List.of(block(0, 0, 1)), 2);
    assertTrue(below.dsack, "segment 0 again, below the cumulative ACK");
    assertEquals(0, below.bytesNewlySacked);
    board.onAck(2 * SMSS, List.of(block(0, 4, 7)), 3);
    AckSummary inside = board.onAck(2 * SMSS, List.of(block(0, 5, 6), block(0, 4, 7)), 4);
    assertTrue(inside.dsack, "segment 5 twice: inside the second block");
    assertEquals(0, inside.bytesNewlySacked);
    AckSummary plain = board.onAck(2 * SMSS, List.of(block(0, 8, 9), block(0, 4, 7)), 5);
    assertFalse(plain.dsack);
    assertEquals(SMSS, plain.bytesNewlySacked);
  }

  @Test
  @DisplayName("RFC 6675 §5.1: an RTO deems every un-SACKed segment lost; SACKed ones stay SACKed")
  void timeoutMarksEverythingUnSackedLost() {
    SackScoreboard board = tenSegments(0);
    board.onAck(0, List.of(block(0, 3, 4)), 1);
    board.sent(0, 1000, 2); // a rule-3 retransmission in flight
    board.onTimeout();
    assertEquals("0-1000L 1000-2000L 2000-3000L 3000-4000s 4000-5000L", firstRecords(board, 5));
    assertEquals(0, board.pipe(), "nothing is thought to be in the network");
    assertSame(board.segments().get(0), board.nextSeg(false));
  }

  @Test
  @DisplayName(
      "RFC 8985 §6.2 step 3: a segment delivered below one delivered earlier shows reordering")
  void reorderingIsSeenWhenAnOriginalArrivesBelowTheForwardAck() {
    SackScoreboard board = tenSegments(0);
    assertFalse(board.onAck(0, List.of(block(0, 3, 4)), 1).reorderingSeen);
    assertTrue(
        board.onAck(2 * SMSS, List.of(block(0, 3, 4)), 2).reorderingSeen,
        "segments 0 and 1 arrived after 3, never resent: the network reordered them");
    SackScoreboard resent = tenSegments(0);
    resent.onAck(0, List.of(block(0, 3, 4)), 1);
    resent.sent(0, 2000, 2);
    assertFalse(
        resent.onAck(2 * SMSS, List.of(block(0, 3, 4)), 3).reorderingSeen,
        "resent ones may simply be the retransmissions arriving");
  }

  @Test
  @DisplayName("sequence numbers wrap: the scoreboard works across 2^32")
  void acrossTheWrap() {
    int base = -3 * SMSS; // segments 3.. cross zero
    SackScoreboard board = tenSegments(base);
    board.onAck(base + SMSS, List.of(block(base, 4, 7)), 1);
    board.markLostByDupThresh(SMSS);
    assertEquals(
        "1000-2000L 2000-3000L 3000-4000L 4000-5000s 5000-6000s 6000-7000s 7000-8000 8000-9000"
            + " 9000-10000",
        records(board, base));
    assertEquals(3 * SMSS, board.sackedBytes());
    assertEquals(3 * SMSS, board.pipe(), "segments 7..9");
  }
}
