package dev.vnetif.tcp;

import dev.vnetif.wire.SeqNum;

/**
 * The send sequence space of RFC 9293 §3.3.1 and the bytes behind it.
 *
 * <pre>
 *      1          2          3          4
 * ----------|----------|----------|----------
 *        SND.UNA    SND.NXT    SND.UNA+SND.WND
 * </pre>
 *
 * The ISS occupies one sequence number (the SYN), the application's bytes follow from ISS+1, and
 * the FIN, once queued, takes the number after the last byte. {@code sndMax} is the highest
 * sequence number ever sent plus one: after a retransmission timeout {@code sndNxt} goes back to
 * {@code sndUna} (go-back-N, as BSD does), and ACKs up to {@code sndMax} stay acceptable.
 */
final class SendSequence {
  private final SendBuffer buffer;
  private int iss;
  private int sndUna;
  private int sndNxt;
  private int sndMax;

  /** The peer's window in bytes (already scaled). */
  private int sndWnd;

  private int sndWl1;
  private int sndWl2;

  /** The largest window the peer ever offered (RFC 1122 §4.2.3.4, RFC 5961 §5.2). */
  private int maxSndWnd;

  /** Window scale shift the peer applies to the windows it advertises (RFC 7323 §2.3). */
  private int sndScale;

  /** Effective send MSS: the peer's MSS option bounded by our own (RFC 9293 §3.7.1). */
  private int effectiveMss;

  private boolean finQueued;

  /**
   * One past the byte of an outstanding zero-window probe (RFC 9293 §3.8.6.1), or equal to {@code
   * sndMax}. Kept apart from SND.MAX so that pure ACKs are not stamped past the peer's RCV.NXT
   * while probing, yet the ACK of an accepted probe byte is acceptable.
   */
  private int probeEnd;

  /** Everything appended up to this stream offset was written with nodelay. */
  private long nodelayUpTo;

  /** One past the newest segment shorter than the MSS that was sent (Minshall's Nagle). */
  private int smallSentEnd;

  SendSequence(int capacity) {
    this.buffer = new SendBuffer(capacity);
  }

  void start(int initialSequence) {
    iss = initialSequence;
    sndUna = initialSequence;
    sndNxt = initialSequence;
    sndMax = initialSequence;
    probeEnd = initialSequence;
    smallSentEnd = initialSequence;
  }

  SendBuffer buffer() {
    return buffer;
  }

  int iss() {
    return iss;
  }

  int sndUna() {
    return sndUna;
  }

  int sndNxt() {
    return sndNxt;
  }

  int sndMax() {
    return sndMax;
  }

  int sndWnd() {
    return sndWnd;
  }

  int sndWl1() {
    return sndWl1;
  }

  int sndWl2() {
    return sndWl2;
  }

  int maxSndWnd() {
    return maxSndWnd;
  }

  int sndScale() {
    return sndScale;
  }

  int effectiveMss() {
    return effectiveMss;
  }

  int probeEnd() {
    return probeEnd;
  }

  boolean finQueued() {
    return finQueued;
  }

  /** What the SYN options settled (RFC 9293 §3.7.1, RFC 7323 §2.2): send MSS and peer's shift. */
  void negotiated(int sendMss, int peerScale) {
    effectiveMss = sendMss;
    sndScale = peerScale;
  }

  /**
   * The window of the peer's SYN (RFC 9293 §3.10.7.3: SND.WND, SND.WL1, SND.WL2 from the segment),
   * never scaled (RFC 7323 §2.2).
   */
  void synWindow(int window, int seq, int ack) {
    sndWnd = window;
    sndWl1 = seq;
    sndWl2 = ack;
    maxSndWnd = Math.max(maxSndWnd, window);
  }

  /** CLOSE (RFC 9293 §3.10.4): a FIN follows the bytes written so far. */
  void queueFin() {
    finQueued = true;
  }

  /** Everything written so far asked for no delay (it bypasses Nagle). */
  void markNodelay() {
    nodelayUpTo = buffer.appendedTotal();
  }

  /** Whether the byte at SND.NXT was written with nodelay. */
  boolean nextIsNodelay() {
    return nodelayUpTo > streamOffset(sndNxt);
  }

  /** A segment shorter than the MSS went out, ending at {@code end} (Minshall's Nagle). */
  void smallSegmentSent(int end) {
    smallSentEnd = end;
  }

