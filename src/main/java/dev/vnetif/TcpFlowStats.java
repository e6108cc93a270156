package dev.vnetif;

import dev.vnetif.tcp.TcbStats;
import dev.vnetif.tcp.TcpState;
import java.time.Duration;

/**
 * One connection's state and history, as last published by its actor.
 *
 * @param state RFC 9293 state
 * @param srtt smoothed round-trip time (RFC 6298)
 * @param rto current retransmission timeout
 * @param cwnd congestion window, bytes
 * @param ssthresh slow-start threshold, bytes (Integer.MAX_VALUE until the first loss)
 * @param sendWindow the peer's advertised window, bytes
 * @param receiveWindow our advertised window, bytes
 * @param mss effective send MSS
 * @param bytesSent new data bytes sent (not counting retransmissions)
 * @param bytesAcked bytes the peer acknowledged
 * @param bytesReceived bytes received in order
 * @param segmentsSent segments sent, all kinds
 * @param segmentsReceived segments received, all kinds
 * @param retransmits segments retransmitted
 * @param fastRetransmits fast recoveries begun, after three duplicate ACKs or by RACK (RFC 8985)
 * @param timeouts retransmission timeouts
 * @param bytesInFlight sent and not yet acknowledged (RFC 5681 FlightSize: SND.NXT - SND.UNA, so a
 *     SYN or FIN in flight counts one); 0 from the constructor without it
 * @param tailLossProbes tail loss probes sent (RACK-TLP, RFC 8985 §7); 0 from the constructors
 *     without it
 */
public record TcpFlowStats(
    TcpState state,
    Duration srtt,
    Duration rto,
    int cwnd,
    int ssthresh,
    int sendWindow,
    int receiveWindow,
    int mss,
    long bytesSent,
    long bytesAcked,
    long bytesReceived,
    long segmentsSent,
    long segmentsReceived,
    long retransmits,
    long fastRetransmits,
    long timeouts,
    long bytesInFlight,
    long tailLossProbes) {

  /** The stats without {@code tailLossProbes} (0), as this record was before it had them. */
  public TcpFlowStats(
      TcpState state,
      Duration srtt,
      Duration rto,
      int cwnd,
      int ssthresh,
      int sendWindow,
      int receiveWindow,
      int mss,
      long bytesSent,
      long bytesAcked,
      long bytesReceived,
      long segmentsSent,
      long segmentsReceived,
      long retransmits,
      long fastRetransmits,
      long timeouts,
      long bytesInFlight) {
    this(
        state,
        srtt,
        rto,
        cwnd,
        ssthresh,
        sendWindow,
        receiveWindow,
        mss,
        bytesSent,
        bytesAcked,
        bytesReceived,
        segmentsSent,
        segmentsReceived,
        retransmits,
        fastRetransmits,
        timeouts,
        bytesInFlight,
        0);
  }

  /** The stats without {@code bytesInFlight} (0), as this record was before it had one. */
  public TcpFlowStats(
      TcpState state,
      Duration srtt,
      Duration rto,
      int cwnd,
      int ssthresh,
      int sendWindow,
      int receiveWindow,
      int mss,
      long bytesSent,
      long bytesAcked,
      long bytesReceived,
      long segmentsSent,
      long segmentsReceived,
      long retransmits,
      long fastRetransmits,
      long timeouts) {
    this(
        state,
        srtt,
        rto,
        cwnd,
        ssthresh,
        sendWindow,
        receiveWindow,
        mss,
        bytesSent,
        bytesAcked,
        bytesReceived,
        segmentsSent,
        segmentsReceived,
        retransmits,
        fastRetransmits,
        timeouts,
        0,
        0);
  }

  static TcpFlowStats of(TcbStats s) {
    return new TcpFlowStats(
        s.state(),
        Duration.ofNanos(s.srttNanos()),
        Duration.ofNanos(s.rtoNanos()),
        s.cwnd(),
        s.ssthresh(),
        s.sendWindow(),
        s.receiveWindow(),
        s.sendMss(),
        s.bytesSent(),
        s.bytesAcked(),
        s.bytesReceived(),
        s.segmentsSent(),
        s.segmentsReceived(),
        s.retransmittedSegments(),
        s.fastRetransmits(),
        s.timeouts(),
        s.bytesInFlight(),
        s.tailLossProbes());
  }
}
