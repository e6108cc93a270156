package dev.vnetif;

/**
 * A route exists but the next hop never answered ARP (RFC 1122 §2.3.2.1), or the host was
 * disconnected while waiting: the datagram could not be delivered on the link.
 */
public class HostUnreachableException extends NoRouteException {
  public HostUnreachableException(String message) {
    super(message);
  }
}
