package dev.vnetif.wire;

/**
 * Thrown by the {@code parse} methods of this package when bytes cannot be read as the expected
 * packet. The {@link #reason()} is what callers count and act on; the detail is for humans.
 *
 * <p>The exception is cheap by design, since bad input is dropped on the per-packet path: it
 * records no stack trace and builds its message only when {@link #getMessage()} is called. The
 * message is {@code "<reason>: <detail>"}.
 */
public final class MalformedPacketException extends Exception {

  /** Why a packet was rejected; one value per counter in the stack's statistics. */
  public enum Reason {
    /** Fewer bytes than the fixed part of the header needs. */
    TRUNCATED,
    /** A length field disagrees with the buffer (too short or past its end). */
    BAD_LENGTH,
    /** The internet checksum (RFC 1071) does not verify. */
    BAD_CHECKSUM,
    /** An IP version other than 4. */
    BAD_VERSION,
    /** A header length field (IPv4 IHL, TCP data offset) below its minimum. */
    BAD_HEADER_LENGTH,
    /**
     * A TCP option whose length byte is missing, too small, past the end, or wrong for its kind.
     */
    BAD_OPTION_LENGTH,
    /** Well-formed but outside what this stack handles (802.1Q tags, non-IPv4 ARP, ...). */
    UNSUPPORTED
  }

  private final Reason reason;
  private final String detail;

  /**
   * @param reason why the packet was rejected, never null
   * @param detail a short human-readable explanation, ideally a constant string
   */
  public MalformedPacketException(Reason reason, String detail) {
    // No cause, no suppression, no stack trace: construction costs one allocation.
    super(null, null, false, false);
    this.reason = java.util.Objects.requireNonNull(reason, "reason");
    this.detail = detail;
  }

  /** Why the packet was rejected. */
  public Reason reason() {
    return reason;
  }

  /** The human-readable explanation given at construction. */
  public String detail() {
    return detail;
  }

  @Override
  public String getMessage() {
    return reason + ": " + detail;
  }
}