  /** A zero-window probe byte ending at {@code end} went out without moving SND.NXT. */
  void probeSent(int end) {
    if (SeqNum.gt(end, probeEnd)) {
      probeEnd = end; // so the ACK of the probe byte is acceptable
    }
  }

  /** Go back N (as BSD does, RFC 6298 §5.4): send again from SND.UNA. */
  void rewind() {
    sndNxt = sndUna;
  }

  /**
   * A segment shorter than the MSS is sent and not yet acknowledged, as Linux's tcp_minshall_check:
   * bounded by SND.NXT, not SND.MAX, so that after a go-back-N rewind a small segment sent before
   * the timeout does not hold data while nothing is in flight.
   */
  boolean smallSegmentInFlight() {
    return SeqNum.gt(smallSentEnd, sndUna) && SeqNum.leq(smallSentEnd, sndNxt);
  }

  /** The highest sequence number an acceptable ACK may acknowledge. */
  int ackLimit() {
    return SeqNum.max(sndMax, probeEnd);
  }

  /** Sequence number of the first byte still in the buffer (= SND.UNA once the SYN is acked). */
  int bufferStartSeq() {
    return iss + 1 + (int) buffer.consumedTotal();
  }

  /** Sequence number of the FIN: right after the last byte the application wrote. */
  int finSeq() {
    return bufferStartSeq() + buffer.size();
  }

  boolean synAcked() {
    return SeqNum.gt(sndUna, iss);
  }

  boolean finSent() {
    return finQueued && SeqNum.gt(sndNxt, finSeq());
  }

  boolean finAcked() {
    return finQueued && SeqNum.gt(sndUna, finSeq());
  }

  /** Sequence numbers sent and not yet acknowledged (RFC 5681 FlightSize, in sequence space). */
  int flightSize() {
    return sndNxt - sndUna;
  }

  /** Data bytes queued but not yet sent from {@code sndNxt} (0 once everything went out). */
  int unsentBytes() {
    int offset = sndNxt - bufferStartSeq();
    return Math.max(0, buffer.size() - Math.max(0, offset));
  }

  /** Stream offset (bytes ever written) that {@code seq} stands for. */
  long streamOffset(int seq) {
    return buffer.consumedTotal() + SeqNum.diff(seq, bufferStartSeq());
  }

  /** Records the window the peer advertised in a segment (RFC 9293 §3.10.7.4, fifth check). */
  void updateWindow(int rawWindow, int seq, int ack) {
    sndWnd = rawWindow << sndScale;
    sndWl1 = seq;
    sndWl2 = ack;
    if (sndWnd > maxSndWnd) {
      maxSndWnd = sndWnd;
    }
  }

  /** RFC 9293 §3.10.7.4: update the window only from a segment newer than the last update. */
  boolean isWindowUpdate(int seq, int ack) {
    return SeqNum.lt(sndWl1, seq) || (sndWl1 == seq && SeqNum.leq(sndWl2, ack));
  }

  /**
   * Moves SND.UNA to {@code ack} and drops the acknowledged data bytes from the buffer (the SYN and
   * FIN take sequence numbers but no buffer space). Returns the data bytes freed.
   */
  int acknowledge(int ack) {
    if (SeqNum.geq(ack, smallSentEnd)) {
      smallSentEnd = ack; // trails SND.UNA, so after 2^31 bytes it cannot look new again
    }
    int start = bufferStartSeq();
    int dataEnd = start + buffer.size();
    int from = SeqNum.max(sndUna, start);
    int to = SeqNum.min(ack, dataEnd);
    int freed = Math.max(0, SeqNum.diff(to, from));
    if (freed > 0) {
      buffer.consume(freed);
    }
    sndUna = ack;
    if (SeqNum.lt(sndNxt, ack)) {
      sndNxt = ack; // an ACK for data sent before a go-back-N rewind, or for a probe byte
    }
    if (SeqNum.lt(sndMax, ack)) {
      sndMax = ack; // an accepted probe byte
    }
    return freed;
  }

  void sent(int endSeq) {
    sndNxt = endSeq;
    if (SeqNum.gt(endSeq, sndMax)) {
      sndMax = endSeq;
    }
    if (SeqNum.gt(sndMax, probeEnd)) {
      probeEnd = sndMax;
    }
  }
}
