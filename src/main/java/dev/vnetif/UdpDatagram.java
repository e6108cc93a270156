package dev.vnetif;

import java.net.InetSocketAddress;
import org.apache.pekko.util.ByteString;

/** One received UDP datagram: who sent it, to which local address and port, and its data. */
public record UdpDatagram(InetSocketAddress src, InetSocketAddress dst, ByteString payload) {}
