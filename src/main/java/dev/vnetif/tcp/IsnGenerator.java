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
 * the generator free of mutable state — so it is immutable and thread-safe — allocation-light and
 * independent of JCE providers.
 *
 * <p>The 128-bit key is derived from the network seed, so runs with the same seed give the same
 * ISNs (the virtual network is reproducible by design) and the ISNs are only as secret as the seed.
 */
public final class IsnGenerator {

  /** Domain separation: other uses of the same seed must not derive the same key. */
  private static final long ISN_KEY_DOMAIN = 0x5443_5049_534E_3635L; // "TCPISN65"

  /** Domain separation for the timestamp offset key: unrelated to the ISN key. */
  private static final long TS_OFFSET_KEY_DOMAIN = 0x5443_5054_534F_4646L; // "TCPTSOFF"

  private static final long GOLDEN_GAMMA = 0x9E37_79B9_7F4A_7C15L;

  /** RFC 6528 §3: M is a 4-microsecond timer. */
  private static final long TICK_NANOS = 4_000;

  private final long k0;
  private final long k1;

  /** The key of the timestamp offsets (RFC 7323 §5.4), derived like the ISN key. */
  private final long tsK0;

  private final long tsK1;

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
   * The ISN for a connection: {@code M + F(...)} modulo 2^32, with {@code M = floor(nowNanos /
   * 4000)}. The same tuple at the same time always gives the same ISN; for the same tuple it grows
   * by exactly one per 4 µs, wrapping modulo 2^32.
   *
   * @param localPort 0..65535
   * @param remotePort 0..65535
   * @return the ISN as a 32-bit sequence number (compare it with sequence-number arithmetic)
   * @throws IllegalArgumentException naming the port when a port is out of range
   */
  public int isn(
      Ipv4Address localAddress,
      int localPort,
      Ipv4Address remoteAddress,
      int remotePort,
      long nowNanos) {
    int f = (int) sipHash24(k0, k1, tuple(localAddress, localPort, remoteAddress, remotePort));
    int m = (int) Math.floorDiv(nowNanos, TICK_NANOS);
    return m + f;
  }

  /**
   * The offset added to the timestamp clock of a connection (RFC 7323 §5.4, Linux's {@code
   * tsoffset}): a keyed hash of the 4-tuple under a key of its own, also derived from the seed. An
   * observer of one connection's TSvals learns nothing of another's clock, and the same seed gives
   * the same offsets.
   *
   * @throws IllegalArgumentException naming the port when a port is out of range
   */
  public int timestampOffset(
      Ipv4Address localAddress, int localPort, Ipv4Address remoteAddress, int remotePort) {
    return (int) sipHash24(tsK0, tsK1, tuple(localAddress, localPort, remoteAddress, remotePort));
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
