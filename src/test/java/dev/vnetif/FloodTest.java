package dev.vnetif;

import static dev.vnetif.HostsIntegrationTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.link.NetworkClock;
import dev.vnetif.link.PortDelivery;
import dev.vnetif.link.SwitchActor;
import dev.vnetif.link.SwitchCommand;
import dev.vnetif.link.SwitchSettings;
import dev.vnetif.link.SwitchStats;
import dev.vnetif.stack.ArpSettings;
import dev.vnetif.stack.DropReason;
import dev.vnetif.stack.HostCounters;
import dev.vnetif.stack.HostSettings;
import dev.vnetif.stack.StackActor;
import dev.vnetif.wire.ArpPacket;
import dev.vnetif.wire.EthernetFrame;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.MacAddress;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An attacker on a raw port floods the network the way the issue did — 200,000 ARP requests from
 * made-up senders to one host, then 200,000 frames from made-up source MACs — while two hosts ping
 * each other. The switch and the hosts run on a hand-driven clock, so the test can then step past
 * the ARP lifetime and the MAC ageing time and see that nothing of the flood is held.
 *
 * <p>The measured numbers (heap retained, table sizes, refusals, durations) are printed for the
 * README.
 */
@ExtendWith(TestKitJUnit5Extension.class)
class FloodTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int FLOOD = 200_000;
  private static final int BATCH = 1_000;

  /**
   * A legitimate ping every this many batches, waited for: the flood and real traffic interleave.
   */
  private static final int PING_EVERY = 10;

  /** Retained heap the full tables may add: 8,192 MACs and 1,024 ARP mappings are about 1 MB. */
  private static final long FULL_TABLES_BOUND = 4L << 20;

  /** Retained heap left once everything aged out: the tables' emptied hash arrays, and noise. */
  private static final long AGED_OUT_BOUND = 1L << 20;

  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  /** A clock that moves only when the test says; actors read it from their own threads. */
  static final class ManualClock implements NetworkClock {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    void advance(Duration by) {
      now.addAndGet(by.toNanos());
    }

    @Override
    public long nanoTime() {
      return now.get();
    }

    @Override
    public long epochNanos() {
      return now.get();
    }
  }

  private final ManualClock clock = new ManualClock();
  private final NetworkConfig config =
      NetworkConfig.fromConfig(testKit.system().settings().config());
  private ActorRef<SwitchCommand> switchRef;
  private int hostSeed = 1;

  @Test
  @DisplayName(
      "200,000 spoofed ARP senders and 200,000 spoofed MACs: tables stay within their limits, pings go on, and after the lifetimes nothing is held")
  void floodsAreBoundedAndAgeOut() throws Exception {
    switchRef = testKit.spawn(SwitchActor.create(new SwitchSettings(7, 9018, clock)));
    Stack a = host("10.0.0.2/8");
    Stack b = host("10.0.0.3/8");
    RawPort attacker = rawPort();
    await(a.ping(b.address(), WAIT));
    await(b.ping(a.address(), WAIT));
    // Warm up the paths the floods take, so that what is measured next is what stays.
    flood(
        attacker,
        BATCH,
        i -> arpRequest(attacker, Ipv4Address.fromInt(0x0A_10_00_00 + i), a),
        a,
        b);
    flood(attacker, BATCH, FloodTest::spoofedSourceFrame, a, b);
    clock.advance(Duration.ofSeconds(301));
    await(a.ping(b.address(), WAIT));
    await(b.ping(a.address(), WAIT));

    long baseline = retainedHeap();
    long arpFullBefore = a.stats().drops(DropReason.ARP_TABLE_FULL);

    long arpStart = System.nanoTime();
    int arpPings =
        flood(
            attacker,
            FLOOD,
            i -> arpRequest(attacker, Ipv4Address.fromInt(0x0A_01_00_00 + i), a),
            a,
            b);
    long arpMillis = (System.nanoTime() - arpStart) / 1_000_000;
    // a knew b before the flood: the table had room for ArpSettings.DEFAULT_MAX_ENTRIES - 1 more.
    long arpRefused = a.stats().drops(DropReason.ARP_TABLE_FULL) - arpFullBefore;
    assertEquals(FLOOD - (ArpSettings.DEFAULT_MAX_ENTRIES - 1), arpRefused, "ARP learns refused");
    SwitchStats beforeMacFlood = switchStats();

    long macStart = System.nanoTime();
    int macPings = flood(attacker, FLOOD, FloodTest::spoofedSourceFrame, a, b);
    long macMillis = (System.nanoTime() - macStart) / 1_000_000;
    SwitchStats afterMacFlood = switchStats();
    long room = SwitchSettings.DEFAULT_MAC_TABLE_LIMIT - beforeMacFlood.macTableEntries();
    assertEquals(SwitchSettings.DEFAULT_MAC_TABLE_LIMIT, afterMacFlood.macTableEntries());
    assertEquals(
        FLOOD - room,
        afterMacFlood.macLearnsRefused() - beforeMacFlood.macLearnsRefused(),
        "MAC learns refused");

    long afterFlood = retainedHeap();

    // A host that joins now finds both tables full: its MAC is not learned (its frames are
    // flooded) and a does not add it on its request, yet they talk.
    Stack c = host("10.0.0.4/8");
    await(c.ping(a.address(), WAIT));
    await(a.ping(c.address(), WAIT));

    clock.advance(SwitchSettings.DEFAULT_MAC_AGEING_TIME);
    assertEquals(0, switchStats().macTableEntries(), "every MAC aged out");
    await(a.ping(b.address(), WAIT));
    assertEquals(2, switchStats().macTableEntries(), "a and b learned again, and nothing else");
    long afterAgeing = retainedHeap();

    // a's table is empty but for b: a fresh flood of as many senders as it holds is all learned.
    long refusedBefore = a.stats().drops(DropReason.ARP_TABLE_FULL);
    flood(
        attacker,
        ArpSettings.DEFAULT_MAX_ENTRIES - 1,
        i -> arpRequest(attacker, Ipv4Address.fromInt(0x0A_20_00_00 + i), a),
        a,
        b);
    assertEquals(
        refusedBefore,
        a.stats().drops(DropReason.ARP_TABLE_FULL),
        "the expired mappings were freed: room for a full table again");

    System.out.printf(
        "FloodTest: ARP flood %,d requests in %,d ms (%d pings during it), %,d not learned;"
            + " MAC flood %,d frames in %,d ms (%d pings during it), MAC table %,d entries,"
            + " %,d learns refused%n",
        FLOOD,
        arpMillis,
        arpPings,
        arpRefused,
        FLOOD,
        macMillis,
        macPings,
        afterMacFlood.macTableEntries(),
        afterMacFlood.macLearnsRefused() - beforeMacFlood.macLearnsRefused());
    System.out.printf(
        "FloodTest: retained heap %+,d bytes after both floods, %+,d bytes once aged out"
            + " (baseline %,d)%n",
        afterFlood - baseline, afterAgeing - baseline, baseline);
    assertTrue(
        afterFlood - baseline < FULL_TABLES_BOUND,
        "retained heap grew " + (afterFlood - baseline) + " bytes with full tables");
    assertTrue(
        afterAgeing - baseline < AGED_OUT_BOUND,
        "retained heap grew " + (afterAgeing - baseline) + " bytes once everything aged out");
  }

  // ---------------------------------------------------------------- the flood

  /**
   * Sends {@code count} frames in batches, a ping each way between {@code a} and {@code b} every
   * few batches (each waited for, which also keeps the backlog short), and a last pair at the end:
   * once it answers, every flood frame was handled. Returns the pings sent.
   */
  private int flood(RawPort attacker, int count, IntFunction<ByteString> frame, Stack a, Stack b) {
    int pings = 0;
    int batches = 0;
    for (int start = 0; start < count; start += BATCH) {
      List<ByteString> batch = new ArrayList<>(BATCH);
      for (int i = start; i < Math.min(count, start + BATCH); i++) {
        batch.add(frame.apply(i));
      }
      attacker.send(batch);
      if (++batches % PING_EVERY == 0) {
        await(a.ping(b.address(), WAIT));
        await(b.ping(a.address(), WAIT));
        pings += 2;
      }
    }
    await(b.ping(a.address(), WAIT));
    await(a.ping(b.address(), WAIT));
    return pings + 2;
  }

  /** "Who has {@code target}? Tell {@code sender}", from the attacker's port (RFC 826). */
  private static ByteString arpRequest(RawPort attacker, Ipv4Address sender, Stack target) {
    ArpPacket request =
        ArpPacket.request(attacker.mac(), sender, Ipv4Address.fromInet(target.address()));
    return EthernetFrame.encode(
        MacAddress.BROADCAST, attacker.mac(), EthernetFrame.ETHERTYPE_ARP, request.encode());
  }

  /** A minimum-size frame from a made-up, locally administered unicast MAC (as macof sends). */
  private static ByteString spoofedSourceFrame(int i) {
    MacAddress source = MacAddress.fromLong(0x02_00_00_00_00_00L | (0x10_00_00L + i));
    MacAddress nowhere = MacAddress.of("02:ee:ee:ee:ee:ee");
    return EthernetFrame.encode(nowhere, source, 0x88B5, ByteString.fromArray(new byte[46]));
  }

  // ---------------------------------------------------------------- the network

  private Stack host(String cidr) {
    HostSettings settings =
        VirtualNetwork.hostSettings(config, StackConfig.of(cidr), hostSeed++, clock);
    HostCounters counters = new HostCounters();
    TestProbe<StackActor.HostReady> ready = testKit.createTestProbe();
    testKit.spawn(StackActor.create(settings, switchRef, counters, ready.ref()));
    StackActor.HostReady r = ready.receiveMessage(WAIT);
    return new Stack(
        testKit.system(),
        r.host(),
        settings,
        r.mac(),
        r.port(),
        counters,
        config.pingPayloadSize(),
        () -> {});
  }

  /** A raw port whose deliveries (a's 200,000 ARP replies) are counted and let go. */
  private RawPort rawPort() {
    AtomicLong delivered = new AtomicLong();
    ActorRef<PortDelivery> endpoint =
        testKit.spawn(
            Behaviors.receive(PortDelivery.class)
                .onMessage(
                    PortDelivery.class,
                    d -> {
                      delivered.addAndGet(d.frames().size());
                      return Behaviors.same();
                    })
                .build());
    TestProbe<SwitchCommand.Attached> attached = testKit.createTestProbe();
    switchRef.tell(new SwitchCommand.Attach("attacker", endpoint, null, attached.ref()));
    SwitchCommand.Attached a = attached.receiveMessage(WAIT);
    return new RawPort(
        testKit.system(), switchRef, endpoint, a.port(), a.mac(), new RawPort.Inbox());
  }

  private SwitchStats switchStats() {
    TestProbe<SwitchStats> probe = testKit.createTestProbe();
    switchRef.tell(new SwitchCommand.GetStats(probe.ref()));
    return probe.receiveMessage(WAIT);
  }

  /** Heap in use after full collections, once two in a row agree within 64 KB. */
  private static long retainedHeap() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long previous = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      long used = memory.getHeapMemoryUsage().getUsed();
      if (Math.abs(previous - used) < 64 << 10) {
        return used;
      }
      previous = used;
    }
    return previous;
  }
}
