package dev.vnetif.tcp;

import dev.vnetif.wire.SackBlock;
import dev.vnetif.wire.SeqNum;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;

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
  private final int bufferSize;
  private final int maxReassemblyRanges;

  /**
   * Eff.snd.MSS of RFC 1122 §4.2.3.3, the unit of receiver SWS avoidance and of "full-sized" for
   * delayed ACKs: our MSS until the handshake settles the connection's.
   */
  private int mss;

  /** Out-of-order data; made when the first such segment arrives, dropped once it drains. */
  private Reassembly reassembly;

  private int irs;
  private int rcvNxt;

  /** Window scale shift we apply to the windows we advertise (RFC 7323 §2.3). */
  private int rcvScale;

  /** Bytes delivered to the application and not yet consumed. */
  private int unconsumed;

  /** RCV.NXT + the window last advertised: the highest sequence number we promised to take. */
  private int advertisedEdge;

  /** Sequence number of a FIN that arrived ahead of missing data (valid if hasPendingFin). */
  private int pendingFinSeq;

  private boolean hasPendingFin;

  /** An ACK is owed; sent at the end of the input unless a data segment carries it. */
  private boolean ackOwed;

  /** In-order bytes received since we last sent an ACK (delayed ACK, RFC 1122 §4.2.3.2). */
  private int unackedBytes;

  /** SACK blocks an ACK carries at most (RFC 2018 §3); 0 while SACK is not negotiated. */
  private byte maxSackBlocks;

  /** A duplicate to report in the next ACK's first block (RFC 2883 §4), while hasDsack. */
  private boolean hasDsack;

  private int dsackLeft;
  private int dsackRight;

  ReceiveSequence(int bufferSize, int mss, int maxReassemblyRanges) {
    this.bufferSize = bufferSize;
    this.mss = mss;
    this.maxReassemblyRanges = maxReassemblyRanges;
  }

  void start(int initialReceiveSequence) {
    irs = initialReceiveSequence;
    rcvNxt = initialReceiveSequence + 1;
    advertisedEdge = rcvNxt;
  }

  int irs() {
    return irs;
  }

  int rcvNxt() {
    return rcvNxt;
  }

  int mss() {
    return mss;
  }

  int rcvScale() {
    return rcvScale;
  }

  int unconsumed() {
    return unconsumed;
  }

  int advertisedEdge() {
    return advertisedEdge;
  }

  /** What the SYN options settled (RFC 9293 §3.7.1, RFC 7323 §2.2): the MSS and our shift. */
  void negotiated(int connectionMss, int ourScale) {
    mss = connectionMss;
    rcvScale = ourScale;
  }

  /**
   * Whether SACK was negotiated (RFC 2018 §2) and how many blocks fit an ACK beside the other
   * options (4, or 3 with timestamps).
   */
  void sackNegotiated(boolean on, int maxBlocks) {
    maxSackBlocks = (byte) (on ? maxBlocks : 0);
  }

  boolean sackEnabled() {
    return maxSackBlocks > 0;
  }

  /**
   * RFC 2883 §4: {@code [left, right)} arrived again (below RCV.NXT, or already held out of order);
   * the next ACK reports it in its first block. Only with SACK negotiated; the latest duplicate
   * wins.
   */
  void duplicateReceived(int left, int right) {
    if (maxSackBlocks == 0 || !SeqNum.lt(left, right)) {
      return;
    }
    hasDsack = true;
    dsackLeft = left;
    dsackRight = right;
  }

  /**
   * The SACK blocks for an ACK with room for {@code room} of them: a pending D-SACK block first
   * (RFC 2883 §4), then the held ranges, most recently received first (RFC 2018 §4). Empty without
   * SACK, or when nothing is held and nothing was duplicated.
   */
  List<SackBlock> sackBlocks(int room) {
    int max = Math.min(room, maxSackBlocks);
    if (max <= 0 || (!hasDsack && !hasOutOfOrderData())) {
      return List.of();
    }
    if (!hasDsack) {
      return reassembly.sackBlocks(max);
    }
    List<SackBlock> blocks = new ArrayList<>(max);
    blocks.add(new SackBlock(dsackLeft, dsackRight));
    if (reassembly != null && max > 1) {
      blocks.addAll(reassembly.sackBlocks(max - 1));
    }
    return blocks;
  }

  /**
   * How many blocks {@link #sackBlocks} gives an ACK sent now, room permitting: the pending D-SACK,
   * then the ranges held out of order, up to the most that fit beside the other options.
   */
  int pendingSackBlocks() {
    int held = reassembly == null ? 0 : reassembly.rangeCount();
    return Math.min(maxSackBlocks, (hasDsack ? 1 : 0) + held);
  }

  /** {@code n} in-order bytes were delivered to the application: RCV.NXT moves past them. */
  void delivered(int n) {
    rcvNxt += n;
    unconsumed += n;
    unackedBytes += n;
  }

  /**
   * The application consumed {@code bytes} of what was delivered.
   *
   * @throws IllegalArgumentException if it consumed more than it was given, or a negative count
   */
  void consume(int bytes) {
    if (bytes < 0 || bytes > unconsumed) {
      throw new IllegalArgumentException(
          "consumed " + bytes + " bytes but " + unconsumed + " are unconsumed");
    }
    unconsumed -= bytes;
  }

  /** Out-of-order data at {@code seq}, after RCV.NXT and inside the window, is held. */
  void holdOutOfOrder(int seq, ByteString data) {
    if (reassembly == null) {
      reassembly = new Reassembly(bufferSize, maxReassemblyRanges);
    } else {
      duplicateOfHeld(seq, data.length()); // RFC 2883 §4.1.3, example 3
    }
    reassembly.insert(seq, data);
  }

  /**
   * RFC 2883 §3 and §4: of {@code [seq, seq + length)}, inside the window, the first part already
   * held out of order is a duplicate to report in the next ACK's first block. Only the first: each
   * ACK carries one D-SACK block, and later ones would read as ordinary SACK blocks. Nothing when
   * SACK is off or nothing is held.
   */
  void duplicateOfHeld(int seq, int length) {
    if (maxSackBlocks == 0 || reassembly == null) {
      return;
    }
    SackBlock held = reassembly.firstHeldPart(seq, length);
    if (held != null) {
      duplicateReceived(held.left(), held.right());
    }
  }

  boolean hasOutOfOrderData() {
    return reassembly != null && !reassembly.isEmpty();
  }

  /** Bytes held out of order (0 when none). */
  int outOfOrderBytes() {
    return reassembly == null ? 0 : reassembly.bytesHeld();
  }

  /** Removes and returns the held bytes that now continue from RCV.NXT (empty if a gap remains). */
  ByteString takeContiguous() {
    if (reassembly == null) {
      return ByteString.emptyByteString();
    }
    ByteString next = reassembly.takeContiguous(rcvNxt);
    if (reassembly.isEmpty()) {
      reassembly = null; // an idle connection keeps no reassembly structures
    }
    return next;
  }

  /** A FIN at {@code seq} arrived ahead of missing data: it is processed once the gap fills. */
  void holdFin(int seq) {
    hasPendingFin = true;
    pendingFinSeq = seq;
  }

  /** Whether a held FIN is the next sequence number (everything before it arrived). */
  boolean heldFinIsNext() {
    return hasPendingFin && pendingFinSeq == rcvNxt;
  }

  /** RFC 9293 §3.10.7.4 eighth: the FIN takes one sequence number; nothing after it counts. */
  void finArrived() {
    rcvNxt += 1;
    hasPendingFin = false;
    reassembly = null;
  }

  /** Something (out-of-order data, a FIN, a hole filled, an unacceptable segment) needs an ACK. */
  void oweAck() {
    ackOwed = true;
  }

  boolean ackOwed() {
    return ackOwed;
  }

  /** An ACK went out: nothing is owed and the delayed-ACK count starts again. */
  void ackSent() {
    ackOwed = false;
    unackedBytes = 0;
    hasDsack = false; // RFC 2883 §4: a duplicate is reported once
  }

  /** The connection closed: the owed ACK will never be sent. */
  void forgetOwedAck() {
    ackOwed = false;
  }

  /**
   * RFC 1122 §4.2.3.2: an ACK is due for at least every second full-sized segment. "Full-sized" is
   * the connection's MSS, both sides' limits applied (so a peer that announced 536 is acknowledged
   * every 1072 bytes, not every 2920).
   */
  boolean twoFullSegmentsUnacknowledged() {
    return unackedBytes >= 2 * mss;
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
