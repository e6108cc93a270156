package dev.vnetif.stack;

import dev.vnetif.wire.MalformedPacketException;
import org.slf4j.Logger;

/**
 * How a host discards input it cannot use (CONVENTIONS.md "Errors and bad input"): counted under
 * one {@link DropReason}, logged at debug, never thrown.
 */
final class InputDrops {
  private final String hostName;
  private final HostCounters counters;
  private final Logger log;

  InputDrops(String hostName, HostCounters counters, Logger log) {
    this.hostName = hostName;
    this.counters = counters;
    this.log = log;
  }

  /** Counts and logs one discarded input; {@code cause} is null when nothing was malformed. */
  void drop(DropReason reason, MalformedPacketException cause) {
    counters.drop(reason);
    if (log.isDebugEnabled()) {
      log.debug(
          "{} dropped input: {}{}",
          hostName,
          reason,
          cause == null ? "" : " (" + cause.getMessage() + ")");
    }
  }

  /** {@code badChecksum} when the packet failed its checksum, else {@code malformed}. */
  static DropReason checksumOr(
      MalformedPacketException e, DropReason badChecksum, DropReason malformed) {
    return e.reason() == MalformedPacketException.Reason.BAD_CHECKSUM ? badChecksum : malformed;
  }
}
