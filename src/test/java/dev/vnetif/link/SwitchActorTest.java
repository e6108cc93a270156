package dev.vnetif.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.testsupport.VirtualTimeKit;
import dev.vnetif.wire.EthernetFrame;
import dev.vnetif.wire.MacAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The switch actor alone, driven by probes as its ports. In virtual time: the switch forwards
 * without timers, so once the simulation is idle nothing more can arrive, and "nothing was
 * forwarded" is shown at once rather than by watching the wall clock.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60) // wall-clock bound on each test; every wait inside is bounded in virtual time
class SwitchActorTest {

  final VirtualTimeKit sim = VirtualTimeKit.create("switch-actor");
  final ActorTestKit testKit = sim.testKit();

  @AfterAll
  void stopTestKit() {
    sim.close();
  }

  private static final long SEED = 42L;
  private static final int MAX_FRAME = 1514;

  /** Watched after the simulation went idle: a wrongly forwarded frame would be there already. */
  private static final Duration QUIET = Duration.ofMillis(150);

  /** Bound on each wait, in virtual time. */
  private static final Duration WAIT = Duration.ofSeconds(3);

  private static final int ETHERTYPE_TEST = 0x88B5; // IEEE 802 local experimental

  /** One attached port as the test sees it. */
  private record Port(int number, MacAddress mac, TestProbe<PortDelivery> probe) {}

  // ------------------------------------------------------------------ helpers

  private ActorRef<SwitchCommand> newSwitch(long seed) {
    return testKit.spawn(
        SwitchActor.create(new SwitchSettings(seed, MAX_FRAME, sim.time().clock())));
  }

  private Port attach(ActorRef<SwitchCommand> sw, String name) {
    return attach(sw, name, null);
  }

  private Port attach(ActorRef<SwitchCommand> sw, String name, MacAddress requested) {
    TestProbe<PortDelivery> endpoint = testKit.createTestProbe(PortDelivery.class);
    TestProbe<SwitchCommand.Attached> reply = testKit.createTestProbe(SwitchCommand.Attached.class);
    sw.tell(new SwitchCommand.Attach(name, endpoint.getRef(), requested, reply.getRef()));
    SwitchCommand.Attached attached = sim.receive(reply, WAIT);
    return new Port(attached.port(), attached.mac(), endpoint);
  }

  private static ByteString frame(MacAddress destination, MacAddress source, int tag) {
    return frame(destination, source, tag, 4);
  }

  /** A frame whose payload starts with {@code tag}, so every frame of a test is distinct. */
  private static ByteString frame(
      MacAddress destination, MacAddress source, int tag, int payloadLength) {
    byte[] payload = new byte[payloadLength];
    for (int i = 0; i < payloadLength; i++) {
      payload[i] = (byte) (tag + i);
    }
    return EthernetFrame.encode(destination, source, ETHERTYPE_TEST, ByteString.fromArray(payload));
  }

  /** A frame of exactly {@code totalLength} bytes (header included). */
  private static ByteString frameOfLength(
      MacAddress destination, MacAddress source, int totalLength) {
    return frame(destination, source, 0, totalLength - EthernetFrame.HEADER_LENGTH);
  }

  private static void send(ActorRef<SwitchCommand> sw, Port from, ByteString... frames) {
    sw.tell(new SwitchCommand.Transmit(from.number(), List.of(frames)));
  }

  private List<ByteString> expectDelivery(Port port) {
    return sim.receive(port.probe(), WAIT).frames();
  }

  private void expectNothing(Port... ports) {
    sim.advance(QUIET);
    for (Port port : ports) {
      port.probe().expectNoMessage(Duration.ZERO);
    }
  }

  /**
   * Has {@code port} send a broadcast from its own MAC so the switch learns where it is, and
   * consumes the flooded copy at every other port.
   */
  private void announce(ActorRef<SwitchCommand> sw, Port port, Port... others) {
    ByteString hello = frame(MacAddress.BROADCAST, port.mac(), 0xA0 + port.number());
    send(sw, port, hello);
    for (Port other : others) {
      assertEquals(List.of(hello), expectDelivery(other));
    }
  }

