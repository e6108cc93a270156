package dev.vnetif.tcp;

import java.util.Locale;

/**
 * How a sender with SACK decides that a segment was lost before its retransmission timer says so.
 * Without SACK the peer cannot say which segments arrived, and both choices fall back to RFC 5681's
 * three duplicate ACKs with NewReno's partial ACKs (RFC 6582).
 */
public enum LossDetection {
  /**
   * RACK-TLP (RFC 8985), the default, as in Linux and gVisor: a segment is lost once a segment sent
   * after it was delivered and a round trip plus a reordering window has passed since it was sent;
   * a tail loss probe two round trips after the last transmission makes the receiver report the
   * loss of a flight's last segments, which no duplicate ACK would reveal.
   */
  RACK_TLP,

  /**
   * RFC 6675's DupThresh: a segment is lost once three segments (or more than two MSS) above it
   * were SACKed; recovery starts on the third duplicate ACK. No reorder timer, no probe.
   */
  DUP_ACK;

  /**
   * The choice a configuration names: {@code "rack"} (or {@code "rack-tlp"}) or {@code "dupack"},
   * in any case.
   *
   * @throws IllegalArgumentException for any other name, with the name in the message
   */
  public static LossDetection named(String name) {
    return switch (name.strip().toLowerCase(Locale.ROOT)) {
      case "rack", "rack-tlp" -> RACK_TLP;
      case "dupack", "dup-ack" -> DUP_ACK;
      default ->
          throw new IllegalArgumentException(
              "unknown loss detection '" + name + "', expected rack or dupack");
    };
  }
}
