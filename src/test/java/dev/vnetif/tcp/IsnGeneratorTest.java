package dev.vnetif.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.wire.Ipv4Address;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IsnGeneratorTest {

  private static final Ipv4Address LOCAL = Ipv4Address.of("10.0.0.2");
  private static final Ipv4Address REMOTE = Ipv4Address.of("10.0.0.3");
  private static final long SEED = 42;
  private static final long T = 1_234_567_890_123L;

  @Test
  @DisplayName("RFC 6528 §3: the same key, tuple and time give the same ISN")
  void deterministic() {
    int a = new IsnGenerator(SEED).isn(LOCAL, 49152, REMOTE, 80, T);
    int b = new IsnGenerator(SEED).isn(LOCAL, 49152, REMOTE, 80, T);
    assertEquals(a, b);
  }

  @Test
  @DisplayName("RFC 6528 §3: another secret key gives another ISN")
  void dependsOnSeed() {
    assertNotEquals(
        new IsnGenerator(SEED).isn(LOCAL, 49152, REMOTE, 80, T),
        new IsnGenerator(SEED + 1).isn(LOCAL, 49152, REMOTE, 80, T));
  }

  @Test
  @DisplayName("RFC 6528 §3: F depends on every element of the 4-tuple")
  void dependsOnEachTupleElement() {
    IsnGenerator gen = new IsnGenerator(SEED);
    int base = gen.isn(LOCAL, 49152, REMOTE, 80, T);
    assertNotEquals(base, gen.isn(LOCAL, 49153, REMOTE, 80, T), "local port");
    assertNotEquals(base, gen.isn(LOCAL, 49152, REMOTE, 81, T), "remote port");
    assertNotEquals(
        base, gen.isn(Ipv4Address.of("10.0.0.4"), 49152, REMOTE, 80, T), "local address");
    assertNotEquals(
        base, gen.isn(LOCAL, 49152, Ipv4Address.of("10.0.0.4"), 80, T), "remote address");
    assertNotEquals(base, gen.isn(REMOTE, 80, LOCAL, 49152, T), "the reverse direction");
  }

  /** The ISN a fresh generator draws first: M is the 4 µs clock exactly, F the hash. */
  private static int firstIsn(long nowNanos) {
    return new IsnGenerator(SEED).isn(LOCAL, 49152, REMOTE, 80, nowNanos);
  }

  @Test
  @DisplayName("RFC 6528 §3: M is a 4 µs timer, so the ISN of one tuple grows by 1 per 4000 ns")
  void advancesOnePer4Microseconds() {
    long t = 4_000L * 1_000_000; // on a tick boundary
    int isn = firstIsn(t);
    assertEquals(isn, firstIsn(t + 3_999), "same tick");
    assertEquals(isn + 1, firstIsn(t + 4_000));
    assertEquals(isn + 250, firstIsn(t + 1_000_000), "1 ms later");
    for (long any : new long[] {0, 1, 3_999, T, -4_001, Long.MAX_VALUE - 4_000}) {
      assertEquals(1, firstIsn(any + 4_000) - firstIsn(any), "at t=" + any);
    }
  }

  @Test
  @DisplayName("RFC 6528 §3: M + F wraps modulo 2^32")
  void wrapsCleanly() {
    long f = Integer.toUnsignedLong(firstIsn(0)); // M = 0, so this is F
    long lastTickBeforeWrap = (0x1_0000_0000L - 1 - f) * 4_000; // M + F = 2^32 - 1
    assertEquals(-1, firstIsn(lastTickBeforeWrap));
    assertEquals(0, firstIsn(lastTickBeforeWrap + 4_000));
    assertEquals(1, firstIsn(lastTickBeforeWrap + 8_000));
    // M itself wraps after 2^32 ticks (about 4.8 hours): same ISN again.
    assertEquals(firstIsn(T), firstIsn(T + (4_000L << 32)));
  }

  @Test
  @DisplayName(
      "one 4-tuple twice at one instant (virtual time): the second ISN lies ISS_STEP above the first, the third above that, wrapping cleanly")
  void sameInstantDrawsMoveTheClockOn() {
    IsnGenerator gen = new IsnGenerator(SEED);
    int first = gen.isn(LOCAL, 49152, REMOTE, 80, T);
    assertEquals(firstIsn(T), first, "the first draw is the clock");
    assertEquals(first + IsnGenerator.ISS_STEP, gen.isn(LOCAL, 49152, REMOTE, 80, T));
    assertEquals(first + 2 * IsnGenerator.ISS_STEP, gen.isn(LOCAL, 49152, REMOTE, 80, T + 3_999));
    // Any other 4-tuple's draw moves the host's clock on too.
    gen.isn(LOCAL, 49153, REMOTE, 80, T);
    assertEquals(first + 4 * IsnGenerator.ISS_STEP, gen.isn(LOCAL, 49152, REMOTE, 80, T));

    long f = Integer.toUnsignedLong(firstIsn(0));
    long lastTickBeforeWrap = (0x1_0000_0000L - 1 - f) * 4_000;
    IsnGenerator atWrap = new IsnGenerator(SEED);
    assertEquals(-1, atWrap.isn(LOCAL, 49152, REMOTE, 80, lastTickBeforeWrap));
    assertEquals(
        IsnGenerator.ISS_STEP - 1, atWrap.isn(LOCAL, 49152, REMOTE, 80, lastTickBeforeWrap));
  }

  @Test
  @DisplayName(
      "draws further apart than ISS_STEP ticks follow the 4 µs clock exactly; after a burst ran ahead of it, M waits for the clock instead of going back")
  void theClockLeadsWhenDrawsAreSparse() {
    IsnGenerator gen = new IsnGenerator(SEED);
    long step = IsnGenerator.ISS_STEP * 4_000L;
    for (long t = T; t < T + 10 * step; t += step + 4_000) {
      assertEquals(firstIsn(t), gen.isn(LOCAL, 49152, REMOTE, 80, t), "at t=" + t);
    }
    IsnGenerator burst = new IsnGenerator(SEED);
    int first = burst.isn(LOCAL, 49152, REMOTE, 80, T);
    for (int i = 1; i < 10; i++) {
      burst.isn(LOCAL, 49152 + i, REMOTE, 80, T);
    }
    // Ten draws at T: M is 10 steps ahead of the clock. A tick later it is not back at the clock.
    assertEquals(
        first + 10 * IsnGenerator.ISS_STEP, burst.isn(LOCAL, 49152, REMOTE, 80, T + 4_000));
    // Once the clock has passed M, M is the clock again.
    long later = T + 20 * step;
    assertEquals(firstIsn(later), burst.isn(LOCAL, 49152, REMOTE, 80, later));
  }

  @Test
  @DisplayName("RFC 6528 §3: 10,000 distinct tuples at one instant give almost all distinct ISNs")
  void distribution() {
    long randomSeed = 0x5EED_1234L;
    Random random = new Random(randomSeed);
    Set<String> tuples = new HashSet<>();
    Set<Integer> isns = new HashSet<>();
    while (tuples.size() < 10_000) {
      Ipv4Address local = Ipv4Address.fromInt(random.nextInt());
      Ipv4Address remote = Ipv4Address.fromInt(random.nextInt());
      int localPort = random.nextInt(65_536);
      int remotePort = random.nextInt(65_536);
      if (tuples.add(local + ":" + localPort + ">" + remote + ":" + remotePort)) {
        isns.add(new IsnGenerator(SEED).isn(local, localPort, remote, remotePort, T));
      }
    }
    assertTrue(
        isns.size() > 9_990, "distinct ISNs: " + isns.size() + " (random seed " + randomSeed + ")");
  }

  @Test
  @DisplayName("RFC 6528 §3: neighbouring ports give unrelated ISNs, not a sequence")
  void neighbouringPortsAreUnrelated() {
    Set<Integer> steps = new HashSet<>();
    int previous = new IsnGenerator(SEED).isn(LOCAL, 49152, REMOTE, 80, T);
    for (int port = 49153; port < 49153 + 100; port++) {
      int isn = new IsnGenerator(SEED).isn(LOCAL, port, REMOTE, 80, T);
      steps.add(isn - previous);
      previous = isn;
    }
    assertTrue(steps.size() > 95, "distinct steps between consecutive ports: " + steps.size());
  }

  @Test
  @DisplayName("F is SipHash-2-4: the reference test vectors of Aumasson and Bernstein")
  void sipHashReferenceVectors() {
    long k0 = 0x0706050403020100L; // key bytes 00..0f, little-endian words
    long k1 = 0x0f0e0d0c0b0a0908L;
    assertEquals(0x726fdb47dd0e0e31L, IsnGenerator.sipHash24(k0, k1, bytesUpTo(0)));
    assertEquals(0x93f5f5799a932462L, IsnGenerator.sipHash24(k0, k1, bytesUpTo(8)));
    assertEquals(0xa129ca6149be45e5L, IsnGenerator.sipHash24(k0, k1, bytesUpTo(15)));
  }

  @Test
  void rejectsBadPorts() {
    IsnGenerator gen = new IsnGenerator(SEED);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> gen.isn(LOCAL, 65_536, REMOTE, 80, T));
    assertTrue(e.getMessage().contains("65536"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> gen.isn(LOCAL, 1, REMOTE, -1, T));
  }

  /** The message 00 01 02 ... (n - 1) of the SipHash test vectors. */
  private static byte[] bytesUpTo(int n) {
    byte[] message = new byte[n];
    for (int i = 0; i < n; i++) {
      message[i] = (byte) i;
    }
    return message;
  }

  @Test
  @DisplayName(
      "RFC 7323 §5.4: the timestamp offset is a keyed hash of the 4-tuple — same seed same offset, another 4-tuple or seed another")
  void timestampOffsetFromTheSeed() {
    int a = new IsnGenerator(SEED).timestampOffset(LOCAL, 49152, REMOTE, 80);
    assertEquals(a, new IsnGenerator(SEED).timestampOffset(LOCAL, 49152, REMOTE, 80));
    assertNotEquals(a, new IsnGenerator(SEED).timestampOffset(LOCAL, 49153, REMOTE, 80));
    assertNotEquals(a, new IsnGenerator(SEED).timestampOffset(REMOTE, 80, LOCAL, 49152));
    assertNotEquals(a, new IsnGenerator(SEED + 1).timestampOffset(LOCAL, 49152, REMOTE, 80));
  }

  @Test
  @DisplayName(
      "RFC 7323 §5.4: the timestamp offset is not the ISN's F (its key is derived apart) and does not move with time")
  void timestampOffsetIsIndependentOfTheIsn() {
    int offset = new IsnGenerator(SEED).timestampOffset(LOCAL, 49152, REMOTE, 80);
    assertNotEquals(new IsnGenerator(SEED).isn(LOCAL, 49152, REMOTE, 80, 0), offset);
    IsnGenerator gen = new IsnGenerator(SEED);
    gen.isn(LOCAL, 49152, REMOTE, 80, T);
    gen.isn(LOCAL, 49152, REMOTE, 80, T);
    assertEquals(offset, gen.timestampOffset(LOCAL, 49152, REMOTE, 80), "ISNs drawn do not count");
  }

  @Test
  @DisplayName(
      "RFC 6191 §2: each offset drawn is one above the keyed hash per offset drawn before, of any 4-tuple, so one 4-tuple's offsets strictly increase")
  void timestampOffsetsIncreasePerDraw() {
    IsnGenerator gen = new IsnGenerator(SEED);
    int keyed = new IsnGenerator(SEED).timestampOffset(LOCAL, 49152, REMOTE, 80);
    int other = new IsnGenerator(SEED).timestampOffset(LOCAL, 49153, REMOTE, 80);
    assertEquals(keyed, gen.timestampOffset(LOCAL, 49152, REMOTE, 80));
    assertEquals(keyed + 1, gen.timestampOffset(LOCAL, 49152, REMOTE, 80));
    assertEquals(other + 2, gen.timestampOffset(LOCAL, 49153, REMOTE, 80));
    assertEquals(keyed + 3, gen.timestampOffset(LOCAL, 49152, REMOTE, 80));
  }
}