  private SwitchStats stats(ActorRef<SwitchCommand> sw) {
    TestProbe<SwitchStats> probe = testKit.createTestProbe(SwitchStats.class);
    sw.tell(new SwitchCommand.GetStats(probe.getRef()));
    return sim.receive(probe, WAIT);
  }

  private static SwitchStats.PortStats portStats(SwitchStats stats, int port) {
    return stats.ports().stream()
        .filter(p -> p.port() == port)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no stats for port " + port + " in " + stats));
  }

  private void removeTap(ActorRef<SwitchCommand> sw, long tapId) {
    TestProbe<Done> done = testKit.createTestProbe(Done.class);
    sw.tell(new SwitchCommand.RemoveTap(tapId, done.getRef()));
    assertEquals(Done.getInstance(), sim.receive(done, WAIT));
  }

  // ------------------------------------------------------------------ attach and MACs

  @Test
  @DisplayName(
      "Attach answers with port numbers 1, 2, 3, ... and distinct locally administered unicast MACs")
  void attachAssignsIncreasingPortsAndLocalUnicastMacs() {
    ActorRef<SwitchCommand> sw = newSwitch(SEED);
    Set<MacAddress> seen = new HashSet<>();
    for (int expected = 1; expected <= 20; expected++) {
      Port port = attach(sw, "h" + expected);
      assertEquals(expected, port.number(), "port number (seed " + SEED + ")");
      assertTrue(port.mac().isLocallyAdministered(), "U/L bit set in " + port.mac());
      assertFalse(port.mac().isMulticast(), "I/G bit clear in " + port.mac());
      assertTrue(seen.add(port.mac()), "MAC " + port.mac() + " assigned twice (seed " + SEED + ")");
    }
  }

  @Test
  @DisplayName("The same seed gives the same MACs on another switch; another seed gives other MACs")
  void macsAreDeterminedBySeed() {
    List<MacAddress> first = new ArrayList<>();
    List<MacAddress> second = new ArrayList<>();
    List<MacAddress> otherSeed = new ArrayList<>();
    ActorRef<SwitchCommand> a = newSwitch(SEED);
    ActorRef<SwitchCommand> b = newSwitch(SEED);
    ActorRef<SwitchCommand> c = newSwitch(SEED + 1);
    for (int i = 0; i < 5; i++) {
      first.add(attach(a, "h" + i).mac());
      second.add(attach(b, "h" + i).mac());
      otherSeed.add(attach(c, "h" + i).mac());
    }
    assertEquals(first, second, "seed " + SEED + " on two switches");
    assertNotEquals(first, otherSeed, "seeds " + SEED + " and " + (SEED + 1));
    for (int i = 0; i < 5; i++) {
      assertNotEquals(
          first.get(i),
          otherSeed.get(i),
          "port " + (i + 1) + " MAC for seeds " + SEED + " and " + (SEED + 1));
    }
  }

  @Test
  @DisplayName("A requested MAC is assigned as given")
  void requestedMacIsHonoured() {
    ActorRef<SwitchCommand> sw = newSwitch(SEED);
    MacAddress requested = MacAddress.of("00:1b:21:aa:bb:cc");
    Port first = attach(sw, "auto");
    Port raw = attach(sw, "raw", requested);
    assertEquals(2, raw.number());
    assertEquals(requested, raw.mac());
    assertEquals(requested.toString(), portStats(stats(sw), raw.number()).mac());
    assertNotEquals(first.mac(), raw.mac());
  }

  // ------------------------------------------------------------------ forwarding

  @Test
  @DisplayName("A broadcast is flooded to every other port and never back to the sender")
  void broadcastIsFloodedToAllOtherPorts() {
    ActorRef<SwitchCommand> sw = newSwitch(SEED);
    Port a = attach(sw, "a");
    Port b = attach(sw, "b");
    Port c = attach(sw, "c");
    Port d = attach(sw, "d");
    ByteString broadcast = frame(MacAddress.BROADCAST, b.mac(), 1);
    send(sw, b, broadcast);
    assertEquals(List.of(broadcast), expectDelivery(a));
    assertEquals(List.of(broadcast), expectDelivery(c));
    assertEquals(List.of(broadcast), expectDelivery(d));
    expectNothing(a, b, c, d);
  }

