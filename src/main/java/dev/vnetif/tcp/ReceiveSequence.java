package dev.vnetif.tcp;

import dev.vnetif.wire.SeqNum;

/**
 * The receive sequence space of RFC 9293 §3.3.1 and the receive window we advertise.
 *
 * <pre>
 *      1          2          3
 * ----------|----------|----------
 *        RCV.NXT    RCV.NXT+RCV.WND
 * </pre>
 *
 * The window is the receive buffer minus the bytes delivered to the application and not yet
 * consumed. Its right edge never moves left (RFC 9293 §3.8.6.2.2), and moves right only in steps of
 * at least min(buffer/2, MSS) — receiver-side silly window syndrome avoidance (RFC 1122 §4.2.3.3).
 */
final class ReceiveSequence {
  final int bufferSize;

  /**
   * Eff.snd.MSS of RFC 1122 §4.2.3.3, the unit of receiver SWS avoidance and of "full-sized" for
   * delayed ACKs: our MSS until the handshake settles the connection's.
   */
  int mss;

  final Reassembly reassembly;
  int irs;
  int rcvNxt;

  /** Window scale shift we apply to the windows we advertise (RFC 7323 §2.3). */
  int rcvScale;

  /** Bytes delivered to the application and not yet consumed. */
  int unconsumed;

  /** RCV.NXT + the window last advertised: the highest sequence number we promised to take. */
  int advertisedEdge;

  /** Sequence number of a FIN that arrived ahead of missing data (valid if hasPendingFin). */
  int pendingFinSeq;

  boolean hasPendingFin;
  boolean finReceived;

  /** In-order bytes received since we last sent an ACK (delayed ACK, RFC 1122 §4.2.3.2). */
  int unackedBytes;

  ReceiveSequence(int bufferSize, int mss, int maxRanges) {
    this.bufferSize = bufferSize;
    this.mss = mss;
    this.reassembly = new Reassembly(bufferSize, maxRanges);
  }

  void start(int initialReceiveSequence) {
    irs = initialReceiveSequence;
    rcvNxt = initialReceiveSequence + 1;
    advertisedEdge = rcvNxt;
  }

  /** RCV.WND as the acceptability test sees it: what we last offered, never negative. */
  int window() {
    return Math.max(0, SeqNum.diff(advertisedEdge, rcvNxt));
  }

  private int freeSpace() {
    return Math.max(0, bufferSize - unconsumed);
  }

  /** True when the window opened far enough since the last advertisement to be worth an ACK. */
  boolean windowUpdateWorthSending() {
    int edge = rcvNxt + freeSpace();
    return SeqNum.diff(edge, advertisedEdge) >= Math.min(bufferSize / 2, mss);
  }

  /**
   * The 16-bit window field for an outgoing segment, recording the new right edge. SYN segments
   * carry an unscaled window (RFC 7323 §2.2).
   */
  int windowField(boolean syn) {
    int edge = advertisedEdge;
    if (windowUpdateWorthSending() || SeqNum.lt(edge, rcvNxt)) {
      edge = rcvNxt + freeSpace();
    }
    int window = Math.max(0, SeqNum.diff(edge, rcvNxt));
    int shift = syn ? 0 : rcvScale;
    int field = Math.min(window >>> shift, 0xFFFF);
    int offered = rcvNxt + (field << shift);
    if (SeqNum.gt(offered, advertisedEdge)) {
      advertisedEdge = offered;
    }
    return field;
  }

  /**
   * RFC 9293 §3.10.7.4, first check: is any part of a segment of {@code segLen} sequence numbers at
   * {@code seq} inside the window?
   */
  boolean acceptable(int seq, int segLen) {
    int window = window();
    if (segLen == 0) {
      return window == 0 ? seq == rcvNxt : SeqNum.inWindow(seq, rcvNxt, window);
    }
    if (window == 0) {
      return false;
    }
    return SeqNum.inWindow(seq, rcvNxt, window)
        || SeqNum.inWindow(seq + segLen - 1, rcvNxt, window);
  }
}
