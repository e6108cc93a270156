package dev.vnetif;

import dev.vnetif.link.PortDelivery;
import dev.vnetif.link.SwitchCommand;
import dev.vnetif.wire.MacAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.util.ByteString;

/**
 * A switch port driven by hand: send any bytes as a frame, and take the frames the switch delivers
 * to it. For scripted peers (packetdrill-style tests), fuzzing, and tools that bring their own
 * stack. Received frames queue without bound until taken.
 */
public final class RawPort implements SwitchAttachment {
  private final ActorSystem<?> system;
  private final ActorRef<SwitchCommand> switchRef;
  private final ActorRef<?> endpoint;
  private final int port;
  private final MacAddress mac;
  private final BlockingQueue<ByteString> received;

  RawPort(
      ActorSystem<?> system,
      ActorRef<SwitchCommand> switchRef,
      ActorRef<?> endpoint,
      int port,
      MacAddress mac,
      BlockingQueue<ByteString> received) {
    this.system = system;
    this.switchRef = switchRef;
    this.endpoint = endpoint;
    this.port = port;
    this.mac = mac;
    this.received = received;
  }

  /**
   * Spawns the actor that queues what the switch delivers to the port, and attaches it; completes
   * with the port once the switch has numbered it.
   */
  static CompletionStage<RawPort> attach(
      ActorSystem<?> system,
      ActorRef<SwitchCommand> switchRef,
      String name,
      MacAddress mac,
      String actorName,
      Props props,
      Duration timeout) {
    LinkedBlockingQueue<ByteString> queue = new LinkedBlockingQueue<>();
    ActorRef<PortDelivery> endpoint =
        system.systemActorOf(
            Behaviors.receive(PortDelivery.class)
                .onMessage(
                    PortDelivery.class,
                    d -> {
                      queue.addAll(d.frames());
                      return Behaviors.same();
                    })
                .build(),
            actorName,
            props);
    CompletionStage<SwitchCommand.Attached> attached =
        Asks.ask(
            switchRef,
            replyTo -> new SwitchCommand.Attach(name, endpoint, mac, replyTo),
            timeout,
            system.scheduler());
    return attached.thenApply(
        a -> new RawPort(system, switchRef, endpoint, a.port(), a.mac(), queue));
  }

  public int port() {
    return port;
  }

  /** The switch port, the same as {@link #port()}. */
  @Override
  public int switchPort() {
    return port;
  }

  /** The MAC the switch assigned (or the one asked for). Frames may use any source MAC. */
  public MacAddress mac() {
    return mac;
  }

  /** Puts one frame on the wire, as is. */
  public void send(ByteString frame) {
    switchRef.tell(new SwitchCommand.Transmit(port, List.of(frame)));
  }

  /** Puts several frames on the wire in one batch, in order. */
  public void send(List<ByteString> frames) {
    switchRef.tell(new SwitchCommand.Transmit(port, List.copyOf(frames)));
  }

  /** The next delivered frame, waiting at most {@code timeout}; null if none came. */
  public ByteString poll(Duration timeout) throws InterruptedException {
    return received.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Every frame delivered so far and not yet taken. */
  public List<ByteString> drain() {
    List<ByteString> frames = new ArrayList<>();
    received.drainTo(frames);
    return frames;
  }

  /** Leaves the switch; completes once the port is gone. */
  public CompletionStage<Done> detach() {
    CompletionStage<Done> done =
        Asks.ask(
            switchRef,
            replyTo -> new SwitchCommand.Detach(port, replyTo),
            Duration.ofSeconds(10),
            system.scheduler());
    return done.thenApply(
        d -> {
          // The endpoint is a top-level system actor with nothing left to do once detached.
          system.classicSystem().stop(Adapter.toClassic(endpoint));
          return d;
        });
  }
}
