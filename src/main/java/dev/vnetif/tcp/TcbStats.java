package dev.vnetif.tcp;

/**
 * A snapshot of one connection: where it is and how it has gone. Times in nanoseconds, windows in
 * bytes.
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
    long keepaliveProbes) {}
