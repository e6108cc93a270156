package dev.vnetif;

/**
 * The connection is closed for writing (the seed's <code>Closed</code>): a write after close, or
 * after keepalive found the peer gone. The message names the flow.
 */
public class ConnectionClosedException extends TcpException {
  public ConnectionClosedException(String message) {
    super(message);
  }
}
