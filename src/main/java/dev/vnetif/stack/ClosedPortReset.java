package dev.vnetif.stack;

import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import org.apache.pekko.util.ByteString;

/** The reply to a segment for which no connection exists (RFC 9293 §3.10.7.1, CLOSED). */
final class ClosedPortReset {
  private ClosedPortReset() {}

  /**
   * The RST answering {@code segment}, or null when none may be sent (never answer a RST). With ACK
   * set: {@code <SEQ=SEG.ACK><CTL=RST>}; otherwise {@code
   * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>}.
   */
  static TcpSegment replyTo(TcpSegment segment) {
    if (segment.isRst()) {
      return null;
    }
    if (segment.isAck()) {
      return new TcpSegment(
          segment.destinationPort(),
          segment.sourcePort(),
          segment.ack(),
          0,
          TcpSegment.RST,
          0,
          0,
          TcpOptions.NONE,
          ByteString.emptyByteString());
    }
    return new TcpSegment(
        segment.destinationPort(),
        segment.sourcePort(),
        0,
        segment.seq() + segment.segmentLength(),
        TcpSegment.RST | TcpSegment.ACK,
        0,
        0,
        TcpOptions.NONE,
        ByteString.emptyByteString());
  }
}
