package dev.vnetif;

/**
 * The peer answered the SYN with RST: nothing listens on that port (the seed's <code>Refused</code>
 * ). The message names the flow.
 */
public class ConnectionRefusedException extends TcpException {
  public ConnectionRefusedException(String message) {
    super(message);
  }
}
