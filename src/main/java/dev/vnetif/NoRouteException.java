package dev.vnetif;

/** The host has no route to the destination: it is off-link and no gateway is set. */
public class NoRouteException extends TcpException {
  public NoRouteException(String message) {
    super(message);
  }
}
