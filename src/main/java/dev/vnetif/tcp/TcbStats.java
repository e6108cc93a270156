package dev.vnetif.tcp;

/**
 * A snapshot of one connection: where it is and how it has gone. Times in nanoseconds, windows in
 * bytes. {@code pawsRejected} counts segments dropped as old duplicates (RFC 7323 §5.3); {@code
 * sackBlocksReceived} and {@code dsacksReceived} the SACK blocks and D-SACKs (RFC 2018, RFC 2883)
 * the peer's ACKs carried. {@code bytesInFlight} is RFC 5681's FlightSize: sequence space sent and
 * not yet acknowledged ({@code SND.NXT - SND.UNA}, so a SYN or FIN in flight counts one). {@code
 * tailLossProbes} counts RACK-TLP's probes (RFC 8985 §7); {@code fastRetransmits} counts every
 * start of fast recovery, by three duplicate ACKs or by RACK.
 */
public record TcbStats(
    TcpState state,
    long srttNanos,
    long rttvarNanos,
    long rtoNanos,
    int cwnd,
    int ssthresh,
    int sendWindow,
    int receiveWindow,
    int sendMss,
    long bytesSent,
    long bytesAcked,
    long bytesReceived,
    long segmentsSent,
    long segmentsReceived,
    long retransmittedSegments,
    long fastRetransmits,
    long timeouts,
    long challengeAcks,
    long zeroWindowProbes,
    long keepaliveProbes,
    long pawsRejected,
    long sackBlocksReceived,
    long dsacksReceived,
    long bytesInFlight,
    long tailLossProbes) {

  /** The snapshot as it was before {@code tailLossProbes}; they count as none. */
  public TcbStats(
      TcpState state,
      long srttNanos,
      long rttvarNanos,
      long rtoNanos,
      int cwnd,
      int ssthresh,
      int sendWindow,
      int receiveWindow,
      int sendMss,
      long bytesSent,
      long bytesAcked,
      long bytesReceived,
      long segmentsSent,
      long segmentsReceived,
      long retransmittedSegments,
      long fastRetransmits,
      long timeouts,
      long challengeAcks,
      long zeroWindowProbes,
      long keepaliveProbes,
      long pawsRejected,
      long sackBlocksReceived,
      long dsacksReceived,
      long bytesInFlight) {
    this(
        state,
        srttNanos,
        rttvarNanos,
        rtoNanos,
        cwnd,
        ssthresh,
        sendWindow,
        receiveWindow,
        sendMss,
        bytesSent,
        bytesAcked,
        bytesReceived,
        segmentsSent,
        segmentsReceived,
        retransmittedSegments,
        fastRetransmits,
        timeouts,
        challengeAcks,
        zeroWindowProbes,
        keepaliveProbes,
        pawsRejected,
        sackBlocksReceived,
        dsacksReceived,
        bytesInFlight,
        0);
  }

  /** The snapshot of one block's parts; before the handshake there is no congestion window. */
  static TcbStats of(
      TcpState state,
      RttEstimator rtt,
      LossRecovery recovery,
      SendSequence snd,
      ReceiveSequence rcv,
      TcbCounters counters) {
    return new TcbStats(
        state,
        rtt.srttNanos(),
        rtt.rttvarNanos(),
        rtt.rtoNanos(),
        recovery == null ? 0 : recovery.cc.cwnd(),
        recovery == null ? Integer.MAX_VALUE : recovery.cc.ssthresh(),
        snd.sndWnd(),
        rcv.window(),
        snd.effectiveMss(),
        counters.bytesSent(),
        snd.buffer().consumedTotal(),
        counters.bytesReceived(),
        counters.segmentsSent(),
        counters.segmentsReceived(),
        counters.retransmittedSegments(),
        counters.fastRetransmits(),
        counters.timeouts(),
        counters.challengeAcks(),
        counters.zeroWindowProbes(),
        counters.keepaliveProbes(),
        counters.pawsRejected(),
        counters.sackBlocksReceived(),
        counters.dsacksReceived(),
        snd.flightSize(),
        counters.tailLossProbes());
  }
}
