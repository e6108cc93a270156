package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.MS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_ISS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_SEQ;
import static dev.vnetif.tcp.TcbHarness.T0;
import static dev.vnetif.tcp.TcbHarness.at;
import static dev.vnetif.tcp.TcbHarness.out;
import static dev.vnetif.tcp.TcbHarness.seg;
import static dev.vnetif.wire.TcpSegment.ACK;
import static dev.vnetif.wire.TcpSegment.RST;
import static dev.vnetif.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import dev.vnetif.wire.Timestamps;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SYN cookies (RFC 4987 §3.6, Linux's {@code syncookies.c}): the SYN-ACK {@link SynCookies#synAck}
 * makes, exact to the field, and what {@link SynCookies#check} accepts and rejects — the MSS
 * buckets, window scale and SACK in the low bits of our TSval, tampered, expired and misdirected
 * cookies. The peer is {@link TcbHarness#REMOTE_PORT} at {@link #REMOTE}, we {@link
 * TcbHarness#LOCAL_PORT} at {@link #LOCAL}; time starts at {@link TcbHarness#T0}.
 */
class SynCookiesTest {
  static final Ipv4Address LOCAL = Ipv4Address.of("10.0.0.2");
  static final Ipv4Address REMOTE = Ipv4Address.of("10.0.0.9");

  /** The connection's TSval offset, as {@link IsnGenerator#timestampOffset} would give it. */
  static final int OFFSET = 5_000;

  /** The TSval of the peer's SYN, and of its final ACK. */
  static final int PEER_TS = 777;

  static final int PEER_TS_ACK = 790;

  final SynCookies cookies = new SynCookies(42);

  static final TcpConfig CONFIG = TcbHarness.withTimestampsAndSack();

  /** Timestamps and SACK on, 64,000-byte buffers (our window scale 0), MSS 1460. */
  static TcpConfig config() {
    return CONFIG;
  }

  /** The peer's SYN with {@code options}. */
  static TcpSegment syn(TcpOptions options) {
    return seg().flags(SYN).seq(REMOTE_ISS).ack(0).options(options).build();
  }

  /** The final ACK for {@code synAck}, echoing its TSval when it carried one. */
  static TcpSegment finalAck(TcpSegment synAck) {
    Timestamps ts = synAck.options().timestamps();
    return seg()
        .seq(REMOTE_SEQ)
        .ack(synAck.seq() + 1)
        .options(
            ts == null
                ? TcpOptions.NONE
                : TcpOptions.NONE.withTimestamps(new Timestamps(PEER_TS_ACK, ts.value())))
        .build();
  }

  TcpSegment synAck(TcpConfig config, TcpOptions synOptions, long now) {
    return cookies.synAck(config, LOCAL, REMOTE, syn(synOptions), OFFSET, now);
  }

  SynCookies.Check check(TcpSegment ack, long now) {
    return cookies.check(config(), LOCAL, REMOTE, ack, OFFSET, now);
  }

  static TcpOptions valid(SynCookies.Check check) {
    return assertInstanceOf(SynCookies.Check.Valid.class, check, check.toString()).synOptions();
  }

  static void rejected(SynCookies.Check check) {
    assertInstanceOf(SynCookies.Check.Rejected.class, check, check.toString());
  }

  // ------------------------------------------------------------------ the SYN-ACK

  @Test
  @DisplayName(
      "RFC 4987 §3.6: the cookie SYN-ACK is SEQ=cookie, ACK=SEG.SEQ+1, the passive open's window and options; TSval's low 6 bits carry WS 7 and SACK (Linux's cookie_init_timestamp), TSecr echoes the SYN")
  void synAckCarriesTheCookieAndTheOptionsInTsval() {
    TcpOptions offered =
        TcpOptions.NONE
            .withMss(1460)
            .withSackPermitted()
            .withTimestamps(new Timestamps(PEER_TS, 0))
            .withWindowScale(7);
    // 1,000,030 ms: 1,000,000 is a multiple of 64, and bits 0b010111 (WS 7, SACK) fit below 30.
    TcpSegment synAck = synAck(config(), offered, at(30));
    int tsval = 1_000_000 + (7 | 16) + OFFSET;
    assertEquals(
        out()
            .flags(SYN | ACK)
            .seq(synAck.seq())
            .ack(REMOTE_ISS + 1)
            .window(TcbHarness.WINDOW)
            .options(
                TcpOptions.NONE
                    .withMss(1460)
                    .withSackPermitted()
                    .withTimestamps(new Timestamps(tsval, PEER_TS))
                    .withWindowScale(0))
            .build(),
        synAck);
    int mssIndex = 3; // 1460
    int timestampsBit = 4;
    assertEquals(
        cookies.cookie(
            LOCAL,
            TcbHarness.LOCAL_PORT,
            REMOTE,
            TcbHarness.REMOTE_PORT,
            REMOTE_ISS,
            mssIndex | timestampsBit,
            SynCookies.count(at(30))),
        synAck.seq(),
        "the ISS is the cookie");
  }

  @Test
  @DisplayName(
      "the cookie's TSval never runs ahead of our clock: bits above the clock's low bits lower it by 64 ms")
  void cookieTsvalIsNeverAheadOfTheClock() {
    // At 1,000,010 ms the bits 23 would put the TSval at 1,000,023, in the future: 999,959.
    assertEquals(999_959, SynCookies.cookieTsVal(at(10), 7 | 16));
    assertEquals(1_000_023, SynCookies.cookieTsVal(at(23), 7 | 16));
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 10_000; i++) {
      long now = T0 + random.nextLong(0, 1L << 40);
      int bits = random.nextInt(64);
      int clock = (int) (now / MS);
      int value = SynCookies.cookieTsVal(now, bits);
      assertEquals(bits, value & 63);
      assertTrue(value - clock <= 0 && value - clock > -64, value + " at clock " + clock);
    }
  }

  @Test
  @DisplayName(
      "without timestamps in the SYN the cookie SYN-ACK offers the MSS only: WS and SACK have nowhere to live (Linux clears them too)")
  void withoutTimestampsOnlyTheMssIsOffered() {
    TcpSegment synAck =
        synAck(config(), TcpOptions.NONE.withMss(1460).withSackPermitted().withWindowScale(7), T0);
    assertEquals(TcpOptions.NONE.withMss(1460), synAck.options());
    assertEquals(TcpOptions.NONE.withMss(1460), valid(check(finalAck(synAck), T0)));
  }

  // ------------------------------------------------------------------ round trips

  @ParameterizedTest(name = "peer MSS {0} comes back as {1}")
  @CsvSource({
    "536, 536",
    "1300, 1300",
    "1440, 1440",
    "1460, 1460", // the four buckets exactly
    "400, 536", // below the table: 536, as Linux (what every IPv4 host takes)
    "1000, 536",
    "1399, 1300",
    "1452, 1440",
    "9000, 1460", // the largest bucket not above it
    "-1, 536" // no MSS option: RFC 9293 §3.7.1's default
  })
  @DisplayName("encode/decode round trip: the MSS survives as its bucket in Linux's msstab")
  void mssRoundTrip(int peerMss, int decoded) {
    TcpOptions offered = peerMss < 0 ? TcpOptions.NONE : TcpOptions.NONE.withMss(peerMss);
    TcpSegment synAck = synAck(config(), offered, at(5));
    assertEquals(TcpOptions.NONE.withMss(decoded), valid(check(finalAck(synAck), at(25))));
    // With timestamps too, the bucket and the TS bit share the cookie's data.
    TcpSegment withTs = synAck(config(), offered.withTimestamps(new Timestamps(1, 0)), at(5));
    assertEquals(decoded, valid(check(finalAck(withTs), at(25))).mss());
  }

  @ParameterizedTest(name = "WS {0}, SACK {1}")
  @CsvSource({"-1, false", "0, false", "7, true", "14, true", "7, false", "-1, true"})
  @DisplayName(
      "encode/decode round trip with timestamps: window scale and SACK-permitted come back from the echoed TSecr, TS.Recent from the ACK's TSval")
  void windowScaleAndSackRoundTrip(int windowScale, boolean sack) {
    TcpOptions offered = TcpOptions.NONE.withMss(1460).withTimestamps(new Timestamps(PEER_TS, 0));
    if (windowScale >= 0) {
      offered = offered.withWindowScale(windowScale);
    }
    if (sack) {
      offered = offered.withSackPermitted();
    }
    TcpSegment synAck = synAck(config(), offered, at(40));
    TcpOptions expected =
        TcpOptions.NONE.withMss(1460).withTimestamps(new Timestamps(PEER_TS_ACK, 0));
    if (windowScale >= 0) {
      expected = expected.withWindowScale(windowScale);
    }
    if (sack) {
      expected = expected.withSackPermitted();
    }
    assertEquals(expected, valid(check(finalAck(synAck), at(60))));
  }

  @Test
  @DisplayName(
      "a cookie is valid through the next period (t within MAX_AGE − 1 = 1 step), expired two periods on")
  void cookieExpiresAfterTwoPeriods() {
    long period = SynCookies.PERIOD_NANOS;
    long start = SynCookies.count(T0) * period; // the first instant of T0's period
    TcpSegment synAck = synAck(config(), TcpOptions.NONE.withMss(1460), start);
    TcpSegment ack = finalAck(synAck);
    valid(check(ack, start));
    valid(check(ack, start + 2 * period - 1)); // the last instant of the next period
    rejected(check(ack, start + 2 * period));
    rejected(check(ack, start + 3 * period + 5 * MS));
    rejected(check(ack, start - 1)); // made in a period that has not begun
  }

  // ------------------------------------------------------------------ rejections

  @Test
  @DisplayName(
      "a tampered cookie is rejected: SEG.ACK off by any of ±1..±64, 2^24 (the counter), 2^31 or 1,000 random amounts, or another peer ISN (SEG.SEQ)")
  void tamperedCookieRejected() {
    TcpSegment synAck =
        synAck(
            config(), TcpOptions.NONE.withMss(1460).withTimestamps(new Timestamps(PEER_TS, 0)), T0);
    TcpSegment ack = finalAck(synAck);
    valid(check(ack, T0));
    // Linux's layout would take cookie − 1 as valid with the next MSS down; ours checks the hash
    // bits against the data too.
    for (int delta = 1; delta <= 64; delta++) {
      rejected(check(withAck(ack, ack.ack() + delta), T0));
      rejected(check(withAck(ack, ack.ack() - delta), T0));
    }
    rejected(check(withAck(ack, ack.ack() + (1 << 24)), T0));
    rejected(check(withAck(ack, ack.ack() - (1 << 24)), T0));
    rejected(check(withAck(ack, ack.ack() + (1 << 31)), T0));
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < 1000; i++) {
      int delta = random.nextInt();
      if (delta != 0) {
        rejected(check(withAck(ack, ack.ack() + delta), T0));
      }
    }
    rejected(check(withSeq(ack, ack.seq() + 1), T0));
    rejected(check(withSeq(ack, ack.seq() - 1), T0));
  }

  @Test
  @DisplayName(
      "a cookie made for one 4-tuple is rejected for another: peer address, peer port, our port, our address")
  void wrongFourTupleRejected() {
    TcpSegment synAck = synAck(config(), TcpOptions.NONE.withMss(1460), T0);
    TcpSegment ack = finalAck(synAck);
    TcpConfig config = config();
    valid(cookies.check(config, LOCAL, REMOTE, ack, OFFSET, T0));
    rejected(cookies.check(config, LOCAL, Ipv4Address.of("10.0.0.10"), ack, OFFSET, T0));
    rejected(cookies.check(config, Ipv4Address.of("10.0.0.3"), REMOTE, ack, OFFSET, T0));
    rejected(check(withPorts(ack, ack.sourcePort() + 1, ack.destinationPort()), T0));
    rejected(check(withPorts(ack, ack.sourcePort(), ack.destinationPort() + 1), T0));
  }

  @Test
  @DisplayName("another host's keys (another seed) reject our cookies")
  void anotherSecretRejects() {
    TcpSegment ack = finalAck(synAck(config(), TcpOptions.NONE.withMss(1460), T0));
    rejected(new SynCookies(43).check(config(), LOCAL, REMOTE, ack, OFFSET, T0));
  }

  @Test
  @DisplayName(
      "RFC 7323 §3.2: a final ACK without the timestamps our cookie SYN-ACK carried is rejected, not read as 'no WS, no SACK'")
  void missingTimestampsRejected() {
    TcpOptions offered =
        TcpOptions.NONE.withMss(1460).withTimestamps(new Timestamps(PEER_TS, 0)).withWindowScale(7);
    TcpSegment ack = finalAck(synAck(config(), offered, T0));
    valid(check(ack, T0));
    rejected(check(ack.withOptions(TcpOptions.NONE), T0));
  }

  @Test
  @DisplayName(
      "options the echoed TSecr claims but our configuration never offers are rejected: SACK with SACK off, WS with scaling off")
  void echoedOptionsBeyondTheConfigurationRejected() {
    TcpOptions offered =
        TcpOptions.NONE
            .withMss(1460)
            .withTimestamps(new Timestamps(PEER_TS, 0))
            .withSackPermitted()
            .withWindowScale(7);
    TcpSegment ack = finalAck(synAck(config(), offered, T0));
    rejected(cookies.check(config().withSack(false), LOCAL, REMOTE, ack, OFFSET, T0));
    rejected(cookies.check(config().withWindowScaling(false), LOCAL, REMOTE, ack, OFFSET, T0));
    rejected(cookies.check(config().withTimestamps(false), LOCAL, REMOTE, ack, OFFSET, T0));
  }

  @Test
  @DisplayName("only a bare ACK can carry a cookie: with SYN or RST it is rejected")
  void onlyAcksCarryCookies() {
    TcpSegment ack = finalAck(synAck(config(), TcpOptions.NONE.withMss(1460), T0));
    rejected(check(withFlags(ack, ACK | RST), T0));
    rejected(check(withFlags(ack, ACK | SYN), T0));
    rejected(check(withFlags(ack, RST), T0));
  }

  @Test
  @DisplayName(
      "guessed cookies: none of 50,000 random ACKs (random SEQ and ACK) validates (odds about 2^-28 each)")
  void randomAcksDoNotValidate() {
    long seed = 20_260_101L;
    SplittableRandom random = new SplittableRandom(seed);
    int accepted = 0;
    for (int i = 0; i < 50_000; i++) {
      TcpSegment guess = seg().seq(random.nextInt()).ack(random.nextInt()).build();
      if (check(guess, T0) instanceof SynCookies.Check.Valid) {
        accepted++;
      }
    }
    assertEquals(0, accepted, "random ACKs that validated (seed " + seed + ")");
  }

  @Test
  @DisplayName("cookies differ by peer ISN and by period, as the ISNs of RFC 6528 do")
  void cookiesDependOnIsnAndTime() {
    TcpSegment a = synAck(config(), TcpOptions.NONE.withMss(1460), T0);
    TcpSegment b =
        cookies.synAck(
            config(),
            LOCAL,
            REMOTE,
            seg().flags(SYN).seq(REMOTE_ISS + 1).mss(1460).build(),
            OFFSET,
            T0);
    TcpSegment c = synAck(config(), TcpOptions.NONE.withMss(1460), T0 + SynCookies.PERIOD_NANOS);
    assertNotEquals(a.seq(), b.seq());
    assertNotEquals(a.seq(), c.seq());
  }

  @Test
  @DisplayName(
      "a cookie connection's TSval offset is a keyed hash of its 4-tuple alone: the same at the SYN-ACK and at the ACK, whatever came between, and another for another 4-tuple")
  void timestampOffsetIsStatelessPerFourTuple() {
    int offset = cookies.timestampOffset(LOCAL, 80, REMOTE, 40000);
    for (int i = 0; i < 3; i++) {
      assertEquals(offset, cookies.timestampOffset(LOCAL, 80, REMOTE, 40000));
      cookies.timestampOffset(LOCAL, 80, REMOTE, 40001 + i); // others drawn in between
    }
    assertEquals(offset, new SynCookies(42).timestampOffset(LOCAL, 80, REMOTE, 40000));
    assertNotEquals(offset, cookies.timestampOffset(LOCAL, 80, REMOTE, 40001));
    assertNotEquals(offset, new SynCookies(43).timestampOffset(LOCAL, 80, REMOTE, 40000));
  }

  // ------------------------------------------------------------------ helpers

  static TcpSegment withAck(TcpSegment s, int ack) {
    return new TcpSegment(
        s.sourcePort(),
        s.destinationPort(),
        s.seq(),
        ack,
        s.flags(),
        s.window(),
        0,
        s.options(),
        s.payload());
  }

  static TcpSegment withSeq(TcpSegment s, int seq) {
    return new TcpSegment(
        s.sourcePort(),
        s.destinationPort(),
        seq,
        s.ack(),
        s.flags(),
        s.window(),
        0,
        s.options(),
        s.payload());
  }

  static TcpSegment withPorts(TcpSegment s, int source, int destination) {
    return new TcpSegment(
        source, destination, s.seq(), s.ack(), s.flags(), s.window(), 0, s.options(), s.payload());
  }

  static TcpSegment withFlags(TcpSegment s, int flags) {
    return new TcpSegment(
        s.sourcePort(),
        s.destinationPort(),
        s.seq(),
        s.ack(),
        flags,
        s.window(),
        0,
        s.options(),
        s.payload());
  }
}