  @Test
  @DisplayName(
      "A multicast destination is always flooded, even after a frame came from that address")
  void multicastIsFlooded() {
    ActorRef<SwitchCommand> sw = newSwitch(SEED);
    Port a = attach(sw, "a");
    Port b = attach(sw, "b");
    Port c = attach(sw, "c");
    MacAddress group = MacAddress.of("01:00:5e:00:00:01");
    // A group address never names one station: even after c sent from it, it is not c's.
    send(sw, c, frame(MacAddress.BROADCAST, group, 1));
    expectDelivery(a);
    expectDelivery(b);
    ByteString toGroup = frame(group, a.mac(), 2);
    send(sw, a, toGroup);
    assertEquals(List.of(toGroup), expectDelivery(b));
    assertEquals(List.of(toGroup), expectDelivery(c));
    expectNothing(a, b, c);
  }

  @Test
  @DisplayName("Unicast to an unknown MAC is flooded to every other port")
  void unknownUnicastIsFlooded() {
    ActorRef<SwitchCommand> sw = newSwitch(SEED);
    Port a = attach(sw, "a");
    Port b = attach(sw, "b");
    Port c = attach(sw, "c");
    // b has not sent anything yet, so its MAC is unknown to the switch.
    ByteString toB = frame(b.mac(), a.mac(), 1);
    send(sw, a, toB);
    assertEquals(List.of(toB), expectDelivery(b));
    assertEquals(List.of(toB), expectDelivery(c));
    expectNothing(a, b, c);
  }

  @Test
  @DisplayName(
      "After learning a MAC from a frame its port sent, unicast to it goes to that port only")
  void learnedUnicastGoesToOnePort() {
    ActorRef<SwitchCommand> sw = newSwitch(SEED);
    Port a = attach(sw, "a");
    Port b = attach(sw, "b");
    Port c = attach(sw, "c");
    announce(sw, b, a, c);
    ByteString toB = frame(b.mac(), a.mac(), 1);
    send(sw, a, toB);
    assertEquals(List.of(toB), expectDelivery(b));
    expectNothing(a, b, c);
    // a was learned from that frame: the answer goes to a alone.
    ByteString toA = frame(a.mac(), b.mac(), 2);
    send(sw, b, toA);
    assertEquals(List.of(toA), expectDelivery(a));
    expectNothing(a, b, c);
  }

  @Test
  @DisplayName("A MAC that shows up on another port moves there")
  void learnedMacMovesToTheNewPort() {
    ActorRef<SwitchCommand> sw = newSwitch(SEED);
    Port a = attach(sw, "a");
    Port b = attach(sw, "b");
    Port c = attach(sw, "c");
    MacAddress roaming = MacAddress.of("02:00:00:00:00:99");
    send(sw, b, frame(MacAddress.BROADCAST, roaming, 1));
    expectDelivery(a);
    expectDelivery(c);
    send(sw, c, frame(MacAddress.BROADCAST, roaming, 2));
    expectDelivery(a);
    expectDelivery(b);
    ByteString toRoaming = frame(roaming, a.mac(), 3);
    send(sw, a, toRoaming);
    assertEquals(List.of(toRoaming), expectDelivery(c));
    expectNothing(a, b, c);
  }

  @Test
  @DisplayName(
      "A frame whose destination was learned on the sender's own port is delivered nowhere")
  void frameForTheSendersOwnPortIsFiltered() {
    ActorRef<SwitchCommand> sw = newSwitch(SEED);
    Port a = attach(sw, "a");
    Port b = attach(sw, "b");
    Port c = attach(sw, "c");
    announce(sw, a, b, c);
    // A second host behind port a talks to the first one (a hub behind the port).
    ByteString local = frame(a.mac(), MacAddress.of("02:00:00:00:00:77"), 1);
    send(sw, a, local);
    expectNothing(a, b, c);
    SwitchStats.PortStats stats = portStats(stats(sw), a.number());
    assertEquals(2, stats.rxFrames());
    assertEquals(0, stats.txFrames());
    assertEquals(0, stats.drops());
  }

