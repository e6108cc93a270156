package dev.vnetif;

import dev.vnetif.link.ExternalPortActor;
import dev.vnetif.link.ExternalPortSettings;
import dev.vnetif.link.ExternalSocket;
import dev.vnetif.link.SwitchCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;

/** A running external port (see {@link ExternalPortConfig}). */
public final class ExternalPort implements SwitchAttachment {
  /** The port's traffic outside the switch's own per-port counters. */
  public record Stats(long datagramsIn, long datagramsOut, long droppedIn, long droppedOut) {}

  private final ActorSystem<?> system;
  private final ActorRef<ExternalPortActor.Command> actor;
  private final ExternalPortActor.Counters counters;
  private final InetSocketAddress local;
  private final int switchPort;

  ExternalPort(
      ActorSystem<?> system,
      ActorRef<ExternalPortActor.Command> actor,
      ExternalPortActor.Counters counters,
      InetSocketAddress local,
      int switchPort) {
    this.system = system;
    this.actor = actor;
    this.counters = counters;
    this.local = local;
    this.switchPort = switchPort;
  }

  /**
   * Binds the port's UDP socket, spawns its actor and attaches it; completes once the port is on
   * the switch, or fails with {@link UncheckedIOException} if the local address cannot be bound.
   */
  static CompletionStage<ExternalPort> attach(
      ActorSystem<?> system,
      ActorRef<SwitchCommand> switchRef,
      ExternalPortConfig portConfig,
      String actorName,
      Props props,
      Duration timeout) {
    ExternalSocket socket;
    InetSocketAddress bound;
    try {
      int socketBuffer =
          (int)
              Math.min(
                  Integer.MAX_VALUE,
                  system.settings().config().getBytes("vnetif.external-port.socket-buffer"));
      socket = ExternalSocket.open(portConfig.local(), socketBuffer);
      bound = socket.localAddress();
    } catch (IOException e) {
      return CompletableFuture.failedFuture(
          new UncheckedIOException("cannot bind external port " + "to " + portConfig.local(), e));
    }
    ExternalPortActor.Counters counters = new ExternalPortActor.Counters();
    ExternalPortSettings settings =
        new ExternalPortSettings(
            portConfig.name(),
            portConfig.remote(),
            portConfig.mtu(),
            portConfig.packetInformation());
    ActorRef<ExternalPortActor.Command> actor =
        system.systemActorOf(
            ExternalPortActor.create(settings, socket, switchRef, counters), actorName, props);
    CompletionStage<SwitchCommand.Attached> attached =
        Asks.ask(actor, ExternalPortActor.AwaitAttached::new, timeout, system.scheduler());
    return attached.thenApply(a -> new ExternalPort(system, actor, counters, bound, a.port()));
  }

  /** The UDP address the port receives frames on. */
  public InetSocketAddress localAddress() {
    return local;
  }

  /** Where frames go: configured, or learned from the first datagram; null before that. */
  public InetSocketAddress remoteAddress() {
    return counters.remote();
  }

  @Override
  public int switchPort() {
    return switchPort;
  }

  public Stats stats() {
    return new Stats(
        counters.datagramsIn.get(),
        counters.datagramsOut.get(),
        counters.droppedIn.get(),
        counters.droppedOut.get());
  }

  /** Leaves the switch and closes the socket. */
  public CompletionStage<Done> detach() {
    return Asks.ask(actor, ExternalPortActor.Stop::new, Duration.ofSeconds(10), system.scheduler());
  }
}
