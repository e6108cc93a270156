package dev.vnetif.stack;

import dev.vnetif.wire.Ipv4Address;
import org.apache.pekko.util.ByteString;

/** One UDP datagram as the host received it. */
public record UdpReceived(
    Ipv4Address source,
    int sourcePort,
    Ipv4Address destination,
    int destinationPort,
    ByteString payload) {}
