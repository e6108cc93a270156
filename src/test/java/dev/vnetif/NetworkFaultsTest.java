package dev.vnetif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.testsupport.VirtualTimeKit;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Partitions, isolation, holds and link conditions applied by the switch, seen from hosts: which
 * datagrams arrive, in what order, and what the condition counters say. In virtual time: "nothing
 * arrives" is watched for {@link #QUIET} of virtual time at no cost, and a delay shows as exactly
 * itself in the round trip.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60) // wall-clock bound on each test; every wait inside is bounded in virtual time
class NetworkFaultsTest {
  /** Bound on each wait, in virtual time. */
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** Long enough for a datagram to cross an idle network many times over. */
  static final Duration QUIET = Duration.ofMillis(300);

  final VirtualTimeKit sim = VirtualTimeKit.create("network-faults");

  VirtualNetwork net;
  Stack a;
  Stack b;
  Stack c;
  final LinkedBlockingQueue<String> atB = new LinkedBlockingQueue<>();
  final LinkedBlockingQueue<String> atA = new LinkedBlockingQueue<>();

  @BeforeEach
  void newNetwork() {
    net = VirtualNetwork.create(sim.system());
    a = await(net.createStack("10.0.0.2/24"));
    b = await(net.createStack("10.0.0.3/24"));
    c = await(net.createStack("10.0.0.4/24"));
    b.udp().listen(7, d -> atB.add(d.payload().utf8String()));
    a.udp().listen(7, d -> atA.add(d.payload().utf8String()));
    // Resolve ARP both ways first, so that every later frame is a datagram.
    await(a.ping(b.address(), TIMEOUT));
    await(a.ping(c.address(), TIMEOUT));
    await(b.ping(c.address(), TIMEOUT));
  }

  @AfterEach
  void shutdown() {
    await(net.shutdown());
  }

  @AfterAll
  void stopTestKit() {
    sim.close();
  }

  <T> T await(CompletionStage<T> stage) {
    return sim.await(stage, TIMEOUT, "stage");
  }

  void send(Stack from, Stack to, String text) {
    await(from.udp().send(new InetSocketAddress(to.address(), 7), ByteString.fromString(text)));
  }