  @Test
  @DisplayName("Frames of one batch for the same port arrive as one delivery, in order")
  void batchForOnePortIsOneDeliveryInOrder() {
    ActorRef<SwitchCommand> sw = newSwitch(SEED);
    Port a = attach(sw, "a");
    Port b = attach(sw, "b");
    Port c = attach(sw, "c");
    announce(sw, b, a, c);
    ByteString f1 = frame(b.mac(), a.mac(), 1);
    ByteString f2 = frame(b.mac(), a.mac(), 2);
    ByteString f3 = frame(b.mac(), a.mac(), 3);
    send(sw, a, f1, f2, f3);
    assertEquals(List.of(f1, f2, f3), expectDelivery(b));
    expectNothing(a, b, c);
  }

  @Test
  @DisplayName("A batch with frames for two ports gives each port exactly one delivery, in order")
  void batchForTwoPortsIsOneDeliveryEach() {
    ActorRef<SwitchCommand> sw = newSwitch(SEED);
    Port a = attach(sw, "a");
    Port b = attach(sw, "b");
    Port c = attach(sw, "c");
    Port d = attach(sw, "d");
    announce(sw, b, a, c, d);
    announce(sw, c, a, b, d);
    ByteString toB1 = frame(b.mac(), a.mac(), 1);
    ByteString toC1 = frame(c.mac(), a.mac(), 2);
    ByteString toB2 = frame(b.mac(), a.mac(), 3);
    ByteString toC2 = frame(c.mac(), a.mac(), 4);
    send(sw, a, toB1, toC1, toB2, toC2);
    assertEquals(List.of(toB1, toB2), expectDelivery(b));
    assertEquals(List.of(toC1, toC2), expectDelivery(c));
    expectNothing(a, b, c, d);
  }

  @Test
  @DisplayName("A flooded frame and learned unicast in one batch keep their order at each port")
  void mixedBatchKeepsOrderPerPort() {
    ActorRef<SwitchCommand> sw = newSwitch(SEED);
    Port a = attach(sw, "a");
    Port b = attach(sw, "b");
    Port c = attach(sw, "c");
    announce(sw, b, a, c);
    ByteString toB = frame(b.mac(), a.mac(), 1);
    ByteString broadcast = frame(MacAddress.BROADCAST, a.mac(), 2);
    ByteString toB2 = frame(b.mac(), a.mac(), 3);
    send(sw, a, toB, broadcast, toB2);
    assertEquals(List.of(toB, broadcast, toB2), expectDelivery(b));
    assertEquals(List.of(broadcast), expectDelivery(c));
    expectNothing(a, b, c);
  }

  // ------------------------------------------------------------------ size limits and counters

  @Test
  @DisplayName(
      "A frame over maxFrameSize is dropped and counted; one of exactly maxFrameSize passes")
  void oversizedFramesAreDroppedAndCounted() {
    ActorRef<SwitchCommand> sw = newSwitch(SEED);
    Port a = attach(sw, "a");
    Port b = attach(sw, "b");
    ByteString tooBig = frameOfLength(MacAddress.BROADCAST, a.mac(), MAX_FRAME + 1);
    ByteString largest = frameOfLength(MacAddress.BROADCAST, a.mac(), MAX_FRAME);
    send(sw, a, tooBig, largest, tooBig);
    assertEquals(List.of(largest), expectDelivery(b));
    expectNothing(a, b);

    SwitchStats stats = stats(sw);
    assertEquals(2, stats.oversizedDrops());
    assertEquals(0, stats.runtDrops());
    SwitchStats.PortStats in = portStats(stats, a.number());
    assertEquals(2, in.drops());
    assertEquals(3, in.rxFrames());
    assertEquals(2L * (MAX_FRAME + 1) + MAX_FRAME, in.rxBytes());
    assertEquals(0, portStats(stats, b.number()).drops());
  }

