package dev.vnetif.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vnetif.wire.MalformedPacketException.Reason;
import org.junit.jupiter.api.Test;

class MalformedPacketExceptionTest {

  @Test
  void messageIsReasonThenDetail() {
    MalformedPacketException e = new MalformedPacketException(Reason.BAD_CHECKSUM, "TCP checksum");
    assertEquals(Reason.BAD_CHECKSUM, e.reason());
    assertEquals("TCP checksum", e.detail());
    assertEquals("BAD_CHECKSUM: TCP checksum", e.getMessage());
  }

  @Test
  void recordsNoStackTrace() {
    MalformedPacketException e = new MalformedPacketException(Reason.TRUNCATED, "short");
    assertEquals(0, e.getStackTrace().length);
  }
}
