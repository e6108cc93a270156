package dev.vnetif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.link.TappedFrame;
import dev.vnetif.link.conditions.ConditionedLink;
import dev.vnetif.link.conditions.Departure;
import dev.vnetif.wire.EthernetFrame;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.Ipv4Packet;
import dev.vnetif.wire.MacAddress;
import dev.vnetif.wire.TcpSegment;
import dev.vnetif.wire.UdpPacket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class LinkConditionsTest {
  private static final long SEED = 0x11AC0DL;
  private static final Ipv4Address A = Ipv4Address.of("10.0.0.2");
  private static final Ipv4Address B = Ipv4Address.of("10.0.0.3");
  private static final MacAddress MAC_A = MacAddress.of("02:00:00:00:00:02");
  private static final MacAddress MAC_B = MacAddress.of("02:00:00:00:00:03");

  // --- the value ---

  @Test
  void stepsApplyInTheOrderWrittenAndPrintLikeNetem() {
    LinkConditions c =
        LinkConditions.none()
            .delay(Duration.ofMillis(50), Duration.ofMillis(10), Distribution.NORMAL)
            .correlation(0.25)
            .loss(0.01)
            .duplicate(0.005)
            .corrupt(0.001)
            .correlation(0.5)
            .reorder(0.25, 5)
            .rate(10_000_000, -4)
            .queueLimit(100)
            .slot(Duration.ofMillis(1), Duration.ofMillis(3), 4, 6000);
    assertEquals(
        "delay 50ms 10ms normal 25% loss random 1% duplicate 0.5% corrupt 0.1% 50%"
            + " reorder 25% gap 5 rate 10Mbit packetoverhead -4 limit 100"
            + " slot 1ms 3ms packets 4 bytes 6000",
        c.toString());
    assertEquals(8, c.steps().size());
    assertEquals(new ConditionStep.Loss(LossModel.random(0.01)), c.steps().get(1));
  }

  @Test
  void eachStepPrintsAsItsClause() {
    assertEquals("delay 50ms", LinkConditions.none().delay(Duration.ofMillis(50)).toString());
    assertEquals(
        "delay 1500us 500us",
        LinkConditions.none()
            .delay(Duration.ofMillis(1).plusNanos(500_000), Duration.ofNanos(500_000))
            .toString());
    assertEquals(
        "delay 2s 10ms 30%",
        LinkConditions.none()
            .delay(Duration.ofSeconds(2), Duration.ofMillis(10))
            .correlation(0.3)
            .toString());
    assertEquals(
        "delay 100ms 20ms paretonormal",
        LinkConditions.none()
            .delay(Duration.ofMillis(100), Duration.ofMillis(20), Distribution.PARETO_NORMAL)
            .toString());
    assertEquals(
        "loss random 1% 25%", LinkConditions.none().loss(0.01).correlation(0.25).toString());
    assertEquals(
        "loss gemodel 1% 25% 100% 0%",
        LinkConditions.none().loss(LossModel.gilbertElliott(0.01, 0.25)).toString());
    assertEquals(
        "loss state 1% 30% 10% 5% 0.1%",
        LinkConditions.none().loss(LossModel.fourState(0.01, 0.3, 0.1, 0.05, 0.001)).toString());
    assertEquals("rate 1500bit", LinkConditions.none().rate(1500).toString());
    assertEquals("rate 64Kbit", LinkConditions.none().rate(64_000).toString());
    assertEquals("rate 1Gbit", LinkConditions.none().rate(1_000_000_000).toString());
    assertEquals(
        "slot 5ms 5ms",
        LinkConditions.none().slot(Duration.ofMillis(5), Duration.ofMillis(5), 0, 0).toString());
    assertEquals(
        "drop frames matching a predicate", LinkConditions.none().drop(f -> true).toString());
    assertEquals(
        "drop the 2nd SYN-ACK",
        LinkConditions.none().drop(f -> true, "the 2nd SYN-ACK").toString());
    assertEquals("trailing-bytes 9", LinkConditions.mirage().trailingBytes().toString());
    assertEquals(
        "drop-after 1000000 bytes for 1s",
        LinkConditions.mirage().dropOneSecondAfterOneMegabyte().toString());
    assertEquals(
        "loss random 10% only frames without TCP/UDP payload",
        LinkConditions.mirage().uniformNoPayloadLoss().toString());
    assertEquals("none", LinkConditions.none().toString());
  }

  @Test
  void valuesAreImmutableAndCompareByTheirSteps() {
    LinkConditions base = LinkConditions.none().delay(Duration.ofMillis(5));
    LinkConditions more = base.loss(0.1);
    assertEquals(1, base.steps().size());
    assertEquals(2, more.steps().size());
    assertEquals(more, LinkConditions.none().delay(Duration.ofMillis(5)).loss(0.1));
    assertEquals(
        more.hashCode(), LinkConditions.none().delay(Duration.ofMillis(5)).loss(0.1).hashCode());
    assertNotEquals(more, LinkConditions.none().loss(0.1).delay(Duration.ofMillis(5)));
    assertThrows(UnsupportedOperationException.class, () -> more.steps().clear());
    assertTrue(LinkConditions.none().isNone());
    assertTrue(!more.isNone());
    assertSame(LinkConditions.none(), LinkConditions.mirage().basic());
  }

  @Test
  void thenComposesThisThenMore() {
    LinkConditions a = LinkConditions.none().delay(Duration.ofMillis(5));
    LinkConditions b = LinkConditions.none().loss(0.1).duplicate(0.2);
    assertEquals(
        LinkConditions.none().delay(Duration.ofMillis(5)).loss(0.1).duplicate(0.2), a.then(b));
    assertEquals(
        LinkConditions.none().loss(0.1).duplicate(0.2).delay(Duration.ofMillis(5)), b.then(a));
    assertSame(a, a.then(LinkConditions.none()));
    assertEquals(a, LinkConditions.of(a.steps()));
    assertEquals(
        a.then(b), LinkConditions.of(a.steps().get(0), b.steps().get(0), b.steps().get(1)));
  }

  @Test
  void correlationSetsTheLastStepsCorrelation() {
    assertEquals(
        new ConditionStep.Delay(
            Duration.ofMillis(10), Duration.ofMillis(2), Distribution.UNIFORM, 0.4),
        LinkConditions.none()
            .delay(Duration.ofMillis(10), Duration.ofMillis(2))
            .correlation(0.4)
            .steps()
            .get(0));
    assertEquals(
        new ConditionStep.Duplicate(0.1, 0.2),
        LinkConditions.none().duplicate(0.1).correlation(0.2).steps().get(0));
    assertEquals(
        new ConditionStep.Corrupt(0.1, 0.2),
        LinkConditions.none().corrupt(0.1).correlation(0.2).steps().get(0));
    assertEquals(
        new ConditionStep.Reorder(0.1, 3, 0.2),
        LinkConditions.none().reorder(0.1, 3).correlation(0.2).steps().get(0));
    assertEquals(
        new ConditionStep.Loss(LossModel.random(0.1, 0.2)),
        LinkConditions.none().loss(0.1).correlation(0.2).steps().get(0));
    // Only the last step changes.
    assertEquals(
        LinkConditions.none().duplicate(0.1).loss(LossModel.random(0.3, 0.5)),
        LinkConditions.none().duplicate(0.1).loss(0.3).correlation(0.5));
  }

  @Test
  void correlationOnAStepWithoutOneThrowsNamingTheStep() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> LinkConditions.none().rate(1_000_000).correlation(0.3));
    assertTrue(e.getMessage().contains("'rate 1Mbit'"), e.getMessage());
    e =
        assertThrows(
            IllegalStateException.class,
            () -> LinkConditions.none().loss(LossModel.gilbertElliott(0.01, 0.2)).correlation(0.3));
    assertTrue(e.getMessage().contains("'loss gemodel 1% 20% 100% 0%'"), e.getMessage());
    e = assertThrows(IllegalStateException.class, () -> LinkConditions.none().correlation(0.3));
    assertTrue(e.getMessage().contains("needs a step"), e.getMessage());
    for (LinkConditions c :
        List.of(
            LinkConditions.none().queueLimit(3),
            LinkConditions.none().slot(Duration.ZERO, Duration.ZERO, 1, 0),
            LinkConditions.none().drop(f -> false),
            LinkConditions.none().trailingBytes(1),
            LinkConditions.none().dropAfter(1, Duration.ZERO),
            LinkConditions.none().loss(LossModel.fourState(0.1)))) {
      assertThrows(IllegalStateException.class, () -> c.correlation(0.1), c.toString());
    }
  }

  @Test
  void badValuesFailAtTheCallNamingTheValue() {
    LinkConditions none = LinkConditions.none();
    Duration ms = Duration.ofMillis(1);
    assertMessage("loss random probability must be in [0, 1], got 1.5", () -> none.loss(1.5));
    assertMessage(
        "loss random probability must be in [0, 1], got NaN", () -> none.loss(Double.NaN));
    assertMessage(
        "loss random correlation must be in [0, 1], got -0.1",
        () -> none.loss(0.1).correlation(-0.1));
    assertMessage("delay must be >= 0, got PT-0.001S", () -> none.delay(ms.negated()));
    assertMessage("delay jitter must be >= 0, got PT-0.001S", () -> none.delay(ms, ms.negated()));
    assertMessage(
        "delay correlation must be in [0, 1], got 2.0", () -> none.delay(ms, ms).correlation(2));
    assertMessage("duplicate probability must be in [0, 1], got -1.0", () -> none.duplicate(-1));
    assertMessage("corrupt probability must be in [0, 1], got 1.01", () -> none.corrupt(1.01));
    assertMessage("reorder probability must be in [0, 1], got 3.0", () -> none.reorder(3, 5));
    assertMessage("reorder gap must be >= 1, got 0", () -> none.reorder(0.5, 0));
    assertMessage("rate (bits per second) must be >= 1, got 0", () -> none.rate(0));
    assertMessage("limit (frames) must be >= 1, got 0", () -> none.queueLimit(0));
    assertMessage("slot min must be >= 0, got PT-0.001S", () -> none.slot(ms.negated(), ms, 0, 0));
    assertMessage(
        "slot max must be >= slot min (PT0.002S), got PT0.001S",
        () -> none.slot(ms.multipliedBy(2), ms, 0, 0));
    assertMessage("slot packets must be >= 0, got -1", () -> none.slot(ms, ms, -1, 0));
    assertMessage("slot bytes must be >= 0, got -5", () -> none.slot(ms, ms, 0, -5));
    assertMessage("trailing bytes must be >= 0, got -2", () -> none.trailingBytes(-2));
    assertMessage("drop-after bytes must be >= 0, got -1", () -> none.dropAfter(-1, ms));
    assertMessage(
        "drop-after duration must be >= 0, got PT-0.001S", () -> none.dropAfter(1, ms.negated()));
    assertMessage(
        "loss gemodel r must be in [0, 1], got 7.0", () -> LossModel.gilbertElliott(0.1, 7));
    assertMessage(
        "loss gemodel 1-h (loss in the bad state) must be in [0, 1], got 1.2",
        () -> LossModel.gilbertElliott(0.1, 0.2, 1.2, 0));
    assertMessage(
        "loss state p23 must be in [0, 1], got -0.5",
        () -> LossModel.fourState(0.1, 0.1, 0.1, -0.5, 0.1));
    assertMessage(
        "loss state p13 + p14 must be <= 1 (both leave state 1), got 0.6 + 0.5",
        () -> LossModel.fourState(0.6, 0.1, 0.1, 0.1, 0.5));
    assertMessage(
        "loss state p31 + p32 must be <= 1 (both leave state 3), got 0.7 + 0.4",
        () -> LossModel.fourState(0.1, 0.7, 0.4, 0.1, 0.1));
    assertThrows(NullPointerException.class, () -> none.delay(null));
    assertThrows(NullPointerException.class, () -> none.drop(null));
    assertThrows(NullPointerException.class, () -> none.loss((LossModel) null));
  }

  private static void assertMessage(String message, Executable call) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
  }

  @Test
  void lossModelsKnowTheirLongRunLossRate() {
    assertEquals(0.01, LossModel.random(0.01).meanLossRate());
    assertEquals(0.01 / 0.26, LossModel.gilbertElliott(0.01, 0.25).meanLossRate(), 1e-15);
    assertEquals(0.0, LossModel.gilbertElliott(0, 0.25).meanLossRate());
    assertEquals(1.0, LossModel.gilbertElliott(0.1, 0).meanLossRate());
    // loss state p13 with iproute2's defaults is a Gilbert model: p13 / (p13 + 1 - p13) = p13.
    assertEquals(0.05, LossModel.fourState(0.05).meanLossRate(), 1e-15);
    assertEquals(0.5, LossModel.fourState(0, 0, 0, 0, 1).meanLossRate());
  }

  // --- on a link, with real frames ---

  private static ByteString tcpFrame(int flags, int payload) {
    TcpSegment segment =
        TcpSegment.of(49152, 80, 1000, 2000, flags, 65535)
            .withPayload(ByteString.fromArrayUnsafe(new byte[payload]));
    Ipv4Packet ip = Ipv4Packet.of(A, B, Ipv4Packet.PROTO_TCP, 64, 1, true, segment.encode(A, B));
    return EthernetFrame.encode(MAC_B, MAC_A, EthernetFrame.ETHERTYPE_IPV4, ip.encode());
  }

  private static ByteString udpFrame(int payload) {
    ByteString udp =
        UdpPacket.encode(A, B, 5000, 53, ByteString.fromArrayUnsafe(new byte[payload]));
    Ipv4Packet ip = Ipv4Packet.of(A, B, Ipv4Packet.PROTO_UDP, 64, 1, true, udp);
    return EthernetFrame.encode(MAC_B, MAC_A, EthernetFrame.ETHERTYPE_IPV4, ip.encode());
  }

  private static ConditionedLink link(LinkConditions c) {
    return new ConditionedLink("pair h1->h2", c, SEED, Frame::new);
  }

  private static List<Departure> offer(ConditionedLink link, ByteString bytes, long now) {
    List<Departure> out = new ArrayList<>();
    link.offer(new TappedFrame(bytes, 1, "h1", now), now, out);
    return out;
  }

  @Test
  void aScriptedDropTakesTheSecondSynAckOnly() {
    AtomicInteger synAcks = new AtomicInteger();
    Predicate<Frame> secondSynAck =
        f ->
            f.tcp().filter(s -> s.flags() == (TcpSegment.SYN | TcpSegment.ACK)).isPresent()
                && synAcks.incrementAndGet() == 2;
    ConditionedLink link = link(LinkConditions.none().drop(secondSynAck, "the 2nd SYN-ACK"));
    ByteString synAck = tcpFrame(TcpSegment.SYN | TcpSegment.ACK, 0);
    ByteString ack = tcpFrame(TcpSegment.ACK, 0);
    assertEquals(1, offer(link, synAck, 0).size());
    assertEquals(1, offer(link, ack, 1).size());
    assertEquals(0, offer(link, synAck, 2).size());
    assertEquals(1, offer(link, synAck, 3).size());
    assertEquals(1, link.stats().dropped());
  }

  @Test
  void predicatesSeeTheBytesAsEarlierStepsLeftThem() {
    // 60-byte frames: trailing bytes first makes them 64 and the drop takes them; the other
    // order drops nothing and pads all.
    Predicate<Frame> longerThan60 = f -> f.bytes().length() > 60;
    ByteString frame = ByteString.fromArrayUnsafe(new byte[60]);
    ConditionedLink padFirst = link(LinkConditions.none().trailingBytes(4).drop(longerThan60));
    ConditionedLink dropFirst = link(LinkConditions.none().drop(longerThan60).trailingBytes(4));
    for (int i = 0; i < 100; i++) {
      assertEquals(List.of(), offer(padFirst, frame, i));
      assertEquals(64, offer(dropFirst, frame, i).get(0).frame().length());
    }
  }

  @Test
  void aPredicateThatThrowsMatchesNothingAndTheLinkGoesOn() {
    Predicate<Frame> careless = f -> f.tcp().get().flags() == TcpSegment.SYN; // throws on UDP
    ConditionedLink link = link(LinkConditions.none().drop(careless, "SYNs"));
    assertEquals(1, offer(link, udpFrame(10), 0).size());
    assertEquals(0, offer(link, tcpFrame(TcpSegment.SYN, 0), 1).size());
    assertEquals(1, offer(link, ByteString.fromArrayUnsafe(new byte[3]), 2).size());
  }

  @Test
  void mirageNoPayloadLossLosesAboutTenPercentOfFramesWithoutPayloadAndNoOthers() {
    ConditionedLink link = link(LinkConditions.mirage().uniformNoPayloadLoss());
    List<ByteString> withPayload =
        List.of(tcpFrame(TcpSegment.ACK | TcpSegment.PSH, 100), udpFrame(1));
    List<ByteString> without =
        List.of(
            tcpFrame(TcpSegment.ACK, 0),
            tcpFrame(TcpSegment.SYN, 0),
            udpFrame(0),
            ByteString.fromArrayUnsafe(new byte[14]),
            ByteString.emptyByteString());
    int n = 20_000;
    int lostWithout = 0;
    for (int i = 0; i < n; i++) {
      for (ByteString frame : withPayload) {
        assertEquals(1, offer(link, frame, i).size(), "seed=" + SEED + " frame with payload lost");
      }
      lostWithout += offer(link, without.get(i % without.size()), i).isEmpty() ? 1 : 0;
    }
    assertEquals(0.10, lostWithout / (double) n, 0.01, "seed=" + SEED + " share lost");
    assertEquals(lostWithout, link.stats().dropped());
  }

  @Test
  void mirageUniformLossLosesOnePercent() {
    ConditionedLink link = link(LinkConditions.mirage().uniformLoss());
    ByteString frame = tcpFrame(TcpSegment.ACK, 1000);
    int n = 100_000;
    int lost = 0;
    for (int i = 0; i < n; i++) {
      lost += offer(link, frame, i).isEmpty() ? 1 : 0;
    }
    assertTrue(
        lost >= 0.007 * n && lost <= 0.013 * n, "seed=" + SEED + " lost " + lost + " of " + n);
    assertEquals(LinkConditions.none().loss(0.2), LinkConditions.mirage().uniformLoss(0.2));
  }

  @Test
  void mirageDropAfterOneMegabyteDropsForOneSecond() {
    ConditionedLink link = link(LinkConditions.mirage().dropOneSecondAfterOneMegabyte());
    ByteString frame = tcpFrame(TcpSegment.ACK, 986); // 1040 bytes on the wire
    assertEquals(1040, frame.length());
    long ms = 1_000_000;
    int passed = 0;
    int firstDropped = -1;
    int lastDropped = -1;
    for (int i = 0; i < 3_000; i++) {
      if (offer(link, frame, i * ms).isEmpty()) {
        firstDropped = firstDropped < 0 ? i : firstDropped;
        lastDropped = i;
      } else {
        passed++;
      }
    }
    // 961 * 1040 = 999,440 <= 1,000,000 < 962 * 1040: the 962nd frame (index 961) starts it.
    assertEquals(961, firstDropped);
    assertEquals(961 + 999, lastDropped);
    assertEquals(3_000 - 1_000, passed);
  }

  @Test
  void garbageThroughEveryMirageBackendAndEveryStepNeverThrows() {
    SplittableRandom random = new SplittableRandom(SEED);
    LinkConditions all =
        LinkConditions.mirage()
            .uniformNoPayloadLoss(0.5)
            .then(LinkConditions.mirage().trailingBytes())
            .then(LinkConditions.mirage().uniformLoss(0.1))
            .drop(f -> f.arp().isPresent() || f.icmp().isPresent(), "ARP and ICMP")
            .corrupt(0.5)
            .duplicate(0.2)
            .loss(LossModel.gilbertElliott(0.1, 0.3, 0.9, 0.01), f -> f.udp().isPresent(), "UDP")
            .delay(Duration.ofMillis(3), Duration.ofMillis(3), Distribution.PARETO_NORMAL)
            .reorder(0.3, 2)
            .rate(1_000_000)
            .queueLimit(50)
            .slot(Duration.ZERO, Duration.ofMillis(1), 2, 3000)
            .then(LinkConditions.mirage().dropOneSecondAfterOneMegabyte());
    ConditionedLink link = link(all);
    for (int i = 0; i < 10_000; i++) {
      byte[] bytes = new byte[random.nextInt(i % 7 == 0 ? 20 : 1600)];
      random.nextBytes(bytes);
      if (bytes.length > 34 && i % 3 == 0) {
        bytes[12] = 0x08; // IPv4 ethertype and a plausible header start, to get further in
        bytes[13] = 0x00;
        bytes[14] = 0x45;
      }
      long now = i * 500_000L;
      for (Departure d : offer(link, ByteString.fromArrayUnsafe(bytes), now)) {
        assertTrue(d.atNanos() >= now);
      }
    }
    ConditionStats stats = new ConditionStats(List.of(link.stats()));
    assertTrue(stats.dropped() > 0 && stats.tailDropped() > 0 && stats.corrupted() > 0);
  }

  // --- stats ---

  @Test
  void conditionStatsSumEveryStepOfEveryLinkAndPrintATable() {
    ConditionStats stats =
        new ConditionStats(
            List.of(
                new ConditionStats.LinkStats(
                    "egress 10.0.0.3",
                    List.of(
                        new ConditionStats.StepStats(
                            "loss random 1%", 10_000, 101, 0, 0, 0, 0, 0, 0),
                        new ConditionStats.StepStats(
                            "delay 50ms", 9_899, 0, 9_899, 0, 0, 0, 0, 0))),
                new ConditionStats.LinkStats(
                    "pair h1->h2",
                    List.of(
                        new ConditionStats.StepStats("limit 10", 500, 0, 0, 0, 0, 0, 0, 7),
                        new ConditionStats.StepStats("rate 1Mbit", 493, 0, 0, 0, 0, 0, 480, 0),
                        new ConditionStats.StepStats("duplicate 1%", 493, 0, 0, 5, 0, 0, 0, 0),
                        new ConditionStats.StepStats("corrupt 1%", 498, 0, 0, 0, 4, 0, 0, 0),
                        new ConditionStats.StepStats(
                            "reorder 25% gap 5", 498, 0, 0, 0, 0, 60, 0, 0),
                        new ConditionStats.StepStats("drop SYNs", 498, 2, 0, 0, 0, 0, 0, 0)))));
    assertEquals(103, stats.dropped());
    assertEquals(9_899, stats.delayed());
    assertEquals(5, stats.duplicated());
    assertEquals(4, stats.corrupted());
    assertEquals(60, stats.reordered());
    assertEquals(480, stats.queued());
    assertEquals(7, stats.tailDropped());
    assertEquals(101, stats.links().get(0).dropped());
    assertEquals(7, stats.links().get(1).tailDropped());
    String table = stats.toString();
    String[] lines = table.split("\n");
    assertEquals(9, lines.length, table);
    assertTrue(lines[0].startsWith("link             step               frames  dropped"), table);
    assertTrue(lines[1].startsWith("egress 10.0.0.3  loss random 1%      10000      101"), table);
    assertTrue(lines[3].endsWith("7"), table);
    assertEquals("no link conditions", ConditionStats.empty().toString());
  }
}
