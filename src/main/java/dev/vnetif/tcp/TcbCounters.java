package dev.vnetif.tcp;

/**
 * What one connection has done so far, counted as it happens and reported in {@link TcbStats}.
 * Totals since the block was made; a passive block that returns to LISTEN keeps counting. Not
 * thread-safe: one instance belongs to one {@link Tcb}.
 */
final class TcbCounters {
  private long segmentsSent;
  private long segmentsReceived;
  private long bytesSent;
  private long bytesReceived;
  private long retransmittedSegments;
  private long fastRetransmits;
  private long timeouts;
  private long challengeAcks;
  private long zeroWindowProbes;
  private long keepaliveProbes;
  private long pawsRejected;
  private long sackBlocksReceived;
  private long dsacksReceived;
  private long tailLossProbes;

  /** Any segment went out, RSTs included. */
  void segmentSent() {
    segmentsSent++;
  }

  /** Any segment came in, acceptable or not. */
  void segmentReceived() {
    segmentsReceived++;
  }

  /** Data bytes sent for the first time (a retransmission does not count them again). */
  void newDataSent(int bytes) {
    bytesSent += bytes;
  }

  /** Data bytes delivered to the application in order. */
  void dataReceived(int bytes) {
    bytesReceived += bytes;
  }

  /** A segment (SYN, data or FIN) went out again. */
  void retransmitted() {
    retransmittedSegments++;
  }

  /**
   * Fast recovery began: on the third duplicate ACK (RFC 5681 §3.2) or on RACK's first loss (RFC
   * 8985 §6.2).
   */
  void fastRetransmit() {
    fastRetransmits++;
  }

  /** The retransmission timer expired (RFC 6298 §5.4). */
  void timeout() {
    timeouts++;
  }

  /** A challenge ACK went out (RFC 5961). */
  void challengeAck() {
    challengeAcks++;
  }

  /** A zero-window probe went out (RFC 9293 §3.8.6.1). */
  void zeroWindowProbe() {
    zeroWindowProbes++;
  }

  /** A keepalive probe went out (RFC 1122 §4.2.3.6). */
  void keepaliveProbe() {
    keepaliveProbes++;
  }

  /** A segment failed PAWS (RFC 7323 §5.3 R1): answered with an ACK and dropped. */
  void pawsReject() {
    pawsRejected++;
  }

  /** The peer's ACK carried {@code n} SACK blocks (RFC 2018). */
  void sackBlocksReceived(int n) {
    sackBlocksReceived += n;
  }

  /** The peer's ACK reported a duplicate (RFC 2883 D-SACK). */
  void dsackReceived() {
    dsacksReceived++;
  }

  /** A tail loss probe went out (RFC 8985 §7.3). */
  void tailLossProbe() {
    tailLossProbes++;
  }

  long tailLossProbes() {
    return tailLossProbes;
  }

  long pawsRejected() {
    return pawsRejected;
  }

  long sackBlocksReceived() {
    return sackBlocksReceived;
  }

  long dsacksReceived() {
    return dsacksReceived;
  }

  long segmentsSent() {
    return segmentsSent;
  }

  long segmentsReceived() {
    return segmentsReceived;
  }

  long bytesSent() {
    return bytesSent;
  }

  long bytesReceived() {
    return bytesReceived;
  }

  long retransmittedSegments() {
    return retransmittedSegments;
  }

  long fastRetransmits() {
    return fastRetransmits;
  }

  long timeouts() {
    return timeouts;
  }

  long challengeAcks() {
    return challengeAcks;
  }

  long zeroWindowProbes() {
    return zeroWindowProbes;
  }

  long keepaliveProbes() {
    return keepaliveProbes;
  }
}
