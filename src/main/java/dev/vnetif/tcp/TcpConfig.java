package dev.vnetif.tcp;

import java.time.Duration;

/**
 * Everything a {@link Tcb} can be tuned by. {@link #defaults()} gives the values of {@code
 * reference.conf}; {@link #builder()} and {@link #toBuilder()} change any set of them, and the
 * {@code with...} methods are shorthands that return a copy with one or two changed. Times are
 * nanoseconds.
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
 * @param congestionControl makes each connection's congestion control (CUBIC by default, as on
 *     Linux)
 * @param timestamps offer and accept the timestamps option (RFC 7323 §3–5: RTTM and PAWS), on by
 *     default as on Linux
 * @param sack offer and accept SACK-permitted, and send SACK and D-SACK blocks (RFC 2018, RFC
 *     2883), on by default as on Linux
 * @param lossDetection how a sender with SACK finds lost segments: RACK-TLP (RFC 8985, the default)
 *     or RFC 6675's three duplicate ACKs
 * @param synCookies answer SYNs with a SYN cookie once a listener's backlog is full, keeping no
 *     state for them (RFC 4987 §3.6; {@link SynCookies}), on by default as Linux's {@code
 *     tcp_syncookies = 1}; off, such SYNs are dropped
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
    CongestionControlFactory congestionControl,
    boolean timestamps,
    boolean sack,
    LossDetection lossDetection,
    boolean synCookies) {

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
    require(lossDetection != null, "loss detection must not be null");
  }

  /**
   * The configuration as it was before {@code lossDetection} and {@code synCookies}: RACK-TLP and
   * SYN cookies on, the defaults.
   */
  public TcpConfig(
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
      CongestionControlFactory congestionControl,
      boolean timestamps,
      boolean sack) {
    this(
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
        congestionControl,
        timestamps,
        sack,
        LossDetection.RACK_TLP,
        true);
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
    return new Builder().build();
  }

  /** A builder that starts from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from this configuration. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  public TcpConfig withMss(int value) {
    return toBuilder().mss(value).build();
  }

  public TcpConfig withBuffers(int receive, int send) {
    return toBuilder().receiveBufferSize(receive).sendBufferSize(send).build();
  }

  public TcpConfig withRto(long initial, long min, long max) {
    return toBuilder().initialRtoNanos(initial).minRtoNanos(min).maxRtoNanos(max).build();
  }

  public TcpConfig withRetransmissions(int data, int syn) {
    return toBuilder().maxRetransmissions(data).maxSynRetransmissions(syn).build();
  }

  public TcpConfig withMsl(long nanos) {
    return toBuilder().mslNanos(nanos).build();
  }

  public TcpConfig withDelayedAck(long nanos) {
    return toBuilder().delayedAckNanos(nanos).build();
  }

  public TcpConfig withNagle(boolean on) {
    return toBuilder().nagle(on).build();
  }

  /** Minshall's variant of Nagle (on) or RFC 896 as written (off); moot with Nagle off. */
  public TcpConfig withMinshallNagle(boolean on) {
    return toBuilder().minshallNagle(on).build();
  }

  public TcpConfig withWindowScaling(boolean on) {
    return toBuilder().windowScaling(on).build();
  }

  public TcpConfig withKeepalive(KeepaliveSettings settings) {
    return toBuilder().keepalive(settings).build();
  }

  public TcpConfig withCongestionControl(CongestionControlFactory factory) {
    return toBuilder().congestionControl(factory).build();
  }

  /** Timestamps (RFC 7323 §3–5) offered and accepted, or not. */
  public TcpConfig withTimestamps(boolean on) {
    return toBuilder().timestamps(on).build();
  }

  /** SACK (RFC 2018, RFC 2883) offered and accepted, or not. */
  public TcpConfig withSack(boolean on) {
    return toBuilder().sack(on).build();
  }

  /** How a sender with SACK detects losses: RACK-TLP (RFC 8985) or three duplicate ACKs. */
  public TcpConfig withLossDetection(LossDetection detection) {
    return toBuilder().lossDetection(detection).build();
  }

  /** SYN cookies (RFC 4987 §3.6) when a listener's backlog is full, or drops. */
  public TcpConfig withSynCookies(boolean on) {
    return toBuilder().synCookies(on).build();
  }

  public TcpConfig withChallengeAckLimit(int perSecond) {
    return toBuilder().challengeAckLimit(perSecond).build();
  }

  /**
   * Collects the values of a {@link TcpConfig}; {@link #build()} checks them together (the
   * constraints of the record's constructor), so a builder may pass through inconsistent states,
   * e.g. a min RTO above the old initial one before the initial is raised too.
   */
  public static final class Builder {
    private int mss = 1460;
    private int receiveBufferSize = 256 * 1024;
    private int sendBufferSize = 256 * 1024;
    private long initialRtoNanos = nanos(1000);
    private long minRtoNanos = nanos(200);
    private long maxRtoNanos = nanos(60_000);
    private long clockGranularityNanos = nanos(1);
    private int maxRetransmissions = 12;
    private int maxSynRetransmissions = 5;
    private long mslNanos = nanos(30_000);
    private long delayedAckNanos = nanos(40);
    private boolean nagle = true;
    private boolean minshallNagle = true;
    private boolean windowScaling = true;
    private KeepaliveSettings keepalive;
    private int challengeAckLimit = 1000;
    private int maxReassemblyRanges = 64;
    private CongestionControlFactory congestionControl = CongestionControlFactory.CUBIC;
    private boolean timestamps = true;
    private boolean sack = true;
    private LossDetection lossDetection = LossDetection.RACK_TLP;
    private boolean synCookies = true;

    private Builder() {}

    private Builder(TcpConfig from) {
      mss = from.mss;
      receiveBufferSize = from.receiveBufferSize;
      sendBufferSize = from.sendBufferSize;
      initialRtoNanos = from.initialRtoNanos;
      minRtoNanos = from.minRtoNanos;
      maxRtoNanos = from.maxRtoNanos;
      clockGranularityNanos = from.clockGranularityNanos;
      maxRetransmissions = from.maxRetransmissions;
      maxSynRetransmissions = from.maxSynRetransmissions;
      mslNanos = from.mslNanos;
      delayedAckNanos = from.delayedAckNanos;
      nagle = from.nagle;
      minshallNagle = from.minshallNagle;
      windowScaling = from.windowScaling;
      keepalive = from.keepalive;
      challengeAckLimit = from.challengeAckLimit;
      maxReassemblyRanges = from.maxReassemblyRanges;
      congestionControl = from.congestionControl;
      timestamps = from.timestamps;
      sack = from.sack;
      lossDetection = from.lossDetection;
      synCookies = from.synCookies;
    }

    public Builder mss(int value) {
      mss = value;
      return this;
    }

    public Builder receiveBufferSize(int bytes) {
      receiveBufferSize = bytes;
      return this;
    }

    public Builder sendBufferSize(int bytes) {
      sendBufferSize = bytes;
      return this;
    }

    public Builder initialRtoNanos(long nanos) {
      initialRtoNanos = nanos;
      return this;
    }

    public Builder minRtoNanos(long nanos) {
      minRtoNanos = nanos;
      return this;
    }

    public Builder maxRtoNanos(long nanos) {
      maxRtoNanos = nanos;
      return this;
    }

    public Builder clockGranularityNanos(long nanos) {
      clockGranularityNanos = nanos;
      return this;
    }

    public Builder maxRetransmissions(int count) {
      maxRetransmissions = count;
      return this;
    }

    public Builder maxSynRetransmissions(int count) {
      maxSynRetransmissions = count;
      return this;
    }

    public Builder mslNanos(long nanos) {
      mslNanos = nanos;
      return this;
    }

    public Builder delayedAckNanos(long nanos) {
      delayedAckNanos = nanos;
      return this;
    }

    public Builder nagle(boolean on) {
      nagle = on;
      return this;
    }

    public Builder minshallNagle(boolean on) {
      minshallNagle = on;
      return this;
    }

    public Builder windowScaling(boolean on) {
      windowScaling = on;
      return this;
    }

    /** Keepalive probing, or null for none. */
    public Builder keepalive(KeepaliveSettings settings) {
      keepalive = settings;
      return this;
    }

    public Builder challengeAckLimit(int perSecond) {
      challengeAckLimit = perSecond;
      return this;
    }

    public Builder maxReassemblyRanges(int ranges) {
      maxReassemblyRanges = ranges;
      return this;
    }

    public Builder congestionControl(CongestionControlFactory factory) {
      congestionControl = factory;
      return this;
    }

    /** Timestamps option (RFC 7323 §3–5): TSval/TSecr, RTTM and PAWS. */
    public Builder timestamps(boolean on) {
      timestamps = on;
      return this;
    }

    /** SACK-permitted, SACK and D-SACK blocks (RFC 2018, RFC 2883). */
    public Builder sack(boolean on) {
      sack = on;
      return this;
    }

    /** RACK-TLP (RFC 8985, the default) or RFC 6675's DupThresh. */
    public Builder lossDetection(LossDetection detection) {
      lossDetection = detection;
      return this;
    }

    /** SYN cookies once a listener's backlog is full (RFC 4987 §3.6), else drops. */
    public Builder synCookies(boolean on) {
      synCookies = on;
      return this;
    }

    /**
     * The configuration.
     *
     * @throws IllegalArgumentException when a value is out of range or the RTO bounds disagree
     */
    public TcpConfig build() {
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
          congestionControl,
          timestamps,
          sack,
          lossDetection,
          synCookies);
    }
  }
}
