package dev.vnetif.stack;

import org.apache.pekko.actor.DeadLetter;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Answers the {@code CompletionStage} requests that reached a flow actor too late: a request told
 * as the actor stops stays in its mailbox, which Pekko empties into dead letters. One subscriber
 * per actor system answers each such request as the ended flow does, so no stage waits forever and
 * the write path pays nothing per request for the race (no stop hook to add and remove).
 */
final class FlowDeadLetters implements Extension {
  private static final ExtensionId<FlowDeadLetters> ID =
      new ExtensionId<>() {
        @Override
        public FlowDeadLetters createExtension(ActorSystem<?> system) {
          return new FlowDeadLetters(system);
        }
      };

  private FlowDeadLetters(ActorSystem<?> system) {
    ActorRef<Object> answerer =
        system.systemActorOf(
            Behaviors.receiveMessage(
                message -> {
                  if (message instanceof DeadLetter d
                      && d.message() instanceof FlowInternal.StageRequest request) {
                    request.answerEnded();
                  }
                  return Behaviors.same();
                }),
            "vnetif-flow-dead-letters",
            Props.empty());
    // Subscribed here, synchronously, through the classic event stream: before any flow of this
    // system exists, so no dead letter of one can come before the subscription.
    system.classicSystem().eventStream().subscribe(Adapter.toClassic(answerer), DeadLetter.class);
  }

  /** Makes sure the subscriber of {@code system} runs; cheap after the first call. */
  static void ensureRunning(ActorSystem<?> system) {
    ID.apply(system);
  }
}
