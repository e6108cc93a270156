package dev.vnetif.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.wire.SackBlock;
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What the time-sequence graph draws, taken from segments as a capture holds them. */
class TimeSequenceSeriesTest {
  static final TcpDirection DATA = TcpDirection.parse("10.0.0.2:40000>10.0.0.3:5001");
  static final TcpDirection ACKS = DATA.reverse();
  static final int ISN = 1_000;
  static final int PEER_ISN = 77_000;
  static final int MSS = 1000;

  private final List<CapturedSegment> capture = new ArrayList<>();

  private void add(double seconds, TcpDirection d, TcpSegment tcp) {
    capture.add(new CapturedSegment(1_700_000_000_000_000_000L + (long) (seconds * 1e9), d, tcp));
  }

  private void handshake(int clientScale, int serverScale) {
    add(
        0,
        DATA,
        TcpSegment.of(40000, 5001, ISN, 0, TcpSegment.SYN, 65535)
            .withOptions(TcpOptions.NONE.withMss(MSS).withWindowScale(clientScale)));
    add(
        0.010,
        ACKS,
        TcpSegment.of(5001, 40000, PEER_ISN, ISN + 1, TcpSegment.SYN | TcpSegment.ACK, 65535)
            .withOptions(TcpOptions.NONE.withMss(MSS).withWindowScale(serverScale)));
  }

  private void data(double seconds, int seq, int length) {
    add(
        seconds,
        DATA,
        TcpSegment.of(40000, 5001, seq, PEER_ISN + 1, TcpSegment.ACK, 1000)
            .withPayload(ByteString.fromArray(new byte[length])));
  }

  private void ack(double seconds, int ack, int window, SackBlock... sacks) {
    add(
        seconds,
        ACKS,
        TcpSegment.of(5001, 40000, PEER_ISN + 1, ack, TcpSegment.ACK, window)
            .withOptions(TcpOptions.NONE.withSackBlocks(List.of(sacks))));
  }

  @Test
  @DisplayName(
      "a lost segment sent again is the one retransmission; sequence numbers count from the SYN's")
  void retransmissionIsSequenceSpaceSentBefore() {
    handshake(7, 7);
    data(0.020, ISN + 1, MSS); // 1..1001
    data(0.021, ISN + 1 + MSS, MSS); // lost on the way
    data(0.022, ISN + 1 + 2 * MSS, MSS);
    data(0.023, ISN + 1 + 3 * MSS, MSS);
    data(0.060, ISN + 1 + MSS, MSS); // fast retransmit of 1001..2001
    data(0.070, ISN + 1 + 4 * MSS, 500); // new data after it: not a retransmission

    TimeSequenceSeries s = TimeSequenceSeries.of(capture, DATA);

    List<Boolean> marked = s.sent().stream().map(TimeSequenceSeries.Sent::retransmission).toList();
    assertEquals(
        List.of(false, false, false, false, false, true, false), marked, s.sent().toString());
    assertEquals(1, s.retransmissions());
    TimeSequenceSeries.Sent syn = s.sent().get(0);
    assertEquals(new TimeSequenceSeries.Sent(0, 0, 1, false), syn, "the SYN takes one");
    TimeSequenceSeries.Sent again = s.sent().get(5);
    assertEquals(1 + MSS, again.start());
    assertEquals(1 + 2 * MSS, again.end());
    assertEquals(0.060, again.seconds(), 1e-9);
    assertEquals(4 * MSS + 501, s.sent().get(6).end());
  }

  @Test
  @DisplayName(
      "a segment that overlaps what was sent before and carries new data counts as a "
          + "retransmission (it repeats bytes), as Wireshark marks it")
  void overlapIsRetransmission() {
    handshake(0, 0);
    data(0.020, ISN + 1, MSS);
    data(0.030, ISN + 1 + MSS / 2, MSS);
    assertEquals(
        List.of(false, false, true),
        TimeSequenceSeries.of(capture, DATA).sent().stream()
            .map(TimeSequenceSeries.Sent::retransmission)
            .toList());
  }

