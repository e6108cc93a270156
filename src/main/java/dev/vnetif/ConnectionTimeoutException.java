package dev.vnetif;

/**
 * SYN or data retransmissions went unanswered (the seed's <code>Timeout</code>). The message names
 * the flow.
 */
public class ConnectionTimeoutException extends TcpException {
  public ConnectionTimeoutException(String message) {
    super(message);
  }
}
