package dev.vnetif.tcp;

/** Why a connection reached CLOSED. */
public enum CloseReason {
  /** Both sides closed (after TIME_WAIT or LAST_ACK), or the user closed before connecting. */
  NORMAL,
  /** The peer reset an established connection (RFC 9293 §3.10.7.4, RFC 5961 §3.2). */
  RESET,
  /** The peer answered our SYN with RST (RFC 9293 §3.10.7.3): nothing listens there. */
  REFUSED,
  /** SYN or data retransmissions went unanswered. */
  TIMEOUT,
  /**
   * Keepalive probes went unanswered (RFC 1122 §4.2.3.6): the peer is gone. The seed's semantics:
   * reads then end with end-of-file, writes fail as closed.
   */
  KEEPALIVE_TIMEOUT,
  /** The local user aborted (RST sent where RFC 9293 §3.10.5 says so). */
  ABORTED
}
