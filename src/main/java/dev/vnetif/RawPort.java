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
import java.util.function.Predicate;
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
  private final Inbox inbox;
  private final BlockingQueue<ByteString> received;

  RawPort(
      ActorSystem<?> system,
      ActorRef<SwitchCommand> switchRef,
      ActorRef<?> endpoint,
      int port,
      MacAddress mac,
      Inbox inbox) {
    this.system = system;
    this.switchRef = switchRef;
    this.endpoint = endpoint;
    this.port = port;
    this.mac = mac;
    this.inbox = inbox;
    this.received = inbox.queue;
  }

  /**
   * What the switch delivered and nobody took yet, and who sees a frame first. The handler and the
   * queue change under one lock, so that a handler installed late still sees every frame in
   * delivery order: the queued ones first, then the new ones.
   */
  static final class Inbox {
    final LinkedBlockingQueue<ByteString> queue = new LinkedBlockingQueue<>();
    private Predicate<ByteString> handler;

    synchronized void deliver(List<ByteString> frames) {
      for (ByteString frame : frames) {
        if (handler == null || !handler.test(frame)) {
          queue.add(frame);
        }
      }
    }

    synchronized void handOver(Predicate<ByteString> newHandler) {
      handler = newHandler;
      List<ByteString> waiting = new ArrayList<>();
      queue.drainTo(waiting);
      queue.addAll(waiting.stream().filter(frame -> !newHandler.test(frame)).toList());
    }
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
    Inbox inbox = new Inbox();
    ActorRef<PortDelivery> endpoint =
        system.systemActorOf(
            Behaviors.receive(PortDelivery.class)
                .onMessage(
                    PortDelivery.class,
                    d -> {
                      inbox.deliver(d.frames());
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
        a -> new RawPort(system, switchRef, endpoint, a.port(), a.mac(), inbox));
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

  /**
   * Hands every delivered frame to {@code handler} first, in delivery order: the frames it returns
   * true for are taken, the others queue for {@link #poll} as before. Frames already queued are
   * handed to it at once, on the calling thread; later ones on the port's actor, as they arrive (in
   * virtual time, on the simulation's thread at the frame's virtual time). For a peer that answers
   * a protocol on the spot (ARP while the test waits for something else) or keeps its own queue. It
   * must not block, and replaces any handler given before.
   */
  public void onDelivery(Predicate<ByteString> handler) {
    inbox.handOver(java.util.Objects.requireNonNull(handler, "handler"));
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
