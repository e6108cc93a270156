package dev.vnetif.tcp;

import java.time.Duration;

/**
 * Everything a {@link Tcb} can be tuned by. {@link #defaults()} gives the values of {@code
 * reference.conf}; the {@code with...} methods return modified copies. Times are nanoseconds.
 *
 * @param mss MSS we advertise and the cap on what we send (MTU − 40)
 * @param receiveBufferSize receive window at most (bytes delivered but unread count against it)
 * @param sendBufferSize bytes written but not yet acknowledged, at most
 * @param initialRtoNanos RTO before any RTT sample (RFC 6298 §2.1: 1 s)
 * @param minRtoNanos lower bound of the RTO
 * @param maxRtoNanos upper bound of the RTO (also of the persist interval)
 * @param clockGranularityNanos G of RFC 6298 §2
 * @param maxRetransmissions consecutive data retransmission timeouts before giving up
 * @param maxSynRetransmissions SYN / SYN-ACK retransmissions before giving up
 * @param mslNanos maximum segment lifetime; TIME_WAIT lasts 2·MSL
 * @param delayedAckNanos longest an ACK is held (RFC 1122 §4.2.3.2: under 0.5 s)
 * @param nagle hold small segments while data is in flight (RFC 896)
 * @param minshallNagle Minshall's variant of Nagle (as Linux): hold a small segment only while an
 *     earlier small one is unacknowledged, so a request's or reply's short tail is not held for a
 *     delayed ACK of full segments
 * @param windowScaling offer window scaling (RFC 7323 §2)
 * @param keepalive keepalive probing, or null for none
 * @param challengeAckLimit challenge ACKs per second at most (RFC 5961 §7)
 * @param maxReassemblyRanges out-of-order ranges held at most
 * @param congestionControl makes each connection's congestion control (NewReno by default)
 */
