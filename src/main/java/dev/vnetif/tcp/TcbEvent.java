package dev.vnetif.tcp;

import org.apache.pekko.util.ByteString;

/** What a {@link Tcb} tells its user. */
public sealed interface TcbEvent {

  /** The handshake completed (RFC 9293: entering ESTABLISHED). */
  record Established() implements TcbEvent {}

  /** In-order bytes from the peer; they count against the receive window until consumed. */
  record DataReceived(ByteString data) implements TcbEvent {}

  /** The peer sent FIN after all its data: no more bytes will come. */
  record PeerFinished() implements TcbEvent {}

  /**
   * The peer acknowledged data: {@code acknowledgedTotal} bytes of everything ever written are now
   * acknowledged, and the send buffer has {@code sendBufferFree} bytes of space (the "send space
   * available" signal).
   */
  record DataAcknowledged(long acknowledgedTotal, int sendBufferFree) implements TcbEvent {}

  /** Moved between states; for observers, stats and tests. */
  record StateChanged(TcpState from, TcpState to) implements TcbEvent {}

  /** The connection is over; nothing more will happen. */
  record Closed(CloseReason reason) implements TcbEvent {}

  TcbEvent ESTABLISHED = new Established();
  TcbEvent PEER_FINISHED = new PeerFinished();
}
