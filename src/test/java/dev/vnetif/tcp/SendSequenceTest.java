package dev.vnetif.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link SendSequence} on its own: the send sequence space of RFC 9293 §3.3.1 over its buffer. */
class SendSequenceTest {
  private static final int ISS = 1_000;

  private static SendSequence started(int iss, String data) {
    SendSequence snd = new SendSequence(1_000);
    snd.start(iss);
    snd.buffer().append(ByteString.fromString(data));
    return snd;
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.3.1: at the start SND.UNA = SND.NXT = SND.MAX = ISS; data starts at ISS+1; nothing in flight")
  void start() {
    SendSequence snd = started(ISS, "");
    assertEquals(ISS, snd.sndUna());
    assertEquals(ISS, snd.sndNxt());
    assertEquals(ISS, snd.sndMax());
    assertEquals(ISS, snd.ackLimit());
    assertEquals(ISS + 1, snd.bufferStartSeq());
    assertEquals(ISS + 1, snd.finSeq());
    assertEquals(0, snd.flightSize());
    assertFalse(snd.synAcked());
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.3.1: the SYN takes one sequence number and no buffer space; acknowledging it frees no data")
  void synTakesOneSequenceNumber() {
    SendSequence snd = started(ISS, "hello");
    snd.sent(ISS + 1);
    assertEquals(1, snd.flightSize());
    assertEquals(0, snd.acknowledge(ISS + 1));
    assertTrue(snd.synAcked());
    assertEquals(5, snd.buffer().size());
    assertEquals(5, snd.unsentBytes());
    assertEquals(ISS + 6, snd.finSeq());
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (fifth): an ACK moves SND.UNA and drops exactly the acknowledged bytes from the buffer")
  void acknowledgeFreesAcknowledgedBytes() {
    SendSequence snd = started(ISS, "hello");
    snd.sent(ISS + 6); // SYN and all five bytes
    assertEquals(0, snd.unsentBytes());
    assertEquals(2, snd.acknowledge(ISS + 3)); // SYN + "he"
    assertEquals(ISS + 3, snd.sndUna());
    assertEquals(ISS + 3, snd.bufferStartSeq());
    assertEquals(3, snd.buffer().size());
    assertEquals(3, snd.flightSize());
    assertEquals(0, snd.acknowledge(ISS + 3), "a duplicate ACK frees nothing");
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.4: the FIN takes the number after the last byte; sent once SND.NXT passes it, acknowledged once SND.UNA does")
  void finSequenceNumber() {
    SendSequence snd = started(ISS, "hello");
    snd.queueFin();
    assertEquals(ISS + 6, snd.finSeq());
    snd.sent(ISS + 6);
    assertFalse(snd.finSent());
    snd.sent(ISS + 7);
    assertTrue(snd.finSent());
    assertEquals(5, snd.acknowledge(ISS + 6));
    assertFalse(snd.finAcked());
    assertEquals(0, snd.acknowledge(ISS + 7), "the FIN occupies no buffer space");
    assertTrue(snd.finAcked());
  }

  @Test
  @DisplayName(
      "go-back-N: after SND.NXT is rewound, an ACK beyond it moves SND.NXT up to the ACK; SND.MAX keeps the highest sent")
  void acknowledgeAfterRewind() {
    SendSequence snd = started(ISS, "abcdefghij");
    snd.sent(ISS + 11);
    snd.acknowledge(ISS + 1);
    snd.rewind(); // a retransmission timeout rewinds
    assertEquals(10, snd.unsentBytes(), "all ten bytes are to be sent again");
    snd.acknowledge(ISS + 5);
    assertEquals(ISS + 5, snd.sndNxt());
    assertEquals(ISS + 11, snd.sndMax());
    assertEquals(0, snd.flightSize());
    assertEquals(6, snd.unsentBytes());
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.8.6.1: a zero-window probe byte beyond SND.MAX makes its ACK acceptable, and once acknowledged it counts as sent")
  void probeEndExtendsAckLimit() {
    SendSequence snd = started(ISS, "abc");
    snd.sent(ISS + 1);
    snd.acknowledge(ISS + 1);
    snd.probeSent(ISS + 2); // the probe byte went out without moving SND.NXT / SND.MAX
    assertEquals(ISS + 2, snd.ackLimit());
    assertEquals(ISS + 1, snd.sndMax());
    assertEquals(1, snd.acknowledge(ISS + 2));
    assertEquals(ISS + 2, snd.sndMax());
    assertEquals(ISS + 2, snd.sndNxt());
    snd.sent(ISS + 4);
    assertEquals(ISS + 4, snd.probeEnd(), "sending past the probe moves probeEnd along");
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (fifth): the window is updated if SND.WL1 < SEG.SEQ, or SND.WL1 = SEG.SEQ and SND.WL2 ≤ SEG.ACK")
  void windowUpdateRule() {
    SendSequence snd = started(ISS, "");
    snd.updateWindow(0, 5_000, ISS + 10);
    assertTrue(snd.isWindowUpdate(5_001, ISS));
    assertTrue(snd.isWindowUpdate(5_000, ISS + 10));
    assertTrue(snd.isWindowUpdate(5_000, ISS + 11));
    assertFalse(snd.isWindowUpdate(5_000, ISS + 9));
    assertFalse(snd.isWindowUpdate(4_999, ISS + 100));
    // Across the 2^32 wrap: 0 is newer than 0xFFFFFFFF.
    snd.updateWindow(0, 0xFFFF_FFFF, ISS);
    assertTrue(snd.isWindowUpdate(0, ISS));
  }

  @Test
  @DisplayName(
      "RFC 7323 §2.3, RFC 1122 §4.2.3.4: the window is the field shifted by the peer's scale; the largest ever seen is kept")
  void updateWindowScalesAndTracksMaximum() {
    SendSequence snd = started(ISS, "");
    snd.negotiated(1_460, 3);
    snd.updateWindow(1_000, 7, ISS + 1);
    assertEquals(8_000, snd.sndWnd());
    assertEquals(8_000, snd.maxSndWnd());
    assertEquals(7, snd.sndWl1());
    assertEquals(ISS + 1, snd.sndWl2());
    snd.updateWindow(10, 8, ISS + 1);
    assertEquals(80, snd.sndWnd());
    assertEquals(8_000, snd.maxSndWnd(), "MAX.SND.WND never shrinks");
  }

  @Test
  @DisplayName(
      "stream offsets: a sequence number maps to the count of bytes ever written before it, across consumed data")
  void streamOffset() {
    SendSequence snd = started(ISS, "abcdefghij");
    snd.sent(ISS + 11);
    snd.acknowledge(ISS + 5);
    assertEquals(4, snd.streamOffset(ISS + 5));
    assertEquals(10, snd.streamOffset(ISS + 11));
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.4: sequence numbers wrap at 2^32: data, FIN and ACKs past zero work as anywhere else")
  void wrapAround() {
    int iss = 0xFFFF_FFFD;
    SendSequence snd = started(iss, "hello");
    snd.queueFin();
    assertEquals(0xFFFF_FFFE, snd.bufferStartSeq());
    assertEquals(3, snd.finSeq());
    snd.sent(4);
    assertTrue(snd.finSent());
    assertEquals(7, snd.flightSize());
    assertEquals(3, snd.acknowledge(1)); // SYN, and bytes at 0xFFFFFFFE, 0xFFFFFFFF, 0
    assertEquals("lo", snd.buffer().slice(0, 2).utf8String());
    assertEquals(2, snd.acknowledge(4));
    assertTrue(snd.finAcked());
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.3, RFC 7323 §2.2: the SYN's window is taken unscaled and sets SND.WL1/SND.WL2")
  void synWindowIsUnscaled() {
    SendSequence snd = started(ISS, "");
    snd.negotiated(1_460, 7);
    snd.synWindow(1_000, 5_000, ISS + 1);
    assertEquals(1_000, snd.sndWnd());
    assertEquals(1_000, snd.maxSndWnd());
    assertEquals(5_000, snd.sndWl1());
    assertEquals(ISS + 1, snd.sndWl2());
  }

  @Test
  @DisplayName("nodelay covers exactly the bytes written before it was asked for")
  void nodelayCoversBytesWrittenSoFar() {
    SendSequence snd = started(ISS, "ab");
    snd.sent(ISS + 1);
    assertFalse(snd.nextIsNodelay());
    snd.markNodelay();
    assertTrue(snd.nextIsNodelay());
    snd.buffer().append(ByteString.fromString("cd"));
    snd.sent(ISS + 3); // "ab" went out
    assertFalse(snd.nextIsNodelay(), "cd was written after the nodelay write");
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.8.6.1: a probe below the probe end (a repeated probe) does not move it back")
  void probeEndNeverMovesBack() {
    SendSequence snd = started(ISS, "abc");
    snd.sent(ISS + 1);
    snd.probeSent(ISS + 2);
    snd.probeSent(ISS + 1);
    assertEquals(ISS + 2, snd.probeEnd());
  }

  @Test
  @DisplayName(
      "Minshall: a small segment is in flight until acknowledged, and not after a go-back-N rewind")
  void smallSegmentInFlight() {
    SendSequence snd = started(ISS, "abc");
    snd.sent(ISS + 1);
    snd.acknowledge(ISS + 1);
    snd.smallSegmentSent(ISS + 4);
    snd.sent(ISS + 4);
    assertTrue(snd.smallSegmentInFlight());
    snd.rewind();
    assertFalse(snd.smallSegmentInFlight(), "bounded by SND.NXT, as tcp_minshall_check");
    snd.sent(ISS + 4);
    snd.acknowledge(ISS + 4);
    assertFalse(snd.smallSegmentInFlight());
  }
}