  @Test
  @DisplayName(
      "A frame shorter than the 14-byte header is a runt: dropped and counted; 14 bytes pass")
  void runtsAreDroppedAndCounted() {
    ActorRef<SwitchCommand> sw = newSwitch(SEED);
    Port a = attach(sw, "a");
    Port b = attach(sw, "b");
    ByteString headerOnly = frameOfLength(MacAddress.BROADCAST, a.mac(), 14);
    ByteString runt = headerOnly.take(13);
    send(sw, a, runt, ByteString.emptyByteString(), headerOnly);
    assertEquals(List.of(headerOnly), expectDelivery(b));
    expectNothing(a, b);

    SwitchStats stats = stats(sw);
    assertEquals(2, stats.runtDrops());
    assertEquals(0, stats.oversizedDrops());
    SwitchStats.PortStats in = portStats(stats, a.number());
    assertEquals(2, in.drops());
    assertEquals(3, in.rxFrames());
    assertEquals(13 + 0 + 14, in.rxBytes());
  }

  @Test
  @DisplayName("rx and tx frames and bytes are counted exactly per port")
  void portCountersAreExact() {
    ActorRef<SwitchCommand> sw = newSwitch(SEED);
    Port a = attach(sw, "a");
    Port b = attach(sw, "b");
    Port c = attach(sw, "c");
    ByteString broadcast = frame(MacAddress.BROADCAST, a.mac(), 1, 50); // 64 bytes
    ByteString unknown = frame(MacAddress.of("02:00:00:00:00:55"), b.mac(), 2, 86); // 100 bytes
    ByteString toA = frame(a.mac(), c.mac(), 3, 186); // 200 bytes, a already learned
    send(sw, a, broadcast);
    expectDelivery(b);
    expectDelivery(c);
    send(sw, b, unknown);
    expectDelivery(a);
    expectDelivery(c);
    send(sw, c, toA);
    expectDelivery(a);
    expectNothing(a, b, c);

    SwitchStats stats = stats(sw);
    assertEquals(
        List.of(1, 2, 3), stats.ports().stream().map(SwitchStats.PortStats::port).toList());
    assertEquals(
        new SwitchStats.PortStats(a.number(), "a", a.mac().toString(), 1, 64, 2, 100 + 200, 0),
        portStats(stats, a.number()));
    assertEquals(
        new SwitchStats.PortStats(b.number(), "b", b.mac().toString(), 1, 100, 1, 64, 0),
        portStats(stats, b.number()));
    assertEquals(
        new SwitchStats.PortStats(c.number(), "c", c.mac().toString(), 1, 200, 2, 64 + 100, 0),
        portStats(stats, c.number()));
    assertEquals(0, stats.oversizedDrops());
    assertEquals(0, stats.runtDrops());
    assertEquals(0, stats.unknownPortDrops());
  }

  // ------------------------------------------------------------------ detach

  @Test
  @DisplayName(
      "Detach removes the port: no more deliveries, its MACs are forgotten, its frames are unknownPortDrops")
  void detachRemovesThePort() {
    ActorRef<SwitchCommand> sw = newSwitch(SEED);
    Port a = attach(sw, "a");
    Port b = attach(sw, "b");
    Port c = attach(sw, "c");
    announce(sw, b, a, c);

    TestProbe<Done> done = testKit.createTestProbe(Done.class);
    sw.tell(new SwitchCommand.Detach(b.number(), done.getRef()));
    assertEquals(Done.getInstance(), sim.receive(done, WAIT));

    // b's MAC is no longer known: unicast to it is flooded to the ports that remain.
    ByteString toB = frame(b.mac(), a.mac(), 1);
    send(sw, a, toB);
    assertEquals(List.of(toB), expectDelivery(c));
    ByteString broadcast = frame(MacAddress.BROADCAST, c.mac(), 2);
    send(sw, c, broadcast);
    assertEquals(List.of(broadcast), expectDelivery(a));

    // What the detached port sends is dropped and counted.
    send(sw, b, frame(MacAddress.BROADCAST, b.mac(), 3), frame(a.mac(), b.mac(), 4));
    expectNothing(a, b, c);

    SwitchStats stats = stats(sw);
    assertEquals(2, stats.unknownPortDrops());
    assertEquals(
        List.of(a.number(), c.number()),
        stats.ports().stream().map(SwitchStats.PortStats::port).toList());
  }

