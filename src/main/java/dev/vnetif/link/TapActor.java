package dev.vnetif.link;

import java.util.List;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one tap's consumer outside the switch, so a slow or failing listener never stalls
 * forwarding. Frames arrive in the switch's order; {@link Stop} arrives after the last frame the
 * switch handed over, which is what lets removal complete only once all were delivered.
 */
final class TapActor {
  private static final Logger log = LoggerFactory.getLogger(TapActor.class);

  sealed interface Command {}

  record Frames(List<TappedFrame> frames) implements Command {}

  record Stop(ActorRef<Done> replyTo) implements Command {}

  private TapActor() {}

  static Behavior<Command> create(long tapId, Consumer<TappedFrame> consumer) {
    return Behaviors.receive(Command.class)
        .onMessage(
            Frames.class,
            msg -> {
              for (TappedFrame frame : msg.frames()) {
                try {
                  consumer.accept(frame);
                } catch (RuntimeException e) {
                  // A listener's bug must not take the tap (or the switch) down with it.
                  log.warn("tap {} listener threw on a frame; continuing", tapId, e);
                }
              }
              return Behaviors.same();
            })
        .onMessage(
            Stop.class,
            msg -> {
              msg.replyTo().tell(Done.getInstance());
              return Behaviors.stopped();
            })
        .build();
  }
}
