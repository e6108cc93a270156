package dev.vnetif.stack;

import dev.vnetif.tcp.CloseReason;

/**
 * How {@link FlowHandle}'s stages fail: the connection ended (or was closed for writing), with why.
 * Not part of the public API: {@code dev.vnetif.TcpFlow} turns it into the {@code TcpException} of
 * API.md ("Errors").
 */
public final class FlowClosedException extends RuntimeException {
  private final CloseReason reason;

  FlowClosedException(CloseReason reason, String message) {
    super(message, null, false, false); // an answer, not a bug: no stack trace to fill
    this.reason = reason;
  }

  /** Why the connection ended; NORMAL for a write after our own close. */
  public CloseReason reason() {
    return reason;
  }
}
