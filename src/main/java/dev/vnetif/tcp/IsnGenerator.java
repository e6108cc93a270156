package dev.vnetif.tcp;

import dev.vnetif.wire.Ipv4Address;
import java.util.Objects;

/**
 * Initial sequence numbers per RFC 6528 §3: {@code ISN = M + F(localip, localport, remoteip,
 * remoteport, secretkey)}, where M is a timer that ticks every 4 microseconds and F a keyed
 * pseudorandom function of the connection's 4-tuple. An off-path attacker who does not know the key
 * cannot predict the ISN of a connection from the ISNs of others, while one 4-tuple still sees its
 * ISNs advance with the clock, so segments of an old incarnation fall outside the new one.
 *
 * <p>F is SipHash-2-4 (Aumasson and Bernstein, 2012) over the 12 bytes of the 4-tuple, truncated to
 * its low 32 bits. SipHash is a keyed PRF designed for short inputs, as here, and is what Linux
 * uses for the same purpose; RFC 6528 names MD5 only as an example and recommends a stronger
 * function. Implementing it here (rather than {@code HmacSHA256} from {@code javax.crypto}) keeps
 * the generator allocation-light and independent of JCE providers.
 *
 * <p>The 128-bit key is derived from the network seed, so runs with the same seed give the same
 * ISNs (the virtual network is reproducible by design) and the ISNs are only as secret as the seed.
 *
 * <p><b>The clocks move on with every connection.</b> In virtual time a whole connection, SYN to
 * last ACK, can happen at one instant, and the next one on the same 4-tuple at that instant too:
 * neither M nor the 1 ms timestamp clock has ticked, so a peer still holding the old connection in
 * TIME_WAIT would see the same ISS, below its RCV.NXT, and a TSval equal to its TS.Recent, and
 * refuse the SYN (RFC 6191 asks for one or the other to be greater) until it is retransmitted a
 * second later. Real time always ticks in between; here the host's generator moves its clocks on
 * itself, as BSD's did before RFC 6528 (4.4BSD added {@code TCP_ISSINCR / 2} per connection,
 * FreeBSD's {@code tcp_new_isn} adds at least 4096):
 *
 * <ul>
 *   <li>M never goes back and advances {@link #ISS_STEP} ticks at least per ISN drawn: an ISN for a
 *       4-tuple lies at least that far above the one before it, so a connection that carried fewer
 *       bytes than that reopens its peer's TIME_WAIT at once even without timestamps (RFC 1122
 *       §4.2.2.13), and more when other connections came between. Once ISNs are drawn less often
 *       than every {@code ISS_STEP} ticks (16 ms), M is the 4 µs clock again.
 *   <li>Each timestamp offset drawn is one more than the last ({@link #timestampOffset}): a new
 *       incarnation's TSvals lie above every TSval of the old one, at the same instant too, so with
 *       timestamps its SYN reopens TIME_WAIT whatever the old connection carried (RFC 6191 §2), and
 *       the 4-tuple's timestamp clock never goes back, as PAWS needs (RFC 7323 §5.4).
 * </ul>
 *
 * <p>One per host, drawing every ISN and offset of its host: for its active opens on the host's
 * actor, for passive opens on the listeners' actors, which draw only when they create a half-open
 * connection (a SYN refused at a full backlog or answered with a SYN cookie must not move M:
 * 524,288 draws within a TIME_WAIT period would flip a reused 4-tuple's ISN comparison, RFC 6191).
 * So the draws are synchronized; under virtual time one simulation thread runs every actor, and
 * their order — hence every ISN — replays.
 */
public final class IsnGenerator {

  /** Domain separation: other uses of the same seed must not derive the same key. */
  private static final long ISN_KEY_DOMAIN = 0x5443_5049_534E_3635L; // "TCPISN65"

  /** Domain separation for the timestamp offset key: unrelated to the ISN key. */
  private static final long TS_OFFSET_KEY_DOMAIN = 0x5443_5054_534F_4646L; // "TCPTSOFF"

  private static final long GOLDEN_GAMMA = 0x9E37_79B9_7F4A_7C15L;

  /** RFC 6528 §3: M is a 4-microsecond timer. */
  private static final long TICK_NANOS = 4_000;

  /**
   * The least M advances per ISN drawn, in ticks: FreeBSD's {@code ISN_STATIC_INCREMENT}. Small
   * enough that the ports of one destination (16,384 by default, RFC 6056 Algorithm 4 taking them
   * in turn) come round long before M has moved half the sequence space (2^31 / 4096 = 524,288
   * connections), which would make a reused 4-tuple's new ISN look older than the old one.
   */
  static final int ISS_STEP = 4096;

  private final long k0;
  private final long k1;

  /** The key of the timestamp offsets (RFC 7323 §5.4), derived like the ISN key. */
  private final long tsK0;

  private final long tsK1;

  /** M as last drawn, in ticks; {@link Long#MIN_VALUE} before the first ISN. */
  private long lastTick = Long.MIN_VALUE;

  /** Timestamp offsets drawn so far: added to each, so the next is always above the last. */
  private int offsetsDrawn;

  /** Derives the secret key from the network seed. */
  public IsnGenerator(long seed) {
    // The first two outputs of a SplitMix64 generator started at the domain-tagged seed.
    long state = seed ^ ISN_KEY_DOMAIN;
    this.k0 = splitMix64(state + GOLDEN_GAMMA);
    this.k1 = splitMix64(state + 2 * GOLDEN_GAMMA);
    long tsState = seed ^ TS_OFFSET_KEY_DOMAIN;
    this.tsK0 = splitMix64(tsState + GOLDEN_GAMMA);
    this.tsK1 = splitMix64(tsState + 2 * GOLDEN_GAMMA);
  }

