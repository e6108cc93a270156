package dev.vnetif.testsupport;

import dev.vnetif.wire.EthernetFrame;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.Ipv4Packet;
import dev.vnetif.wire.MacAddress;
import dev.vnetif.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.pekko.util.ByteString;

/** Capture files made by hand, byte by byte, for the readers of captures to read. */
public final class PcapFixtures {
  public static final Ipv4Address A = Ipv4Address.of("10.0.0.2");
  public static final Ipv4Address B = Ipv4Address.of("10.0.0.3");

  private PcapFixtures() {}

  /** An Ethernet frame with a TCP segment of {@code payload} bytes from A:40000 to B:5001. */
  public static ByteString frame(int seq, int payload) {
    TcpSegment tcp =
        TcpSegment.of(40000, 5001, seq, 1, TcpSegment.ACK, 1000)
            .withPayload(ByteString.fromArray(new byte[payload]));
    ByteString ip = Ipv4Packet.encode(A, B, Ipv4Packet.PROTO_TCP, 64, 1, true, tcp.encode(A, B));
    return EthernetFrame.encode(
        MacAddress.of("02:00:00:00:00:03"),
        MacAddress.of("02:00:00:00:00:02"),
        EthernetFrame.ETHERTYPE_IPV4,
        ip);
  }

  /**
   * A classic pcap file: {@code magic} in {@code order}, one record per frame, each whole.
   *
   * @param times two numbers per frame: seconds, then the fraction (µs or ns, as the magic says)
   */
  public static byte[] pcap(
      int magic, ByteOrder order, int linkType, long[] times, ByteString... frames) {
    int size = 24;
    for (ByteString f : frames) {
      size += 16 + f.length();
    }
    ByteBuffer out = ByteBuffer.allocate(size).order(order);
    out.putInt(magic).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0);
    out.putInt(65535).putInt(linkType);
    for (int i = 0; i < frames.length; i++) {
      out.putInt((int) times[i * 2]).putInt((int) times[i * 2 + 1]);
      out.putInt(frames[i].length()).putInt(frames[i].length());
      out.put(frames[i].toArray());
    }
    return out.array();
  }
}
