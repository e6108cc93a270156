package dev.vnetif.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vnetif.wire.MalformedPacketException.Reason;
import org.junit.jupiter.api.function.Executable;

/** Asserts that a parse fails with a given reason. */
final class Malformed {

  private Malformed() {}

  static MalformedPacketException assertMalformed(Reason expected, Executable parse) {
    MalformedPacketException e = assertThrows(MalformedPacketException.class, parse);
    assertEquals(expected, e.reason(), e.getMessage());
    return e;
  }

  static void assertMalformed(Reason expected, Executable parse, String context) {
    MalformedPacketException e = assertThrows(MalformedPacketException.class, parse, context);
    assertEquals(expected, e.reason(), context + ": " + e.getMessage());
  }
}
