package dev.vnetif.cli;

import dev.vnetif.wire.Ipv4Address;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One direction of a TCP connection in a capture: the segments sent from {@code source:sourcePort}
 * to {@code destination:destinationPort}. Written and parsed as {@code 10.0.0.2:49152>10.0.0.3:80}.
 */
record TcpDirection(
    Ipv4Address source, int sourcePort, Ipv4Address destination, int destinationPort) {

  private static final Pattern FORM =
      Pattern.compile("\\s*([0-9.]+):(\\d{1,5})\\s*(?:>|->)\\s*([0-9.]+):(\\d{1,5})\\s*");

  /** The other direction of the same connection. */
  TcpDirection reverse() {
    return new TcpDirection(destination, destinationPort, source, sourcePort);
  }

  /**
   * {@code ADDRESS:PORT>ADDRESS:PORT} (or {@code ->}).
   *
   * @throws IllegalArgumentException when {@code text} is not of that form
   */
  static TcpDirection parse(String text) {
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a flow direction; expected ADDRESS:PORT>ADDRESS:PORT");
    }
    return new TcpDirection(
        Ipv4Address.of(m.group(1)),
        port(m.group(2), text),
        Ipv4Address.of(m.group(3)),
        port(m.group(4), text));
  }

  private static int port(String digits, String text) {
    int port = Integer.parseInt(digits);
    if (port > 65535) {
      throw new IllegalArgumentException("'" + text + "': port " + port + " is above 65535");
    }
    return port;
  }

  @Override
  public String toString() {
    return source + ":" + sourcePort + ">" + destination + ":" + destinationPort;
  }
}