  /**
   * The ISN for a new connection: {@code M + F(...)} modulo 2^32. M is {@code floor(nowNanos /
   * 4000)}, unless that is less than {@link #ISS_STEP} ticks above the M of the ISN drawn before
   * (of any 4-tuple): then it is that M plus {@code ISS_STEP}. So ISNs of one 4-tuple strictly
   * increase (modulo 2^32), by at least {@code ISS_STEP} from one to the next, and by one per 4 µs
   * once M is the clock again; the same draws at the same times from the same seed give the same
   * ISNs.
   *
   * @param localPort 0..65535
   * @param remotePort 0..65535
   * @param nowNanos the network clock, which never goes back
   * @return the ISN as a 32-bit sequence number (compare it with sequence-number arithmetic)
   * @throws IllegalArgumentException naming the port when a port is out of range
   */
  public synchronized int isn(
      Ipv4Address localAddress,
      int localPort,
      Ipv4Address remoteAddress,
      int remotePort,
      long nowNanos) {
    int f = (int) sipHash24(k0, k1, tuple(localAddress, localPort, remoteAddress, remotePort));
    long tick = Math.floorDiv(nowNanos, TICK_NANOS);
    long m = lastTick == Long.MIN_VALUE ? tick : Math.max(tick, lastTick + ISS_STEP);
    lastTick = m;
    return (int) m + f;
  }

  /**
   * The offset added to the timestamp clock of a new connection (RFC 7323 §5.4, Linux's {@code
   * tsoffset}): a keyed hash of the 4-tuple under a key of its own, also derived from the seed,
   * plus the number of offsets drawn before. An observer of one connection's TSvals learns nothing
   * of another's clock; one 4-tuple's offsets increase from one incarnation to the next, so its
   * TSvals never go back and a new incarnation's exceed the old one's at the same instant (RFC 6191
   * §2); the same draws from the same seed give the same offsets.
   *
   * @throws IllegalArgumentException naming the port when a port is out of range
   */
  public synchronized int timestampOffset(
      Ipv4Address localAddress, int localPort, Ipv4Address remoteAddress, int remotePort) {
    int keyed =
        (int) sipHash24(tsK0, tsK1, tuple(localAddress, localPort, remoteAddress, remotePort));
    return keyed + offsetsDrawn++;
  }

  private static byte[] tuple(
      Ipv4Address localAddress, int localPort, Ipv4Address remoteAddress, int remotePort) {
    Objects.requireNonNull(localAddress, "localAddress");
    Objects.requireNonNull(remoteAddress, "remoteAddress");
    checkPort("localPort", localPort);
    checkPort("remotePort", remotePort);
    byte[] tuple = new byte[12];
    localAddress.writeTo(tuple, 0);
    remoteAddress.writeTo(tuple, 4);
    tuple[8] = (byte) (localPort >>> 8);
    tuple[9] = (byte) localPort;
    tuple[10] = (byte) (remotePort >>> 8);
    tuple[11] = (byte) remotePort;
    return tuple;
  }

  private static void checkPort(String what, int port) {
    if (port < 0 || port > 0xFFFF) {
      throw new IllegalArgumentException(what + " must be in [0, 65535], got " + port);
    }
  }

  /** SipHash-2-4 of {@code message} under the key (k0, k1), as in the reference implementation. */
  static long sipHash24(long k0, long k1, byte[] message) {
    SipState s = new SipState(k0, k1);
    int length = message.length;
    int whole = length - length % 8;
    for (int i = 0; i < whole; i += 8) {
      s.compress(littleEndian64(message, i, 8));
    }
    // The last block holds the remaining bytes and the message length in its top byte.
    s.compress(littleEndian64(message, whole, length - whole) | ((long) length << 56));
    s.v2 ^= 0xff;
    for (int round = 0; round < 4; round++) {
      s.sipRound();
    }
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
  }

  /** The four words of SipHash's internal state. */
  private static final class SipState {
    long v0;
    long v1;
    long v2;
    long v3;

    SipState(long k0, long k1) {
      v0 = k0 ^ 0x736f6d6570736575L;
      v1 = k1 ^ 0x646f72616e646f6dL;
      v2 = k0 ^ 0x6c7967656e657261L;
      v3 = k1 ^ 0x7465646279746573L;
    }

    /** Absorbs one 8-byte block with two rounds: the "2" of SipHash-2-4. */
    void compress(long block) {
      v3 ^= block;
      sipRound();
      sipRound();
      v0 ^= block;
    }

    void sipRound() {
      v0 += v1;
      v1 = Long.rotateLeft(v1, 13) ^ v0;
      v0 = Long.rotateLeft(v0, 32);
      v2 += v3;
      v3 = Long.rotateLeft(v3, 16) ^ v2;
      v0 += v3;
      v3 = Long.rotateLeft(v3, 21) ^ v0;
      v2 += v1;
      v1 = Long.rotateLeft(v1, 17) ^ v2;
      v2 = Long.rotateLeft(v2, 32);
    }
  }

  private static long littleEndian64(byte[] bytes, int offset, int count) {
    long value = 0;
    for (int i = count - 1; i >= 0; i--) {
      value = value << 8 | (bytes[offset + i] & 0xFFL);
    }
    return value;
  }

  /** SplitMix64's output function: spreads the seed's bits over the key. */
  private static long splitMix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