  @Test
  @DisplayName("Port numbers are never reused after a detach")
  void portNumbersAreNotReused() {
    ActorRef<SwitchCommand> sw = newSwitch(SEED);
    attach(sw, "a");
    Port b = attach(sw, "b");
    TestProbe<Done> done = testKit.createTestProbe(Done.class);
    sw.tell(new SwitchCommand.Detach(b.number(), done.getRef()));
    assertEquals(Done.getInstance(), sim.receive(done, WAIT));
    assertEquals(3, attach(sw, "c").number());
  }

  @Test
  @DisplayName("Transmit from a port number never attached is counted as unknownPortDrops")
  void transmitFromUnknownPortIsCounted() {
    ActorRef<SwitchCommand> sw = newSwitch(SEED);
    Port a = attach(sw, "a");
    ByteString f = frame(MacAddress.BROADCAST, a.mac(), 1);
    sw.tell(new SwitchCommand.Transmit(0, List.of(f)));
    sw.tell(new SwitchCommand.Transmit(7, List.of(f, f, f)));
    sw.tell(new SwitchCommand.Transmit(1_000, List.of(f)));
    expectNothing(a);
    assertEquals(5, stats(sw).unknownPortDrops());
  }

  // ------------------------------------------------------------------ taps

  @Test
  @DisplayName(
      "A tap sees every forwarded frame in forwarding order with its ingress port, name and a non-decreasing time")
  void tapSeesEveryFrameInOrder() {
    ActorRef<SwitchCommand> sw = newSwitch(SEED);
    Port a = attach(sw, "alpha");
    Port b = attach(sw, "beta");
    List<TappedFrame> seen = new CopyOnWriteArrayList<>();
    sw.tell(new SwitchCommand.AddTap(7L, seen::add));

    long before = sim.time().clock().epochNanos();
    ByteString f1 = frame(MacAddress.BROADCAST, a.mac(), 1);
    ByteString f2 = frame(a.mac(), b.mac(), 2);
    ByteString f3 = frame(b.mac(), a.mac(), 3);
    ByteString f4 = frame(b.mac(), a.mac(), 4);
    send(sw, a, f1);
    send(sw, b, f2);
    send(sw, a, f3, f4);
    assertEquals(List.of(f1), expectDelivery(b));
    assertEquals(List.of(f2), expectDelivery(a));
    assertEquals(List.of(f3, f4), expectDelivery(b));
    removeTap(sw, 7L);
    long after = sim.time().clock().epochNanos();

    assertEquals(List.of(f1, f2, f3, f4), seen.stream().map(TappedFrame::bytes).toList());
    assertEquals(List.of(1, 2, 1, 1), seen.stream().map(TappedFrame::ingressPort).toList());
    assertEquals(
        List.of("alpha", "beta", "alpha", "alpha"),
        seen.stream().map(TappedFrame::ingressName).toList());
    long previous = before;
    for (TappedFrame tapped : seen) {
      assertTrue(
          tapped.epochNanos() >= previous,
          "timestamps go back: " + tapped.epochNanos() + " after " + previous);
      previous = tapped.epochNanos();
    }
    assertTrue(
        previous <= after, "timestamp " + previous + " after the tap was removed at " + after);
  }

  @Test
  @DisplayName("Tap timestamps come from the network's clock")
  void tapTimestampsComeFromTheNetworkClock() {
    AtomicLong epoch = new AtomicLong(5_000);
    NetworkClock manual =
        new NetworkClock() {
          @Override
          public long nanoTime() {
            return epoch.get();
          }

          @Override
          public long epochNanos() {
            return epoch.get();
          }
        };
    ActorRef<SwitchCommand> sw =
        testKit.spawn(SwitchActor.create(new SwitchSettings(SEED, MAX_FRAME, manual)));
    Port a = attach(sw, "a");
    Port b = attach(sw, "b");
    List<TappedFrame> seen = new CopyOnWriteArrayList<>();
    sw.tell(new SwitchCommand.AddTap(1L, seen::add));
    send(sw, a, frame(MacAddress.BROADCAST, a.mac(), 1));
    expectDelivery(b);
    epoch.set(9_000);
    send(sw, a, frame(MacAddress.BROADCAST, a.mac(), 2));
    expectDelivery(b);
    removeTap(sw, 1L);
    assertEquals(List.of(5_000L, 9_000L), seen.stream().map(TappedFrame::epochNanos).toList());
  }

