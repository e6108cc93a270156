package dev.vnetif.tcp;

import dev.vnetif.tcp.TcbTimers.Kind;
import dev.vnetif.wire.SeqNum;
import dev.vnetif.wire.TcpSegment;
import org.apache.pekko.util.ByteString;

/**
 * The text half of a {@link Tcb}'s input (RFC 9293 §3.10.7.4, seventh and eighth): trims a segment
 * to what is new and inside the window, delivers in-order bytes to the user, holds out-of-order
 * ones until the gap fills, finds the peer's FIN once everything before it arrived, and decides
 * when the ACK is owed (at once, or delayed per RFC 1122 §4.2.3.2). The {@link Tcb} checks
 * acceptability and the ACK field before, and moves the state when the FIN is reached.
 *
 * <p>Replaced together with the sequence spaces when a passive block returns to LISTEN. Not
 * thread-safe: one instance belongs to one {@link Tcb}.
 */
final class Receiver {
  private static final ByteString EMPTY = ByteString.emptyByteString();

  private final TcpConfig config;
  private final TcbOutput out;
  private final ReceiveSequence rcv;
  private final TcbTimers timers;
  private final TcbCounters counters;

  Receiver(
      TcpConfig config,
      TcbOutput out,
      ReceiveSequence rcv,
      TcbTimers timers,
      TcbCounters counters) {
    this.config = config;
    this.out = out;
    this.rcv = rcv;
    this.timers = timers;
    this.counters = counters;
  }

  /**
   * Takes the text (and FIN) of an acceptable segment while the peer may still send.
   *
   * @return whether the peer's FIN was reached: it took its sequence number and the user was told
   *     ({@link TcbEvent#PEER_FINISHED}); the caller moves the state
   */
  boolean onText(TcpSegment seg, long now) {
    int seq = seg.seq();
    ByteString data = seg.payload();
    boolean fin = seg.isFin();
    int old = SeqNum.diff(rcv.rcvNxt(), seq);
    boolean duplicateBelow = old > 0 && data.nonEmpty();
    if (old > 0) { // already received in part: keep only what is new
      // RFC 2883 §4: the part received before is reported as a D-SACK block.
      rcv.duplicateReceived(seq, seq + Math.min(old, data.length()));
      data = old >= data.length() ? EMPTY : data.drop(old);
      seq = old >= seg.payload().length() ? seq + seg.payload().length() : rcv.rcvNxt();
    }
    int room = Math.max(0, SeqNum.diff(rcv.advertisedEdge(), seq));
    if (data.length() > room) { // beyond the window: trimmed, and so is the FIN after it
      data = data.take(room);
      fin = false;
    }
    if (seq == rcv.rcvNxt()) {
      return onInOrderText(data, fin, duplicateBelow, now);
    }
    if (SeqNum.gt(seq, rcv.rcvNxt())) {
      if (data.nonEmpty()) {
        rcv.holdOutOfOrder(seq, data);
      }
      if (fin) {
        rcv.holdFin(seq + data.length());
      }
      rcv.oweAck(); // RFC 5681 §4.2: out-of-order data is acknowledged at once
    }
    return false;
  }

  /**
   * @param duplicateBelow whether the segment began below RCV.NXT, so that its first duplicate part
   *     was already reported
   */
  private boolean onInOrderText(ByteString data, boolean fin, boolean duplicateBelow, long now) {
    boolean fillsHole = rcv.hasOutOfOrderData();
    if (fillsHole && !duplicateBelow) {
      // RFC 2883 §4 (examples 4 to 6 show the partial cases): text from RCV.NXT that runs into
      // data already held out of order repeats that data, and the first repeated part is the
      // D-SACK block. When the segment also began below RCV.NXT, that lower part is the first
      // duplicate and the only one reported (§4.2.2, example 5). Only looked for while something
      // is held, so in-order data on an empty queue pays nothing for it.
      rcv.duplicateOfHeld(rcv.rcvNxt(), data.length());
    }
    deliver(data);
    if (fillsHole) {
      deliver(rcv.takeContiguous());
      rcv.oweAck(); // RFC 5681 §4.2: a segment that fills a hole is acknowledged at once
    }
    if (fin || rcv.heldFinIsNext()) {
      // RFC 9293 §3.10.7.4 eighth: the FIN takes one sequence number and is acknowledged.
      rcv.finArrived();
      rcv.oweAck();
      out.event(TcbEvent.PEER_FINISHED);
      return true;
    }
    if (data.nonEmpty()) {
      delayAck(now);
    }
    return false;
  }

  private void deliver(ByteString data) {
    int n = data.length();
    if (n == 0) {
      return;
    }
    rcv.delivered(n);
    counters.dataReceived(n);
    out.event(new TcbEvent.DataReceived(data));
  }

  /**
   * Delayed ACK (RFC 1122 §4.2.3.2, RFC 9293 §3.8.6.3): acknowledge at least every second
   * full-sized segment, and otherwise within the configured delay.
   */
  private void delayAck(long now) {
    if (rcv.twoFullSegmentsUnacknowledged() || config.delayedAckNanos() == 0) {
      rcv.oweAck();
    } else if (!timers.isArmed(Kind.DELAYED_ACK)) {
      timers.arm(Kind.DELAYED_ACK, now + config.delayedAckNanos());
    }
  }
}
