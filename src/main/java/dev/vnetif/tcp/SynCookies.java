package dev.vnetif.tcp;

import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.SeqNum;
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import dev.vnetif.wire.Timestamps;
import java.util.Objects;
import org.apache.pekko.util.ByteString;

/**
 * SYN cookies (RFC 4987 §3.6), as Linux makes them ({@code net/ipv4/syncookies.c}): once a
 * listener's SYN backlog is full, a SYN is answered with a SYN-ACK whose sequence number encodes
 * what the connection needs, and nothing is kept. The peer's final ACK carries the cookie back
 * (SEG.ACK − 1); if it validates, the connection is made from it as if the SYN had been kept. A
 * flood of spoofed SYNs so costs no memory per SYN, and legitimate clients still connect.
 *
 * <p>The cookie, 32 bits, in Linux's layout:
 *
 * <pre>
 *   cookie = H0(4-tuple) + peer ISN + (t &lt;&lt; 24) + (H1(4-tuple, t, data) with its low 3 bits replaced by data)
 * </pre>
 *
 * where t is a counter of {@link #PERIOD_NANOS} (64 s) periods of the network clock (never the
 * machine's), H0 and H1 are SipHash-2-4 under two keys derived from the network seed (as {@link
 * IsnGenerator}'s; the cookies are only as secret as the seed), and data (3 bits) holds the index
 * of the peer's MSS in {@link #MSS_TABLE} and whether our SYN-ACK carried timestamps. Validation
 * strips H0 and the peer's ISN (SEG.SEQ − 1 of the ACK), reads t's low 8 bits, accepts a cookie at
 * most {@link #MAX_AGE} − 1 periods old (so it lives 64 to 128 s), and wants the other 21 bits to
 * match H1 for that t and the data found: a guessed cookie passes with odds of about 2^-28. (Linux
 * adds the data to H1 and only checks that what comes back is a valid index, so a valid cookie
 * minus one passes too, with another MSS; here any change to a cookie is caught but with odds of
 * 2^-21.)
 *
 * <p>Tradeoffs (RFC 4987 §3.6), and what is kept of them here:
 *
 * <ul>
 *   <li>The MSS survives only as one of four values, the largest not above the peer's (536 for a
 *       peer that announced less, as on Linux: 536 is what every IPv4 host must take, RFC 9293
 *       §3.7.1).
 *   <li>Window scaling and SACK-permitted have no room in the sequence number. As Linux's {@code
 *       cookie_init_timestamp} does, they ride in the low 6 bits of our SYN-ACK's TSval, which the
 *       peer echoes in the final ACK's TSecr: 4 bits of the peer's shift (15 for none), 1 for SACK,
 *       1 for ECN (never set: this stack has no ECN). So they survive only when the peer uses
 *       timestamps; <b>without timestamps, window scaling and SACK are lost</b>: such a SYN's
 *       SYN-ACK offers neither (Linux clears them too), and the connection runs without them — its
 *       windows at most 64 KiB, its losses recovered without SACK. The TSval is lowered by up to 63
 *       ms to make room, never raised, so our clock never runs backwards for the peer; the RTT of
 *       the handshake, measured from the echo, reads up to 63 ms long, erring toward a longer RTO.
 *   <li>Unlike Linux, data also records whether the SYN-ACK carried timestamps: a final ACK without
 *       the option where it must carry one (RFC 7323 §3.2) is rejected instead of leaving a
 *       connection whose peer scales windows we would not, and timestamps a peer sends though we
 *       never offered them are ignored.
 *   <li>Nothing is retransmitted: a SYN-ACK lost with its cookie costs the peer its SYN timeout,
 *       and the peer's ACK lost costs the connection (the peer's first data segment, which carries
 *       the same SEQ and ACK, still opens it).
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class SynCookies {
  /** Linux's {@code msstab} for IPv4: the MSS values a cookie can carry (2 bits). */
  static final int[] MSS_TABLE = {536, 1300, 1440, 1460};

  /** One tick of the cookie's counter t (Linux: 60 s; 2^36 ns ≈ 68.7 s would do as well). */
  public static final long PERIOD_NANOS = 64_000_000_000L;

  /** A cookie is valid while fewer than this many periods have passed (Linux's value). */
  public static final int MAX_AGE = 2;

  private static final int COUNT_SHIFT = 24;

  /** The low 3 bits: 2 of MSS index, 1 for timestamps. */
  private static final int DATA_MASK = 0x7;

  /** The 21 bits of H1 between the data and the counter. */
  private static final int HASH_MASK = ((1 << COUNT_SHIFT) - 1) & ~DATA_MASK;

  /** Data bit set when our SYN-ACK carried the timestamps option; below it, the MSS index. */
  private static final int DATA_TIMESTAMPS = 1 << 2;

  // The low bits of our TSval (Linux's TSBITS and TS_OPT_*).
  private static final int TS_BITS = 6;
  private static final int TS_MASK = (1 << TS_BITS) - 1;
  private static final int TS_WSCALE_MASK = 0xF;
  private static final int TS_SACK = 1 << 4;

  /** Domain separation from the ISN and timestamp offset keys derived from the same seed. */
  private static final long KEY0_DOMAIN = 0x5443_5043_4F4F_4B30L; // "TCPCOOK0"

  private static final long KEY1_DOMAIN = 0x5443_5043_4F4F_4B31L; // "TCPCOOK1"

  private static final long TS_KEY_DOMAIN = 0x5443_5043_4F4F_4B54L; // "TCPCOOKT"
  private static final long GOLDEN_GAMMA = 0x9E37_79B9_7F4A_7C15L;

  private final long h0k0;
  private final long h0k1;
  private final long h1k0;
  private final long h1k1;
  private final long tsK0;
  private final long tsK1;

  /** Keys derived from {@code seed} (the same one the host's {@link IsnGenerator} gets). */
  public SynCookies(long seed) {
    h0k0 = splitMix64((seed ^ KEY0_DOMAIN) + GOLDEN_GAMMA);
    h0k1 = splitMix64((seed ^ KEY0_DOMAIN) + 2 * GOLDEN_GAMMA);
    h1k0 = splitMix64((seed ^ KEY1_DOMAIN) + GOLDEN_GAMMA);
    h1k1 = splitMix64((seed ^ KEY1_DOMAIN) + 2 * GOLDEN_GAMMA);
    tsK0 = splitMix64((seed ^ TS_KEY_DOMAIN) + GOLDEN_GAMMA);
    tsK1 = splitMix64((seed ^ TS_KEY_DOMAIN) + 2 * GOLDEN_GAMMA);
  }

  /**
   * The TSval offset (RFC 7323 §5.4) of a connection made through a cookie: a keyed hash of the
   * 4-tuple alone, as Linux's {@code secure_tcp_ts_off}, so that the SYN-ACK, the check of the ACK
   * (which reads the cookie's bits relative to it) and the connection all use the same one with
   * nothing kept in between. ({@link IsnGenerator#timestampOffset} cannot serve: it moves on with
   * every offset drawn, so that a host's own reopened 4-tuples get later TSvals.)
   */
  public int timestampOffset(Ipv4Address local, int localPort, Ipv4Address remote, int remotePort) {
    return (int)
        IsnGenerator.sipHash24(tsK0, tsK1, message(local, localPort, remote, remotePort, 0, 0));
  }

  /** The outcome of {@link #check}: a connection to make, or why not. */
  public sealed interface Check {
    /**
     * A valid cookie. {@code synOptions} are the options of the peer's SYN as far as the cookie
     * kept them: the MSS (from {@link #MSS_TABLE}), window scale and SACK-permitted when timestamps
     * carried them, and the ACK's timestamps (TS.Recent from its TSval) when the SYN-ACK had them.
     */
    record Valid(TcpOptions synOptions) implements Check {}

    /** Not a cookie of ours, expired, or inconsistent with the options we sent. */
    record Rejected(String reason) implements Check {}
  }

  // ------------------------------------------------------------------ SYN-ACK

  /**
   * The SYN-ACK that answers {@code syn} (from {@code remote} to {@code local}) with a cookie, at
   * {@code nowNanos} of the network clock: SEQ = the cookie, ACK = SEG.SEQ + 1, the window a
   * passive open would offer, and the options {@link Tcb#accept} would send — MSS; then, only when
   * both sides use timestamps, SACK-permitted, timestamps (TSval from {@code tsOffset}, RFC 7323
   * §5.4, with the cookie's bits) and window scale, each as the SYN offered it.
   */
  public TcpSegment synAck(
      TcpConfig config,
      Ipv4Address local,
      Ipv4Address remote,
      TcpSegment syn,
      int tsOffset,
      long nowNanos) {
    TcpOptions peer = syn.options();
    boolean timestamps = config.timestamps() && peer.timestamps() != null;
    // Linux's tcp_conn_request: without timestamps there is nowhere to keep WS and SACK, so the
    // SYN-ACK does not offer them (a peer told of scaling we then forgot would overrun us).
    boolean windowScale = timestamps && config.windowScaling() && peer.windowScale() >= 0;
    boolean sack = timestamps && config.sack() && peer.sackPermitted();
    int peerMss = peer.mss() > 0 ? peer.mss() : OptionsNegotiation.DEFAULT_SEND_MSS;
    int data = mssIndex(peerMss) | (timestamps ? DATA_TIMESTAMPS : 0);
    int cookie =
        cookie(
            local,
            syn.destinationPort(),
            remote,
            syn.sourcePort(),
            syn.seq(),
            data,
            count(nowNanos));
    Timestamps ts = null;
    if (timestamps) {
      int bits = (windowScale ? peer.windowScale() : TS_WSCALE_MASK) | (sack ? TS_SACK : 0);
      ts = new Timestamps(cookieTsVal(nowNanos, bits) + tsOffset, peer.timestamps().value());
    }
    return new TcpSegment(
        syn.destinationPort(),
        syn.sourcePort(),
        cookie,
        syn.seq() + 1,
        TcpSegment.SYN | TcpSegment.ACK,
        Math.min(config.receiveBufferSize(), 0xFFFF), // RFC 7323 §2.2: a SYN's window unscaled
        0,
        OptionsNegotiation.synOptions(config, windowScale, sack, ts),
        ByteString.emptyByteString());
  }

  // ------------------------------------------------------------------ validation

  /**
   * Validates the cookie in {@code ack}, a segment with ACK (and neither SYN nor RST) for a
   * listening port and no connection: SEG.ACK − 1 must be a cookie made for its 4-tuple and SEG.SEQ
   * − 1 within the last {@link #MAX_AGE} periods, and the options it brings back must be ones we
   * could have sent under {@code config}. Never throws for any segment.
   */
  public Check check(
      TcpConfig config,
      Ipv4Address local,
      Ipv4Address remote,
      TcpSegment ack,
      int tsOffset,
      long nowNanos) {
    if (!ack.isAck() || ack.isSyn() || ack.isRst()) {
      return new Check.Rejected("not a bare ACK: " + TcpSegment.flagsToString(ack.flags()));
    }
    int data =
        data(
            local,
            ack.destinationPort(),
            remote,
            ack.sourcePort(),
            ack.ack() - 1,
            ack.seq() - 1,
            count(nowNanos));
    if (data < 0) {
      return new Check.Rejected(
          "not a cookie of ours for this 4-tuple and peer ISN, or older than "
              + MAX_AGE
              + " periods");
    }
    TcpOptions options = TcpOptions.NONE.withMss(MSS_TABLE[data & 3]);
    if ((data & DATA_TIMESTAMPS) == 0) {
      return new Check.Valid(options); // any timestamps on the ACK were never offered: ignored
    }
    Timestamps echoed = ack.options().timestamps();
    if (echoed == null) {
      return new Check.Rejected("our SYN-ACK carried timestamps, the ACK none (RFC 7323 §3.2)");
    }
    if (!config.timestamps()) {
      return new Check.Rejected("timestamps are off here");
    }
    int bits = (echoed.echoReply() - tsOffset) & TS_MASK;
    if ((bits & TS_SACK) != 0) {
      if (!config.sack()) {
        return new Check.Rejected("SACK in the cookie, but SACK is off here");
      }
      options = options.withSackPermitted();
    }
    int shift = bits & TS_WSCALE_MASK;
    if (shift != TS_WSCALE_MASK) {
      if (!config.windowScaling()) {
        return new Check.Rejected("window scale in the cookie, but window scaling is off here");
      }
      // RFC 7323 §2.3: a shift above 14 is taken as 14.
      options = options.withWindowScale(Math.min(shift, TcpOptions.MAX_WINDOW_SCALE));
    }
    return new Check.Valid(options.withTimestamps(new Timestamps(echoed.value(), 0)));
  }

  // ------------------------------------------------------------------ the cookie itself

  /** The cookie counter t at {@code nowNanos}: whole periods of the network clock. */
  static int count(long nowNanos) {
    return (int) Math.floorDiv(nowNanos, PERIOD_NANOS);
  }

  /** The index in {@link #MSS_TABLE} of the largest MSS not above {@code peerMss} (0 if none). */
  static int mssIndex(int peerMss) {
    int index = MSS_TABLE.length - 1;
    while (index > 0 && peerMss < MSS_TABLE[index]) {
      index--;
    }
    return index;
  }

  /**
   * Linux's {@code cookie_init_timestamp}: our 1 ms TSval clock with its low 6 bits replaced by
   * {@code bits}, lowered by one step of 64 if that put it ahead of the clock. Without the offset.
   */
  static int cookieTsVal(long nowNanos, int bits) {
    int clock = (int) Math.floorDiv(nowNanos, Timestamping.TICK_NANOS);
    int value = (clock & ~TS_MASK) | bits;
    return SeqNum.gt(value, clock) ? value - (1 << TS_BITS) : value;
  }

  /** Linux's {@code secure_tcp_syn_cookie}, with SipHash-2-4 as F and data beside H1, not in it. */
  int cookie(
      Ipv4Address local,
      int localPort,
      Ipv4Address remote,
      int remotePort,
      int peerIsn,
      int data,
      int count) {
    return h0(local, localPort, remote, remotePort)
        + peerIsn
        + (count << COUNT_SHIFT)
        + (h1(local, localPort, remote, remotePort, count, data) & HASH_MASK)
        + (data & DATA_MASK);
  }

  /**
   * Linux's {@code check_tcp_syn_cookie}: the data of a cookie made at most {@link #MAX_AGE} − 1
   * periods before {@code count}, or -1 when it is not one (the counter's 8 bits too old or ahead,
   * or the hash bits wrong for that counter and data).
   */
  int data(
      Ipv4Address local,
      int localPort,
      Ipv4Address remote,
      int remotePort,
      int cookie,
      int peerIsn,
      int count) {
    int stripped = cookie - h0(local, localPort, remote, remotePort) - peerIsn;
    int age = (count - (stripped >>> COUNT_SHIFT)) & 0xFF;
    if (age >= MAX_AGE) {
      return -1;
    }
    int data = stripped & DATA_MASK;
    int expected = h1(local, localPort, remote, remotePort, count - age, data);
    return ((stripped ^ expected) & HASH_MASK) == 0 ? data : -1;
  }

  private int h0(Ipv4Address local, int localPort, Ipv4Address remote, int remotePort) {
    return (int)
        IsnGenerator.sipHash24(h0k0, h0k1, message(local, localPort, remote, remotePort, 0, 0));
  }

  private int h1(
      Ipv4Address local, int localPort, Ipv4Address remote, int remotePort, int count, int data) {
    return (int)
        IsnGenerator.sipHash24(
            h1k0, h1k1, message(local, localPort, remote, remotePort, count, data));
  }

  /** The 4-tuple, the counter and the data, 17 bytes (counter and data 0 for H0). */
  private static byte[] message(
      Ipv4Address local, int localPort, Ipv4Address remote, int remotePort, int count, int data) {
    Objects.requireNonNull(local, "local");
    Objects.requireNonNull(remote, "remote");
    byte[] bytes = new byte[17];
    local.writeTo(bytes, 0);
    remote.writeTo(bytes, 4);
    bytes[8] = (byte) (localPort >>> 8);
    bytes[9] = (byte) localPort;
    bytes[10] = (byte) (remotePort >>> 8);
    bytes[11] = (byte) remotePort;
    bytes[12] = (byte) (count >>> 24);
    bytes[13] = (byte) (count >>> 16);
    bytes[14] = (byte) (count >>> 8);
    bytes[15] = (byte) count;
    bytes[16] = (byte) data;
    return bytes;
  }

  private static long splitMix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