  List<String> take(LinkedBlockingQueue<String> queue, int n) {
    sim.awaitCondition(
        () -> queue.size() >= n, TIMEOUT, () -> "only " + List.copyOf(queue) + " arrived of " + n);
    List<String> got = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      got.add(queue.poll());
    }
    return got;
  }

  /** Nothing arrives while {@link #QUIET} of virtual time passes. */
  void assertNothing(LinkedBlockingQueue<String> queue) {
    sim.advance(QUIET);
    assertEquals(null, queue.poll(), "nothing should have arrived");
  }

  /** Waits until {@code counter} has not moved for {@link #QUIET} of virtual time. */
  void awaitQuiet(java.util.function.LongSupplier counter) {
    sim.runUntilIdle();
    long last = counter.getAsLong();
    while (true) {
      sim.advance(QUIET);
      long now = counter.getAsLong();
      if (now == last) {
        return;
      }
      last = now;
    }
  }

  static long cutDrops(ConditionStats stats) {
    return stats.links().stream()
        .flatMap(l -> l.steps().stream())
        .filter(s -> s.step().equals("cut"))
        .mapToLong(ConditionStats.StepStats::dropped)
        .sum();
  }

  @Test
  void partitionDropsBothWaysUntilHealed() throws Exception {
    await(net.partition(a, b));
    send(a, b, "a1");
    send(b, a, "b1");
    assertNothing(atB);
    assertNothing(atA);
    assertEquals(2, cutDrops(await(net.conditionStats())));
    // c is not part of the partition.
    send(c, b, "c1");
    assertEquals(List.of("c1"), take(atB, 1));

    await(net.heal(a, b));
    send(a, b, "a2");
    send(b, a, "b2");
    assertEquals(List.of("a2"), take(atB, 1));
    assertEquals(List.of("b2"), take(atA, 1));
  }

  @Test
  void oneWayPartitionCutsOnlyOneDirection() throws Exception {
    await(net.partitionOneWay(a, b));
    send(a, b, "lost");
    send(b, a, "kept");
    assertEquals(List.of("kept"), take(atA, 1));
    assertNothing(atB);
    assertEquals(1, cutDrops(await(net.conditionStats())));
  }

  @Test
  void isolatedHostReachesNobodyUntilItRejoins() throws Exception {
    await(net.isolate(a));
    send(a, b, "a1");
    send(c, a, "c1");
    assertNothing(atB);
    assertNothing(atA);
    await(net.rejoin(a));
    send(a, b, "a2");
    assertEquals(List.of("a2"), take(atB, 1));
  }

  @Test
  void healAllMendsEveryCutAndIsolation() throws Exception {
    await(net.partition(a, b));
    await(net.isolate(c));
    await(net.healAll());
    send(a, b, "a1");
    send(c, b, "c1");
    List<String> got = take(atB, 2);
    assertTrue(got.containsAll(List.of("a1", "c1")), got.toString());
  }

  @Test
  void heldFramesArriveAllAtOnceInOrderOnRelease() throws Exception {
    await(net.hold(a, b));
    for (int i = 0; i < 20; i++) {
      send(a, b, "m" + i);
    }
    send(b, a, "reverse"); // only a → b is held
    assertEquals(List.of("reverse"), take(atA, 1));
    assertNothing(atB);
    await(net.release(a, b));
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      expected.add("m" + i);
    }
    assertEquals(expected, take(atB, 20));
    send(a, b, "after");
    assertEquals(List.of("after"), take(atB, 1));
  }

  @Test
  void egressDelayDelaysWhatTheHostReceives() throws Exception {
    await(
        net.setConditions(
            b, Direction.EGRESS, LinkConditions.none().delay(Duration.ofMillis(200))));
    Duration start = sim.now();
    PingReply reply = await(a.echo(b.address(), 8, TIMEOUT));
    Duration elapsed = sim.now().minus(start);
    assertEquals(Duration.ofMillis(200), elapsed, "round trip: the 200 ms delay, nothing more");
    assertEquals(Duration.ofMillis(200), reply.rtt(), "rtt");
    // Frames to other hosts are not delayed: a's ping to c takes no time at all.
    PingReply quick = await(a.echo(c.address(), 8, TIMEOUT));
    assertEquals(Duration.ZERO, quick.rtt(), "rtt to c");
    await(net.setConditions(b, Direction.EGRESS, LinkConditions.none()));
    PingReply again = await(a.echo(b.address(), 8, TIMEOUT));
    assertEquals(Duration.ZERO, again.rtt(), "rtt after removing the delay");
  }

  @Test
  void delayedFramesKeepTheirOrder() throws Exception {
    await(
        net.setConditions(
            a,
            b,
            LinkConditions.none()
                .delay(Duration.ofMillis(20), Duration.ofMillis(15), Distribution.UNIFORM)));
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      send(a, b, "m" + i);
      expected.add("m" + i);
    }
    assertEquals(expected, take(atB, 50));
  }

  @Test
  void scriptedDropOfTheSecondMatchingFrame() throws Exception {
    AtomicInteger seen = new AtomicInteger();
    await(
        net.setConditions(
            a,
            Direction.INGRESS,
            LinkConditions.none()
                .drop(
                    f -> f.udp().isPresent() && seen.incrementAndGet() == 2,
                    "the 2nd UDP datagram")));
    send(a, b, "one");
    send(a, b, "two");
    send(a, b, "three");
    assertEquals(List.of("one", "three"), take(atB, 2));
    assertNothing(atB);
    ConditionStats stats = await(net.conditionStats());
    assertEquals(1, stats.dropped(), stats.toString());
  }

  @Test
  void networkWideLossOfEverythingAndItsRemoval() throws Exception {
    await(net.setConditions(LinkConditions.none().loss(1.0)));
    send(a, b, "lost");
    assertNothing(atB);
    assertTrue(await(net.conditionStats()).dropped() >= 1);
    await(net.setConditions(LinkConditions.none()));
    send(a, b, "kept");
    assertEquals(List.of("kept"), take(atB, 1));
  }

  @Test
  void corruptedFramesAreCaughtByTheReceiverAndCounted() throws Exception {
    // Every frame from a to b gets one bit flipped somewhere: in a checksummed part (IP header,
    // UDP header or data) the receiver drops it as a bad checksum; in the Ethernet header it is
    // not for b, of an unknown type, or malformed; never delivered intact, never a crash (the
    // suite fails any test that logged an ERROR).
    await(net.setConditions(a, b, LinkConditions.none().corrupt(1.0)));
    long before = b.stats().totalDrops();
    long rxBefore = b.stats().rxFrames();
    int sent = 400;
    for (int i = 0; i < sent; i++) {
      send(a, b, "datagram " + i + " with a few bytes of payload to flip");
    }
    // Frames whose destination MAC was hit may be flooded to c or vanish; the rest reach b.
    awaitQuiet(() -> b.stats().rxFrames());
    StackStats stats = b.stats();
    long received = stats.rxFrames() - rxBefore;
    long dropped = stats.totalDrops() - before;
    long delivered = 0;
    while (atB.poll() != null) {
      delivered++;
    }
    System.out.printf(
        "corrupt 100%%: %d sent, %d reached b, %d dropped by b, %d delivered; drops %s%n",
        sent, received, dropped, delivered, stats.drops());
    assertTrue(received > sent * 9 / 10, "most corrupted frames still reach b: " + received);
    assertEquals(received, dropped + delivered, "every frame b got is dropped or delivered");
    // A flip in the UDP data or header is a bad checksum: by far the largest share of the frame.
    long badChecksums =
        stats.drops(dev.vnetif.stack.DropReason.UDP_BAD_CHECKSUM)
            + stats.drops(dev.vnetif.stack.DropReason.IPV4_BAD_CHECKSUM);
    assertTrue(badChecksums > received / 2, "checksum drops " + badChecksums + " of " + received);
    // A datagram that still arrived had its flip where no checksum looks (the Ethernet source
    // MAC, the IP TTL... are covered or not): it cannot be more than a few.
    assertTrue(delivered < received / 10, "delivered despite a flipped bit: " + delivered);
    assertEquals(sent, await(net.conditionStats()).corrupted());
  }

  @Test
  void cuttingAPortFromItselfIsAClearError() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> net.partition(a, a));
    assertTrue(e.getMessage().contains(String.valueOf(a.switchPort())), e.getMessage());
    assertInstanceOf(IllegalArgumentException.class, e);
  }
}
