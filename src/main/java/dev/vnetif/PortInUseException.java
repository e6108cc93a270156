package dev.vnetif;

import org.apache.pekko.stream.BindFailedException;

/**
 * {@link Tcp#bind} found the port taken. A Pekko {@link BindFailedException}, so code written
 * against Pekko Streams {@code Tcp} recognises it; the message names the address and port.
 */
public final class PortInUseException extends BindFailedException {
  private static final long serialVersionUID = 1L;

  private final String host;
  private final int port;

  public PortInUseException(String host, int port) {
    this.host = host;
    this.port = port;
  }

  @Override
  public String getMessage() {
    return "Bind failed: "
        + host
        + ":"
        + port
        + (port == 0 ? " has no free ephemeral port" : " is already in use");
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }
}
