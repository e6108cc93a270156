package dev.vnetif;

/** The peer reset the connection (RST). The message names the flow. */
public class ConnectionResetException extends TcpException {
  public ConnectionResetException(String message) {
    super(message);
  }
}
