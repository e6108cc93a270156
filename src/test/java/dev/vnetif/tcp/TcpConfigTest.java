package dev.vnetif.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link TcpConfig}: its defaults, its builder, and the {@code with...} shorthands over it. */
class TcpConfigTest {
  private static final long MS = 1_000_000L;

  @Test
  @DisplayName("defaults are those of reference.conf: MSS 1460, 256 KiB, RTO 1 s in [200 ms, 60 s]")
  void defaults() {
    TcpConfig c = TcpConfig.defaults();
    assertEquals(1460, c.mss());
    assertEquals(256 * 1024, c.receiveBufferSize());
    assertEquals(256 * 1024, c.sendBufferSize());
    assertEquals(1000 * MS, c.initialRtoNanos());
    assertEquals(200 * MS, c.minRtoNanos());
    assertEquals(60_000 * MS, c.maxRtoNanos());
    assertEquals(MS, c.clockGranularityNanos());
    assertEquals(12, c.maxRetransmissions());
    assertEquals(5, c.maxSynRetransmissions());
    assertEquals(30_000 * MS, c.mslNanos());
    assertEquals(40 * MS, c.delayedAckNanos());
    assertEquals(true, c.nagle());
    assertEquals(true, c.minshallNagle());
    assertEquals(true, c.windowScaling());
    assertEquals(null, c.keepalive());
    assertEquals(1000, c.challengeAckLimit());
    assertEquals(64, c.maxReassemblyRanges());
    assertEquals(CongestionControlFactory.CUBIC, c.congestionControl());
    assertEquals(c, TcpConfig.builder().build());
  }

  @Test
  @DisplayName("toBuilder().build() gives an equal configuration")
  void toBuilderRoundTrips() {
    TcpConfig changed =
        TcpConfig.builder()
            .mss(536)
            .receiveBufferSize(4096)
            .sendBufferSize(8192)
            .clockGranularityNanos(0)
            .maxReassemblyRanges(3)
            .keepalive(new KeepaliveSettings(MS, MS, 2))
            .build();
    assertEquals(changed, changed.toBuilder().build());
    assertNotEquals(TcpConfig.defaults(), changed);
  }

  @Test
  @DisplayName("each with... method changes exactly the fields it names")
  void withMethodsChangeOnlyTheirFields() {
    TcpConfig d = TcpConfig.defaults();
    KeepaliveSettings keepalive = new KeepaliveSettings(7 * MS, 3 * MS, 4);
    CongestionControlFactory cc = (smss, iw) -> new NewReno(smss, iw);
    assertEquals(d.toBuilder().mss(9000).build(), d.withMss(9000));
    assertEquals(
        d.toBuilder().receiveBufferSize(100).sendBufferSize(200).build(), d.withBuffers(100, 200));
    assertEquals(
        d.toBuilder().initialRtoNanos(3 * MS).minRtoNanos(MS).maxRtoNanos(9 * MS).build(),
        d.withRto(3 * MS, MS, 9 * MS));
    assertEquals(
        d.toBuilder().maxRetransmissions(3).maxSynRetransmissions(1).build(),
        d.withRetransmissions(3, 1));
    assertEquals(d.toBuilder().mslNanos(5 * MS).build(), d.withMsl(5 * MS));
    assertEquals(d.toBuilder().delayedAckNanos(0).build(), d.withDelayedAck(0));
    assertEquals(d.toBuilder().nagle(false).build(), d.withNagle(false));
    assertEquals(d.toBuilder().minshallNagle(false).build(), d.withMinshallNagle(false));
    assertEquals(d.toBuilder().windowScaling(false).build(), d.withWindowScaling(false));
    assertEquals(d.toBuilder().keepalive(keepalive).build(), d.withKeepalive(keepalive));
    assertEquals(d.toBuilder().congestionControl(cc).build(), d.withCongestionControl(cc));
    assertEquals(d.toBuilder().challengeAckLimit(5).build(), d.withChallengeAckLimit(5));

    TcpConfig mss = d.withMss(9000);
    assertEquals(9000, mss.mss());
    assertEquals(d, mss.toBuilder().mss(1460).build(), "nothing else changed");
  }

  @Test
  @DisplayName("build() checks the values together: a builder may pass through inconsistent states")
  void buildValidatesTogether() {
    // Raising min above the old initial is fine as long as initial follows before build().
    TcpConfig raised =
        TcpConfig.builder().minRtoNanos(2000 * MS).initialRtoNanos(3000 * MS).build();
    assertEquals(2000 * MS, raised.minRtoNanos());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TcpConfig.builder().minRtoNanos(2000 * MS).build());
    assertEquals(
        "need 0 < min-rto <= initial-rto <= max-rto, got 2000000000, 1000000000, 60000000000 ns",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TcpConfig.builder().mss(0).build());
    assertThrows(
        IllegalArgumentException.class, () -> TcpConfig.builder().congestionControl(null).build());
    assertThrows(IllegalArgumentException.class, () -> TcpConfig.defaults().withDelayedAck(-1));
  }
}
