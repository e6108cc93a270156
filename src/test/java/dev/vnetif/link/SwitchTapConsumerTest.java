package dev.vnetif.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.wire.EthernetFrame;
import dev.vnetif.wire.MacAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
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

/**
 * A tap consumer that blocks holds up neither forwarding nor anything but its own removal. In real
 * time, unlike the rest of the switch's tests ({@link SwitchActorTest}): it needs the tap's actor
 * on a thread of its own, blocked while the switch goes on, which the one thread of a simulation in
 * virtual time cannot give.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SwitchTapConsumerTest {

  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  private static final long SEED = 42L;
  private static final int MAX_FRAME = 1514;
  private static final Duration WAIT = Duration.ofSeconds(3);
  private static final int ETHERTYPE_TEST = 0x88B5; // IEEE 802 local experimental

  private record Port(int number, MacAddress mac, TestProbe<PortDelivery> probe) {}

  private ActorRef<SwitchCommand> newSwitch(long seed) {
    return testKit.spawn(
        SwitchActor.create(new SwitchSettings(seed, MAX_FRAME, NetworkClock.system())));
  }

  private Port attach(ActorRef<SwitchCommand> sw, String name) {
    TestProbe<PortDelivery> endpoint = testKit.createTestProbe(PortDelivery.class);
    TestProbe<SwitchCommand.Attached> reply = testKit.createTestProbe(SwitchCommand.Attached.class);
    sw.tell(new SwitchCommand.Attach(name, endpoint.getRef(), null, reply.getRef()));
    SwitchCommand.Attached attached = reply.expectMessageClass(SwitchCommand.Attached.class, WAIT);
    return new Port(attached.port(), attached.mac(), endpoint);
  }

  /** A frame whose payload starts with {@code tag}, so every frame of a test is distinct. */
  private static ByteString frame(MacAddress destination, MacAddress source, int tag) {
    byte[] payload = new byte[4];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) (tag + i);
    }
    return EthernetFrame.encode(destination, source, ETHERTYPE_TEST, ByteString.fromArray(payload));
  }

  private static void send(ActorRef<SwitchCommand> sw, Port from, ByteString... frames) {
    sw.tell(new SwitchCommand.Transmit(from.number(), List.of(frames)));
  }

  private static List<ByteString> expectDelivery(Port port) {
    return port.probe().expectMessageClass(PortDelivery.class, WAIT).frames();
  }

  private void removeTap(ActorRef<SwitchCommand> sw, long tapId) {
    TestProbe<Done> done = testKit.createTestProbe(Done.class);
    sw.tell(new SwitchCommand.RemoveTap(tapId, done.getRef()));
    done.expectMessage(WAIT, Done.getInstance());
  }

  @Test
  @DisplayName(
      "RemoveTap answers only after the tap consumed every frame handed to it before the removal")
  void removeTapWaitsForTheConsumer() throws InterruptedException {
    ActorRef<SwitchCommand> sw = newSwitch(SEED);
    Port a = attach(sw, "a");
    Port b = attach(sw, "b");
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<ByteString> seen = new CopyOnWriteArrayList<>();
    sw.tell(
        new SwitchCommand.AddTap(
            11L,
            tapped -> {
              if (seen.isEmpty()) {
                entered.countDown();
                try {
                  if (!release.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("test never released the tap consumer");
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              seen.add(tapped.bytes());
            }));

    int n = 12;
    List<ByteString> sent = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        ByteString f = frame(MacAddress.BROADCAST, a.mac(), i);
        sent.add(f);
        send(sw, a, f);
      }
      assertTrue(entered.await(5, TimeUnit.SECONDS), "tap consumer never got the first frame");
      TestProbe<Done> removed = testKit.createTestProbe(Done.class);
      sw.tell(new SwitchCommand.RemoveTap(11L, removed.getRef()));
      // Forwarding is not held up by the blocked consumer.
      for (int i = 0; i < n; i++) {
        assertEquals(List.of(sent.get(i)), expectDelivery(b));
      }
      removed.expectNoMessage(Duration.ofMillis(200));
      assertTrue(seen.isEmpty(), "consumer returned while blocked");

      release.countDown();
      removed.expectMessage(WAIT, Done.getInstance());
      assertEquals(sent, seen);
    } finally {
      release.countDown();
    }

    // The tap is gone: later frames are not handed to it.
    send(sw, a, frame(MacAddress.BROADCAST, a.mac(), 0x7F));
    expectDelivery(b);
    removeTap(sw, 99L); // any later message round-trips through the switch
    assertEquals(n, seen.size());
  }
}