public record TcpConfig(
    int mss,
    int receiveBufferSize,
    int sendBufferSize,
    long initialRtoNanos,
    long minRtoNanos,
    long maxRtoNanos,
    long clockGranularityNanos,
    int maxRetransmissions,
    int maxSynRetransmissions,
    long mslNanos,
    long delayedAckNanos,
    boolean nagle,
    boolean minshallNagle,
    boolean windowScaling,
    KeepaliveSettings keepalive,
    int challengeAckLimit,
    int maxReassemblyRanges,
    CongestionControlFactory congestionControl) {

  public TcpConfig {
    require(mss >= 1 && mss <= 65535, "mss must be within 1..65535, got " + mss);
    require(receiveBufferSize >= 1, "receive buffer must be >= 1, got " + receiveBufferSize);
    require(
        receiveBufferSize <= (1 << 30),
        "receive buffer must be <= 1 GiB (RFC 7323 §2.3), got " + receiveBufferSize);
    require(sendBufferSize >= 1, "send buffer must be >= 1, got " + sendBufferSize);
    require(
        minRtoNanos > 0 && minRtoNanos <= initialRtoNanos && initialRtoNanos <= maxRtoNanos,
        "need 0 < min-rto <= initial-rto <= max-rto, got "
            + minRtoNanos
            + ", "
            + initialRtoNanos
            + ", "
            + maxRtoNanos
            + " ns");
    require(clockGranularityNanos >= 0, "clock granularity must be >= 0");
    require(maxRetransmissions >= 1, "max retransmissions must be >= 1, got " + maxRetransmissions);
    require(
        maxSynRetransmissions >= 0,
        "max SYN retransmissions must be >= 0, got " + maxSynRetransmissions);
    require(mslNanos >= 0, "msl must be >= 0, got " + mslNanos);
    require(
        delayedAckNanos >= 0 && delayedAckNanos < 500_000_000L,
        "delayed ACK must be within 0..500 ms (RFC 1122 §4.2.3.2), got " + delayedAckNanos + " ns");
    require(challengeAckLimit >= 1, "challenge ACK limit must be >= 1, got " + challengeAckLimit);
    require(maxReassemblyRanges >= 1, "reassembly ranges must be >= 1, got " + maxReassemblyRanges);
    require(congestionControl != null, "congestion control factory must not be null");
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  private static long nanos(long millis) {
    return Duration.ofMillis(millis).toNanos();
  }

  /** MSS 1460 (MTU 1500), 256 KiB buffers, RTO 1 s initial within [200 ms, 60 s], MSL 30 s. */
  public static TcpConfig defaults() {
    return new TcpConfig(
        1460,
        256 * 1024,
        256 * 1024,
        nanos(1000),
        nanos(200),
        nanos(60_000),
        nanos(1),
        12,
        5,
        nanos(30_000),
        nanos(40),
        true,
        true,
        true,
        null,
        1000,
        64,
        CongestionControlFactory.NEW_RENO);
  }

  public TcpConfig withMss(int value) {
    return new TcpConfig(
        value,
        receiveBufferSize,
        sendBufferSize,
        initialRtoNanos,
        minRtoNanos,
        maxRtoNanos,
        clockGranularityNanos,
        maxRetransmissions,
        maxSynRetransmissions,
        mslNanos,
        delayedAckNanos,
        nagle,
        minshallNagle,
        windowScaling,
        keepalive,
        challengeAckLimit,
        maxReassemblyRanges,
        congestionControl);
  }

  public TcpConfig withBuffers(int receive, int send) {
    return new TcpConfig(
        mss,
        receive,
        send,
        initialRtoNanos,
        minRtoNanos,
        maxRtoNanos,
        clockGranularityNanos,
        maxRetransmissions,
        maxSynRetransmissions,
        mslNanos,
        delayedAckNanos,
        nagle,
        minshallNagle,
        windowScaling,
        keepalive,
        challengeAckLimit,
        maxReassemblyRanges,
        congestionControl);
  }

  public TcpConfig withRto(long initial, long min, long max) {
    return new TcpConfig(
        mss,
        receiveBufferSize,
        sendBufferSize,
        initial,
        min,
        max,
        clockGranularityNanos,
        maxRetransmissions,
        maxSynRetransmissions,
        mslNanos,
        delayedAckNanos,
        nagle,
        minshallNagle,
        windowScaling,
        keepalive,
        challengeAckLimit,
        maxReassemblyRanges,
        congestionControl);
  }

  public TcpConfig withRetransmissions(int data, int syn) {
    return new TcpConfig(
        mss,
        receiveBufferSize,
        sendBufferSize,
        initialRtoNanos,
        minRtoNanos,
        maxRtoNanos,
        clockGranularityNanos,
        data,
        syn,
        mslNanos,
        delayedAckNanos,
        nagle,
        minshallNagle,
        windowScaling,
        keepalive,
        challengeAckLimit,
        maxReassemblyRanges,
        congestionControl);
  }

  public TcpConfig withMsl(long nanos) {
    return new TcpConfig(
        mss,
        receiveBufferSize,
        sendBufferSize,
        initialRtoNanos,
        minRtoNanos,
        maxRtoNanos,
        clockGranularityNanos,
        maxRetransmissions,
        maxSynRetransmissions,
        nanos,
        delayedAckNanos,
        nagle,
        minshallNagle,
        windowScaling,
        keepalive,
        challengeAckLimit,
        maxReassemblyRanges,
        congestionControl);
  }

  public TcpConfig withDelayedAck(long nanos) {
    return new TcpConfig(
        mss,
        receiveBufferSize,
        sendBufferSize,
        initialRtoNanos,
        minRtoNanos,
        maxRtoNanos,
        clockGranularityNanos,
        maxRetransmissions,
        maxSynRetransmissions,
        mslNanos,
        nanos,
        nagle,
        minshallNagle,
        windowScaling,
        keepalive,
        challengeAckLimit,
        maxReassemblyRanges,
        congestionControl);
  }

  public TcpConfig withNagle(boolean on) {
    return new TcpConfig(
        mss,
        receiveBufferSize,
        sendBufferSize,
        initialRtoNanos,
        minRtoNanos,
        maxRtoNanos,
        clockGranularityNanos,
        maxRetransmissions,
        maxSynRetransmissions,
        mslNanos,
        delayedAckNanos,
        on,
        minshallNagle,
        windowScaling,
        keepalive,
        challengeAckLimit,
        maxReassemblyRanges,
        congestionControl);
  }

  /** Minshall's variant of Nagle (on) or RFC 896 as written (off); moot with Nagle off. */
  public TcpConfig withMinshallNagle(boolean on) {
    return new TcpConfig(
        mss,
        receiveBufferSize,
        sendBufferSize,
        initialRtoNanos,
        minRtoNanos,
        maxRtoNanos,
        clockGranularityNanos,
        maxRetransmissions,
        maxSynRetransmissions,
        mslNanos,
        delayedAckNanos,
        nagle,
        on,
        windowScaling,
        keepalive,
        challengeAckLimit,
        maxReassemblyRanges,
        congestionControl);
  }

  public TcpConfig withWindowScaling(boolean on) {
    return new TcpConfig(
        mss,
        receiveBufferSize,
        sendBufferSize,
        initialRtoNanos,
        minRtoNanos,
        maxRtoNanos,
        clockGranularityNanos,
        maxRetransmissions,
        maxSynRetransmissions,
        mslNanos,
        delayedAckNanos,
        nagle,
        minshallNagle,
        on,
        keepalive,
        challengeAckLimit,
        maxReassemblyRanges,
        congestionControl);
  }

  public TcpConfig withKeepalive(KeepaliveSettings settings) {
    return new TcpConfig(
        mss,
        receiveBufferSize,
        sendBufferSize,
        initialRtoNanos,
        minRtoNanos,
        maxRtoNanos,
        clockGranularityNanos,
        maxRetransmissions,
        maxSynRetransmissions,
        mslNanos,
        delayedAckNanos,
        nagle,
        minshallNagle,
        windowScaling,
        settings,
        challengeAckLimit,
        maxReassemblyRanges,
        congestionControl);
  }

  public TcpConfig withCongestionControl(CongestionControlFactory factory) {
    return new TcpConfig(
        mss,
        receiveBufferSize,
        sendBufferSize,
        initialRtoNanos,
        minRtoNanos,
        maxRtoNanos,
        clockGranularityNanos,
        maxRetransmissions,
        maxSynRetransmissions,
        mslNanos,
        delayedAckNanos,
        nagle,
        minshallNagle,
        windowScaling,
        keepalive,
        challengeAckLimit,
        maxReassemblyRanges,
        factory);
  }

  public TcpConfig withChallengeAckLimit(int perSecond) {
    return new TcpConfig(
        mss,
        receiveBufferSize,
        sendBufferSize,
        initialRtoNanos,
        minRtoNanos,
        maxRtoNanos,
        clockGranularityNanos,
        maxRetransmissions,
        maxSynRetransmissions,
        mslNanos,
        delayedAckNanos,
        nagle,
        minshallNagle,
        windowScaling,
        keepalive,
        perSecond,
        maxReassemblyRanges,
        congestionControl);
  }
}
