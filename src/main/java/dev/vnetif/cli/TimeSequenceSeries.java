package dev.vnetif.cli;

import dev.vnetif.wire.SackBlock;
import dev.vnetif.wire.TcpSegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a time-sequence graph (tcptrace's, Wireshark's "Stevens" graph) of one direction of a TCP
 * connection shows, taken from a capture: each segment sent as the sequence range it covers at the
 * time it was seen, marked when it covers sequence space sent before (a retransmission); and from
 * the other direction the acknowledged sequence number, the right edge of the receive window (ack
 * plus the scaled window) and the SACK blocks (RFC 2018).
 *
 * <p>Sequence numbers are relative to the direction's initial sequence number (its SYN's, else its
 * first segment's) and unwrapped past 2^32, so they only grow along a transfer; times are seconds
 * from the connection's first segment in the capture.
 *
 * @param windowScaled whether the capture holds both SYNs, so that the windows could be scaled (RFC
 *     7323 §2.3); without them the window line uses the raw window field
 */
record TimeSequenceSeries(
    TcpDirection direction,
    boolean windowScaled,
    List<TimeSequenceSeries.Sent> sent,
    List<TimeSequenceSeries.Ack> acks,
    List<TimeSequenceSeries.Sack> sacks) {

  /** A segment that took sequence space {@code [start, end)} (a SYN or FIN takes one). */
  record Sent(double seconds, long start, long end, boolean retransmission) {}

  /** An acknowledgment: the next sequence number expected, and the window's right edge. */
  record Ack(double seconds, long ack, long windowEnd) {}

  /** One SACK block of an acknowledgment: the receiver holds {@code [left, right)}. */
  record Sack(double seconds, long left, long right) {}

  /** One direction in a capture, with what it sent. */
  record DirectionSummary(TcpDirection direction, long payloadBytes, int segments) {}

  TimeSequenceSeries {
    sent = List.copyOf(sent);
    acks = List.copyOf(acks);
    sacks = List.copyOf(sacks);
  }

  /** Every direction in {@code segments}: the one with the most payload first, ties by order. */
  static List<DirectionSummary> directions(List<CapturedSegment> segments) {
    Map<TcpDirection, long[]> totals = new LinkedHashMap<>();
    for (CapturedSegment s : segments) {
      long[] t = totals.computeIfAbsent(s.direction(), d -> new long[2]);
      t[0] += s.tcp().payload().length();
      t[1]++;
    }
    List<DirectionSummary> all = new ArrayList<>();
    totals.forEach((d, t) -> all.add(new DirectionSummary(d, t[0], (int) t[1])));
    all.sort(Comparator.comparingLong(DirectionSummary::payloadBytes).reversed());
    return all;
  }

  /**
   * The graph of {@code direction} in {@code segments} (in capture order).
   *
   * @throws IllegalArgumentException when no segment went that way
   */
  static TimeSequenceSeries of(List<CapturedSegment> segments, TcpDirection direction) {
    TcpDirection back = direction.reverse();
    CapturedSegment first = null;
    CapturedSegment firstSent = null;
    Integer forwardScale = null;
    Integer backScale = null;
    for (CapturedSegment s : segments) {
      boolean forward = s.direction().equals(direction);
      if (!forward && !s.direction().equals(back)) {
        continue;
      }
      if (first == null) {
        first = s;
      }
      if (forward && (firstSent == null || (s.tcp().isSyn() && !firstSent.tcp().isSyn()))) {
        firstSent = s;
      }
      if (s.tcp().isSyn()) {
        if (forward && forwardScale == null) {
          forwardScale = s.tcp().options().windowScale();
        } else if (!forward && backScale == null) {
          backScale = s.tcp().options().windowScale();
        }
      }
    }
    if (firstSent == null) {
      throw new IllegalArgumentException("no TCP segment from " + direction + " in the capture");
    }
    // RFC 7323 §2.2: windows are scaled only when both SYNs carried the option.
    boolean scaled = forwardScale != null && backScale != null;
    int scale = scaled && forwardScale >= 0 && backScale >= 0 ? Math.min(backScale, 14) : 0;
    long zero = first.epochNanos();
    long initial = Integer.toUnsignedLong(firstSent.tcp().seq());
    Unwrapped sentSeq = new Unwrapped(initial);
    Unwrapped ackSeq = new Unwrapped(initial);
    List<Sent> sent = new ArrayList<>();
    List<Ack> acks = new ArrayList<>();
    List<Sack> sacks = new ArrayList<>();
    long highest = Long.MIN_VALUE;
    for (CapturedSegment s : segments) {
      double seconds = (s.epochNanos() - zero) / 1e9;
      TcpSegment tcp = s.tcp();
      if (s.direction().equals(direction)) {
        long start = sentSeq.relative(tcp.seq());
        int length = s.length();
        if (length > 0) {
          long end = start + length;
          sent.add(new Sent(seconds, start, end, start < highest));
          highest = Math.max(highest, end);
        }
      } else if (s.direction().equals(back) && tcp.isAck()) {
        long ack = ackSeq.relative(tcp.ack());
        long window = (long) tcp.window() << (tcp.isSyn() ? 0 : scale);
        acks.add(new Ack(seconds, ack, ack + window));
        for (SackBlock b : tcp.options().sackBlocks()) {
          sacks.add(new Sack(seconds, ackSeq.relative(b.left()), ackSeq.relative(b.right())));
        }
      }
    }
    return new TimeSequenceSeries(direction, scaled, sent, acks, sacks);
  }

  /** The part of the graph within {@code [from, to]} seconds. */
  TimeSequenceSeries between(double from, double to) {
    return new TimeSequenceSeries(
        direction,
        windowScaled,
        sent.stream().filter(s -> s.seconds() >= from && s.seconds() <= to).toList(),
        acks.stream().filter(a -> a.seconds() >= from && a.seconds() <= to).toList(),
        sacks.stream().filter(s -> s.seconds() >= from && s.seconds() <= to).toList());
  }

  /** How many segments covered sequence space sent before. */
  long retransmissions() {
    return sent.stream().filter(Sent::retransmission).count();
  }

  /**
   * 32-bit sequence numbers as a 64-bit count from an initial one: each is taken as the value
   * nearest the one before (RFC 9293 §3.4 compares them so), so a transfer past 4 GiB keeps
   * growing.
   */
  private static final class Unwrapped {
    private final long initial;
    private long last;

    Unwrapped(long initial) {
      this.initial = initial;
      this.last = initial;
    }

    long relative(int seq) {
      last += (int) (seq - (int) last);
      return last - initial;
    }
  }
}
