package dev.vnetif.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vnetif.wire.TcpSegment;
import org.junit.jupiter.api.Test;

class TcpFlagsTest {
  @Test
  void specsNameExactSetsInAnyOrderWithTcpdumpsDotForAck() {
    assertEquals(TcpSegment.SYN, TcpFlags.parse("S"));
    assertEquals(TcpSegment.SYN | TcpSegment.ACK, TcpFlags.parse("SA"));
    assertEquals(TcpSegment.SYN | TcpSegment.ACK, TcpFlags.parse("S."));
    assertEquals(TcpSegment.SYN | TcpSegment.ACK, TcpFlags.parse("as"));
    assertEquals(TcpSegment.FIN | TcpSegment.ACK, TcpFlags.parse("FA"));
    assertEquals(TcpSegment.RST, TcpFlags.parse("R"));
    assertEquals(TcpSegment.PSH | TcpSegment.ACK, TcpFlags.parse("P A"));
    assertEquals(0xFF, TcpFlags.parse("FSRPAUEW"));
    assertEquals(0, TcpFlags.parse(""));
  }

  @Test
  void formatIsTcpdumps() {
    assertEquals("[S]", TcpFlags.format(TcpFlags.parse("S")));
    assertEquals("[S.]", TcpFlags.format(TcpFlags.parse("AS")));
    assertEquals("[.]", TcpFlags.format(TcpFlags.parse("A")));
    assertEquals("[F.]", TcpFlags.format(TcpFlags.parse("AF")));
    assertEquals("[P.]", TcpFlags.format(TcpFlags.parse("PA")));
    assertEquals("[R]", TcpFlags.format(TcpFlags.parse("R")));
    assertEquals("[FSRP.UEW]", TcpFlags.format(0xFF));
    assertEquals("[none]", TcpFlags.format(0));
  }

  @Test
  void badSpecsSayWhatIsWrong() {
    assertEquals(
        "unknown TCP flag 'X' in \"SX\" (use S A . F R P U E W)",
        assertThrows(IllegalArgumentException.class, () -> TcpFlags.parse("SX")).getMessage());
    assertEquals(
        "TCP flag '.' named twice in \"A.\"",
        assertThrows(IllegalArgumentException.class, () -> TcpFlags.parse("A.")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> TcpFlags.parse(null));
  }
}
