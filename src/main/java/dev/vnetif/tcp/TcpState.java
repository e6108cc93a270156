package dev.vnetif.tcp;

/** The connection states of RFC 9293 §3.3.2. */
public enum TcpState {
  CLOSED,
  LISTEN,
  SYN_SENT,
  SYN_RECEIVED,
  ESTABLISHED,
  FIN_WAIT_1,
  FIN_WAIT_2,
  CLOSE_WAIT,
  CLOSING,
  LAST_ACK,
  TIME_WAIT;

  /** RFC 9293 §3.3.2: the states after the handshake in which sequence numbers are shared. */
  public boolean isSynchronized() {
    return ordinal() >= ESTABLISHED.ordinal();
  }

  /** States in which the application may still queue data for sending. */
  public boolean canSend() {
    return this == SYN_SENT || this == SYN_RECEIVED || this == ESTABLISHED || this == CLOSE_WAIT;
  }

  /** States in which data from the peer is still accepted (it has not sent its FIN). */
  public boolean canReceive() {
    return this == SYN_RECEIVED || this == ESTABLISHED || this == FIN_WAIT_1 || this == FIN_WAIT_2;
  }
}
