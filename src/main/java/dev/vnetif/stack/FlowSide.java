package dev.vnetif.stack;

import dev.vnetif.tcp.Tcb;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What the two sides of a flow ({@link FlowReceiver}, {@link FlowSender}) need from the actor that
 * owns them: the Tcb, the time, the handle, and the handler of the actor protocol. Kept this narrow
 * so each side can be tested without an actor.
 */
interface FlowSide {
  Tcb tcb();

  long now();

  FlowHandle handle();

  /** The handler that registered through the actor protocol, or null. */
  ActorRef<FlowEvent> handler();

  /**
   * Completes {@code promise} with {@code value} once the current input's segments are on their
   * way: the user's continuations run on this thread, and the peer's ACK or window update should
   * not wait for them.
   */
  <T> void complete(CompletableFuture<T> promise, T value);

  /** Fails {@code promise} with {@code why}, in order with the completions of the same input. */
  void fail(CompletableFuture<?> promise, Throwable why);
}
