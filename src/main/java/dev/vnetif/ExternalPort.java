package dev.vnetif;

import dev.vnetif.link.ExternalPortActor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;

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
