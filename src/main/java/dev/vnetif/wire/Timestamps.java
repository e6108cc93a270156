package dev.vnetif.wire;

/**
 * The TCP timestamps option (RFC 7323 §3.2): the sender's clock and the most recent timestamp it
 * received, both unsigned 32-bit values held in ints.
 *
 * @param value TSval
 * @param echoReply TSecr, 0 when not (yet) echoing anything
 */
public record Timestamps(int value, int echoReply) {

  @Override
  public String toString() {
    return Integer.toUnsignedString(value) + "/" + Integer.toUnsignedString(echoReply);
  }
}
