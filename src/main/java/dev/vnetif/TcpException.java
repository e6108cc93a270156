package dev.vnetif;

import org.apache.pekko.stream.StreamTcpException;

/**
 * Root of the errors a virtual connection (or the routing under it) fails with. Extends Pekko's
 * {@link StreamTcpException} so code written against Pekko's {@code Tcp} handles them unchanged.
 * Every message names the flow or address and the cause.
 */
public class TcpException extends StreamTcpException {
  public TcpException(String message) {
    super(message);
  }
}