  @Test
  @DisplayName(
      "ACKs and SACK blocks come from the other direction, relative to the sender's ISN; "
          + "the window edge is ack + window << the receiver's scale, unscaled in the SYN-ACK")
  void acksWindowAndSackBlocks() {
    handshake(2, 3);
    data(0.020, ISN + 1, MSS);
    data(0.021, ISN + 1 + MSS, MSS);
    data(0.022, ISN + 1 + 2 * MSS, MSS);
    ack(0.031, ISN + 1 + MSS, 100, new SackBlock(ISN + 1 + 2 * MSS, ISN + 1 + 3 * MSS));

    TimeSequenceSeries s = TimeSequenceSeries.of(capture, DATA);

    assertTrue(s.windowScaled());
    assertEquals(
        List.of(
            new TimeSequenceSeries.Ack(0.010, 1, 1 + 65535),
            new TimeSequenceSeries.Ack(0.031, 1 + MSS, 1 + MSS + (100 << 3))),
        s.acks().stream()
            .map(
                a ->
                    new TimeSequenceSeries.Ack(
                        Math.round(a.seconds() * 1e3) / 1e3, a.ack(), a.windowEnd()))
            .toList());
    assertEquals(1, s.sacks().size());
    assertEquals(1 + 2 * MSS, s.sacks().get(0).left());
    assertEquals(1 + 3 * MSS, s.sacks().get(0).right());
  }

  @Test
  @DisplayName(
      "without the handshake the first segment's sequence number is zero and windows "
          + "are drawn unscaled")
  void midConnectionCapture() {
    data(0.5, ISN + 50_000, MSS);
    ack(0.6, ISN + 50_000 + MSS, 200);
    TimeSequenceSeries s = TimeSequenceSeries.of(capture, DATA);
    assertFalse(s.windowScaled());
    assertEquals(new TimeSequenceSeries.Sent(0, 0, MSS, false), s.sent().get(0));
    assertEquals(MSS + 200, s.acks().get(0).windowEnd());
  }

  @Test
  @DisplayName("sequence numbers keep growing past 2^32: a wrap is not a retransmission")
  void sequenceWrap() {
    int near = -MSS; // 2^32 - 1000
    data(0, near, MSS);
    data(0.001, 0, MSS);
    data(0.002, MSS, MSS);
    TimeSequenceSeries s = TimeSequenceSeries.of(capture, DATA);
    assertEquals(
        List.of(0L, (long) MSS, 2L * MSS),
        s.sent().stream().map(TimeSequenceSeries.Sent::start).toList());
    assertEquals(0, s.retransmissions());
  }

  @Test
  @DisplayName(
      "by default the direction with the most data; a direction not in the capture "
          + "is an error naming it")
  void directions() {
    handshake(0, 0);
    data(0.02, ISN + 1, MSS);
    ack(0.03, ISN + 1 + MSS, 100);
    List<TimeSequenceSeries.DirectionSummary> all = TimeSequenceSeries.directions(capture);
    assertEquals(
        List.of(DATA, ACKS),
        all.stream().map(TimeSequenceSeries.DirectionSummary::direction).toList());
    assertEquals(MSS, all.get(0).payloadBytes());
    assertEquals(2, all.get(0).segments());
    TcpDirection other = TcpDirection.parse("10.0.0.9:1>10.0.0.3:5001");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TimeSequenceSeries.of(capture, other));
    assertTrue(e.getMessage().contains("10.0.0.9:1>10.0.0.3:5001"), e.getMessage());
  }

  @Test
  @DisplayName("a direction is written ADDR:PORT>ADDR:PORT (or ->), and anything else is refused")
  void directionSyntax() {
    assertEquals(DATA, TcpDirection.parse(" 10.0.0.2:40000 -> 10.0.0.3:5001 "));
    assertEquals("10.0.0.2:40000>10.0.0.3:5001", DATA.toString());
    assertThrows(IllegalArgumentException.class, () -> TcpDirection.parse("10.0.0.2>10.0.0.3"));
    assertThrows(
        IllegalArgumentException.class, () -> TcpDirection.parse("10.0.0.2:70000>10.0.0.3:1"));
  }
}
