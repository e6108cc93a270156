package dev.vnetif.stack;

import dev.vnetif.wire.Ipv4Address;

/**
 * Identifies a connection on one host: the remote end and our port (our address is the host's). The
 * host's demultiplexer maps it to the flow actor.
 */
public record FlowKey(Ipv4Address remoteAddress, int remotePort, int localPort) {
  @Override
  public String toString() {
    return ":" + localPort + " -> " + remoteAddress + ":" + remotePort;
  }
}