  @Test
  @DisplayName("A tap does not see frames dropped at ingress (runts, oversized, unknown port)")
  void tapDoesNotSeeDroppedFrames() {
    ActorRef<SwitchCommand> sw = newSwitch(SEED);
    Port a = attach(sw, "a");
    Port b = attach(sw, "b");
    List<TappedFrame> seen = new CopyOnWriteArrayList<>();
    sw.tell(new SwitchCommand.AddTap(3L, seen::add));
    ByteString good = frame(MacAddress.BROADCAST, a.mac(), 1);
    send(sw, a, good.take(10), frameOfLength(MacAddress.BROADCAST, a.mac(), MAX_FRAME + 1), good);
    sw.tell(new SwitchCommand.Transmit(99, List.of(good)));
    assertEquals(List.of(good), expectDelivery(b));
    removeTap(sw, 3L);
    assertEquals(List.of(good), seen.stream().map(TappedFrame::bytes).toList());
  }

  @Test
  @DisplayName("Two taps each see every frame")
  void twoTapsBothSeeEveryFrame() {
    ActorRef<SwitchCommand> sw = newSwitch(SEED);
    Port a = attach(sw, "a");
    Port b = attach(sw, "b");
    List<TappedFrame> first = new CopyOnWriteArrayList<>();
    List<TappedFrame> second = new CopyOnWriteArrayList<>();
    sw.tell(new SwitchCommand.AddTap(1L, first::add));
    sw.tell(new SwitchCommand.AddTap(2L, second::add));
    ByteString f1 = frame(MacAddress.BROADCAST, a.mac(), 1);
    ByteString f2 = frame(MacAddress.BROADCAST, b.mac(), 2);
    send(sw, a, f1);
    send(sw, b, f2);
    expectDelivery(b);
    expectDelivery(a);
    removeTap(sw, 1L);
    removeTap(sw, 2L);
    assertEquals(List.of(f1, f2), first.stream().map(TappedFrame::bytes).toList());
    assertEquals(List.of(f1, f2), second.stream().map(TappedFrame::bytes).toList());
  }

  // RemoveTap waiting for a blocked consumer needs the tap on a thread of its own:
  // SwitchTapConsumerTest, in real time.

  @Test
  @DisplayName("RemoveTap of an unknown tap answers at once")
  void removeUnknownTapAnswers() {
    ActorRef<SwitchCommand> sw = newSwitch(SEED);
    removeTap(sw, 12345L);
  }

  @Test
  @DisplayName("A tap consumer that throws keeps receiving later frames, and forwarding goes on")
  void throwingTapConsumerKeepsReceiving() {
    ActorRef<SwitchCommand> sw = newSwitch(SEED);
    Port a = attach(sw, "a");
    Port b = attach(sw, "b");
    List<ByteString> seen = new CopyOnWriteArrayList<>();
    sw.tell(
        new SwitchCommand.AddTap(
            5L,
            tapped -> {
              seen.add(tapped.bytes());
              if (seen.size() == 1) {
                throw new IllegalStateException("listener bug (expected by the test)");
              }
            }));
    ByteString f1 = frame(MacAddress.BROADCAST, a.mac(), 1);
    ByteString f2 = frame(MacAddress.BROADCAST, a.mac(), 2);
    ByteString f3 = frame(MacAddress.BROADCAST, a.mac(), 3);
    send(sw, a, f1, f2);
    assertEquals(List.of(f1, f2), expectDelivery(b));
    send(sw, a, f3);
    assertEquals(List.of(f3), expectDelivery(b));
    removeTap(sw, 5L);
    assertEquals(List.of(f1, f2, f3), seen);
  }

  // ------------------------------------------------------------------ stop

  @Test
  @DisplayName("Stop answers Done and the switch terminates")
  void stopAnswersDone() {
    ActorRef<SwitchCommand> sw = newSwitch(SEED);
    sw.tell(new SwitchCommand.AddTap(1L, tapped -> {}));
    TestProbe<Done> done = testKit.createTestProbe(Done.class);
    sw.tell(new SwitchCommand.Stop(done.getRef()));
    assertEquals(Done.getInstance(), sim.receive(done, WAIT));
    done.expectTerminated(sw, WAIT);
  }
}
