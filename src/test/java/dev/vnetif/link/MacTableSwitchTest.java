package dev.vnetif.link;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vnetif.wire.EthernetFrame;
import dev.vnetif.wire.MacAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The switch with its forwarding table's limit and ageing, on a hand-driven clock. */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MacTableSwitchTest {

  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  private static final Duration QUIET = Duration.ofMillis(150);
  private static final Duration WAIT = Duration.ofSeconds(3);
  private static final Duration AGEING = Duration.ofSeconds(300);
  private static final int ETHERTYPE_TEST = 0x88B5;

  private record Port(int number, MacAddress mac, TestProbe<PortDelivery> probe) {}

  private final AtomicLong now = new AtomicLong(1_000);
  private final NetworkClock clock =
      new NetworkClock() {
        @Override
        public long nanoTime() {
          return now.get();
        }

        @Override
        public long epochNanos() {
          return now.get();
        }
      };

  private ActorRef<SwitchCommand> newSwitch(int limit) {
    return testKit.spawn(SwitchActor.create(new SwitchSettings(1, 1514, clock, AGEING, limit)));
  }

  private Port attach(ActorRef<SwitchCommand> sw, String name) {
    TestProbe<PortDelivery> endpoint = testKit.createTestProbe(PortDelivery.class);
    TestProbe<SwitchCommand.Attached> reply = testKit.createTestProbe(SwitchCommand.Attached.class);
    sw.tell(new SwitchCommand.Attach(name, endpoint.getRef(), null, reply.getRef()));
    SwitchCommand.Attached attached = reply.expectMessageClass(SwitchCommand.Attached.class, WAIT);
    return new Port(attached.port(), attached.mac(), endpoint);
  }

  private static ByteString frame(MacAddress destination, MacAddress source, int tag) {
    return EthernetFrame.encode(
        destination, source, ETHERTYPE_TEST, ByteString.fromArray(new byte[] {(byte) tag}));
  }

  private static void send(ActorRef<SwitchCommand> sw, Port from, ByteString frame) {
    sw.tell(new SwitchCommand.Transmit(from.number(), List.of(frame)));
  }

  private static List<ByteString> expectDelivery(Port port) {
    return port.probe().expectMessageClass(PortDelivery.class, WAIT).frames();
  }

  private SwitchStats stats(ActorRef<SwitchCommand> sw) {
    TestProbe<SwitchStats> probe = testKit.createTestProbe(SwitchStats.class);
    sw.tell(new SwitchCommand.GetStats(probe.getRef()));
    return probe.expectMessageClass(SwitchStats.class, WAIT);
  }

  @Test
  @DisplayName(
      "A MAC refused by a full table still has its frames forwarded, and frames to it are flooded")
  void refusedLearnStillForwards() {
    ActorRef<SwitchCommand> sw = newSwitch(2);
    Port a = attach(sw, "a");
    Port b = attach(sw, "b");
    Port c = attach(sw, "c");
    send(sw, a, frame(MacAddress.BROADCAST, a.mac(), 1));
    expectDelivery(b);
    expectDelivery(c);
    send(sw, b, frame(MacAddress.BROADCAST, b.mac(), 2));
    expectDelivery(a);
    expectDelivery(c);

    ByteString fromC = frame(a.mac(), c.mac(), 3);
    send(sw, c, fromC);
    assertEquals(List.of(fromC), expectDelivery(a), "c's frame reaches a though c is not learned");
    ByteString toC = frame(c.mac(), a.mac(), 4);
    send(sw, a, toC);
    assertEquals(List.of(toC), expectDelivery(c));
    assertEquals(List.of(toC), expectDelivery(b), "c is unknown: the frame was flooded");

    SwitchStats stats = stats(sw);
    assertEquals(2, stats.macTableEntries());
    assertEquals(1, stats.macLearnsRefused());
  }

  @Test
  @DisplayName("After the ageing time a quiet MAC is forgotten: frames to it are flooded again")
  void agedMacIsFloodedAgain() {
    ActorRef<SwitchCommand> sw = newSwitch(8);
    Port a = attach(sw, "a");
    Port b = attach(sw, "b");
    Port c = attach(sw, "c");
    send(sw, b, frame(MacAddress.BROADCAST, b.mac(), 1));
    expectDelivery(a);
    expectDelivery(c);

    now.addAndGet(AGEING.toNanos() - 1);
    ByteString early = frame(b.mac(), a.mac(), 2);
    send(sw, a, early);
    assertEquals(List.of(early), expectDelivery(b));
    c.probe().expectNoMessage(QUIET);

    now.addAndGet(1);
    ByteString late = frame(b.mac(), a.mac(), 3);
    send(sw, a, late);
    assertEquals(List.of(late), expectDelivery(b));
    assertEquals(List.of(late), expectDelivery(c), "b aged out at 300 s: flooded");
    assertEquals(1, stats(sw).macTableEntries(), "only a, learned from its last frame");
  }
}
