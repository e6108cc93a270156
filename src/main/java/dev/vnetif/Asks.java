package dev.vnetif;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.function.Function;

/**
 * Pekko's ask, returning a plain {@link CompletableFuture}. The stage {@code AskPattern.ask}
 * returns is Scala's adapter, which runs every continuation — even {@code thenApply} — as an async
 * task on the common pool; with one or two cores that pool starts a new thread per task, so each
 * read, write or connect paid a thread start (tens of microseconds of kernel time). Relayed through
 * a plain future, continuations run on the thread that completes the reply, as {@code
 * CompletableFuture}'s non-async methods promise; use the {@code *Async} variants for heavy work.
 */
final class Asks {
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private Asks() {}

  static <Q, R> CompletableFuture<R> ask(
      RecipientRef<Q> target,
      Function<ActorRef<R>, Q> message,
      Duration timeout,
      Scheduler scheduler) {
    CompletionStage<R> reply = AskPattern.ask(target, message, timeout, scheduler);
    // thenCompose on a plain, completed future relays the reply through CompletableFuture's
    // own (non-overridable) completion, not through the adapter's async callbacks.
    return DONE.thenCompose(v -> reply);
  }
}
