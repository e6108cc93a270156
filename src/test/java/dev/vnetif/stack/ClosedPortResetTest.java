package dev.vnetif.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** RFC 9293 §3.10.7.1: what a CLOSED port answers. */
class ClosedPortResetTest {

  private static final int CLIENT_PORT = 49_152;
  private static final int SERVER_PORT = 80;

  private static TcpSegment incoming(int seq, int ack, int flags, int payloadLength) {
    return new TcpSegment(
        CLIENT_PORT,
        SERVER_PORT,
        seq,
        ack,
        flags,
        65_535,
        0,
        TcpOptions.NONE.withMss(1460),
        ByteString.fromArray(new byte[payloadLength]));
  }

  /** A bare RST with the given numbers and flags, from the server port back to the client. */
  private static TcpSegment reset(int seq, int ack, int flags) {
    return new TcpSegment(
        SERVER_PORT,
        CLIENT_PORT,
        seq,
        ack,
        flags,
        0,
        0,
        TcpOptions.NONE,
        ByteString.emptyByteString());
  }

  @Test
  @DisplayName("A segment with ACK gets <SEQ=SEG.ACK><CTL=RST>: ack 0, flags exactly RST")
  void ackedSegmentGetsRstAtItsAck() {
    TcpSegment reply = ClosedPortReset.replyTo(incoming(1_000, 5_000, TcpSegment.ACK, 10));
    assertEquals(reset(5_000, 0, TcpSegment.RST), reply);
    assertEquals(TcpSegment.RST, reply.flags());
  }

  @Test
  @DisplayName("A SYN|ACK gets <SEQ=SEG.ACK><CTL=RST> too: ACK decides, not SYN")
  void synAckGetsRstAtItsAck() {
    TcpSegment reply =
        ClosedPortReset.replyTo(incoming(1_000, 0xDEAD_BEEF, TcpSegment.SYN | TcpSegment.ACK, 0));
    assertEquals(reset(0xDEAD_BEEF, 0, TcpSegment.RST), reply);
  }

  @Test
  @DisplayName("A FIN|ACK with data gets <SEQ=SEG.ACK><CTL=RST>")
  void finAckGetsRstAtItsAck() {
    TcpSegment reply =
        ClosedPortReset.replyTo(
            incoming(7, 42, TcpSegment.FIN | TcpSegment.ACK | TcpSegment.PSH, 100));
    assertEquals(reset(42, 0, TcpSegment.RST), reply);
  }

  @Test
  @DisplayName("A SYN without ACK gets <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK>")
  void synGetsRstAckOnePastIt() {
    TcpSegment reply = ClosedPortReset.replyTo(incoming(1_000, 0, TcpSegment.SYN, 0));
    assertEquals(reset(0, 1_001, TcpSegment.RST | TcpSegment.ACK), reply);
  }

  @Test
  @DisplayName("Without ACK, SEG.LEN counts SYN, FIN and payload bytes")
  void segmentLengthCountsSynFinAndPayload() {
    assertEquals(
        reset(0, 1_000 + 1 + 1 + 20, TcpSegment.RST | TcpSegment.ACK),
        ClosedPortReset.replyTo(incoming(1_000, 0, TcpSegment.SYN | TcpSegment.FIN, 20)));
    assertEquals(
        reset(0, 1_000 + 20, TcpSegment.RST | TcpSegment.ACK),
        ClosedPortReset.replyTo(incoming(1_000, 0, TcpSegment.PSH, 20)));
    assertEquals(
        reset(0, 1_000 + 1, TcpSegment.RST | TcpSegment.ACK),
        ClosedPortReset.replyTo(incoming(1_000, 0, TcpSegment.FIN, 0)));
    assertEquals(
        reset(0, 1_000, TcpSegment.RST | TcpSegment.ACK),
        ClosedPortReset.replyTo(incoming(1_000, 0, 0, 0)),
        "no flags, no data: SEG.LEN 0");
  }

  @Test
  @DisplayName("Without ACK, the incoming ACK field is ignored")
  void ackFieldWithoutAckFlagIsIgnored() {
    TcpSegment reply = ClosedPortReset.replyTo(incoming(500, 0x1234_5678, TcpSegment.SYN, 0));
    assertEquals(reset(0, 501, TcpSegment.RST | TcpSegment.ACK), reply);
  }

  @Test
  @DisplayName("The reply swaps the ports and carries no data, no options and a zero window")
  void portsSwappedAndReplyIsBare() {
    TcpSegment in =
        new TcpSegment(
            12_345,
            8_080,
            1,
            0,
            TcpSegment.SYN,
            1_024,
            0,
            TcpOptions.NONE.withMss(536).withWindowScale(7),
            ByteString.fromArray(new byte[3]));
    TcpSegment reply = ClosedPortReset.replyTo(in);
    assertEquals(8_080, reply.sourcePort());
    assertEquals(12_345, reply.destinationPort());
    assertEquals(0, reply.window());
    assertEquals(0, reply.urgentPointer());
    assertTrue(reply.options().isEmpty());
    assertEquals(0, reply.payload().length());
  }

  @Test
  @DisplayName("A RST is never answered, with or without ACK")
  void rstIsNotAnswered() {
    assertNull(ClosedPortReset.replyTo(incoming(1, 0, TcpSegment.RST, 0)));
    assertNull(ClosedPortReset.replyTo(incoming(1, 2, TcpSegment.RST | TcpSegment.ACK, 0)));
    assertNull(ClosedPortReset.replyTo(incoming(1, 0, TcpSegment.RST | TcpSegment.SYN, 0)));
  }

  @Test
  @DisplayName("SEG.SEQ+SEG.LEN wraps modulo 2^32: seq 0xFFFFFFFF with SYN is acknowledged as 0")
  void acknowledgmentWrapsAround() {
    assertEquals(
        reset(0, 0, TcpSegment.RST | TcpSegment.ACK),
        ClosedPortReset.replyTo(incoming(0xFFFF_FFFF, 0, TcpSegment.SYN, 0)));
    assertEquals(
        reset(0, 9, TcpSegment.RST | TcpSegment.ACK),
        ClosedPortReset.replyTo(incoming(0xFFFF_FFF0, 0, TcpSegment.SYN | TcpSegment.FIN, 23)));
  }

  @Test
  @DisplayName("With ACK, a SEG.ACK with the top bit set is carried over unchanged")
  void highAckIsCarriedOver() {
    assertEquals(
        reset(0xFFFF_FFFF, 0, TcpSegment.RST),
        ClosedPortReset.replyTo(incoming(0, 0xFFFF_FFFF, TcpSegment.ACK, 0)));
  }
}
