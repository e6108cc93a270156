package dev.vnetif.stack;

import dev.vnetif.link.SwitchCommand;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Parent of every host of one virtual network: spawns them on request and stops them all at
 * shutdown (answering once every host has stopped).
 */
public final class HostsGuardian {

  public sealed interface Command {}

  /** Start a host; {@code ready} hears from the host itself once it is attached. */
  public record SpawnHost(
      HostSettings settings, HostCounters counters, ActorRef<StackActor.HostReady> ready)
      implements Command {}

  /** Stop every host; {@code replyTo} is answered after they all stopped. */
  public record Shutdown(ActorRef<Done> replyTo) implements Command {}

  private HostsGuardian() {}

  public static Behavior<Command> create(ActorRef<SwitchCommand> switchRef, Props hostProps) {
    return Behaviors.setup(
        ctx -> {
          int[] spawned = {0};
          return Behaviors.receive(Command.class)
              .onMessage(
                  SpawnHost.class,
                  msg -> {
                    String name = "host-" + (++spawned[0]) + "-" + msg.settings().address();
                    ctx.spawn(
                        StackActor.create(msg.settings(), switchRef, msg.counters(), msg.ready()),
                        name,
                        hostProps);
                    return Behaviors.same();
                  })
              .onMessage(Shutdown.class, msg -> stopping(msg.replyTo()))
              .build();
        });
  }

  private static Behavior<Command> stopping(ActorRef<Done> replyTo) {
    // Children stop before the parent's PostStop signal: answering there means all are gone.
    return Behaviors.stopped(() -> replyTo.tell(Done.getInstance()));
  }
}
