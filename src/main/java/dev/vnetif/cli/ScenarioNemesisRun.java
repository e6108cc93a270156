package dev.vnetif.cli;

import dev.vnetif.NemesisEvent;
import dev.vnetif.NemesisRun;
import dev.vnetif.Stack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.Scheduler;
import scala.concurrent.ExecutionContextExecutor;

/**
 * A scenario's {@link ScenarioNemesis} during {@code vnetif run}: started by a timer at {@code
 * from}, stopped by another at {@code until}, or by {@link #end()} once the traffic has ended,
 * whichever comes first. The times are the scenario's (nanoseconds from its time zero).
 * Thread-safe: the timers and the run's thread meet under this object's lock.
 */
final class ScenarioNemesisRun {

  /**
   * What the nemesis did.
   *
   * @param startedNanos null when it never started (the traffic had ended before {@code from})
   * @param stoppedNanos null when it never started
   * @param events what it did, each {@link NemesisEvent#at()} from {@code startedNanos}
   * @param error why it could not start or stop, or null
   */
  record Result(
      ScenarioNemesis plan,
      Long startedNanos,
      Long stoppedNanos,
      List<NemesisEvent> events,
      String error) {}

  /** A start or stop the network has not confirmed by then is reported as failed. */
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final NetworkSession session;
  private final ScenarioNemesis plan;
  private final Scheduler scheduler;
  private final ExecutionContextExecutor dispatcher;
  private final LongSupplier elapsed;
  private final Consumer<String> log;
  private final CompletableFuture<Result> result = new CompletableFuture<>();

  // Guarded by this.
  private Cancellable startTimer;
  private CompletableFuture<NemesisRun> run;
  private Long startedNanos;
  private boolean ended;
  private boolean stopping;
  private String error;

  ScenarioNemesisRun(
      NetworkSession session,
      ScenarioNemesis plan,
      Scheduler scheduler,
      ExecutionContextExecutor dispatcher,
      LongSupplier elapsed,
      Consumer<String> log) {
    this.session = session;
    this.plan = plan;
    this.scheduler = scheduler;
    this.dispatcher = dispatcher;
    this.elapsed = elapsed;
    this.log = log;
  }

  /** Sets the timer that starts it (the scenario's time zero is now). */
  synchronized void begin() {
    startTimer = scheduler.scheduleOnce(plan.from(), this::start, dispatcher);
  }

  private synchronized void start() {
    if (ended) {
      return;
    }
    startedNanos = elapsed.getAsLong();
    CompletionStage<NemesisRun> started;
    try {
      List<Stack> hosts = new ArrayList<>();
      if (plan.hosts().isEmpty()) {
        hosts.addAll(session.hosts);
      } else {
        plan.hosts().forEach(name -> hosts.add(session.host(name)));
      }
      started = session.network.startNemesis(plan.nemesis(), hosts);
    } catch (RuntimeException e) {
      started = CompletableFuture.failedFuture(e);
    }
    run = started.toCompletableFuture().orTimeout(WAIT.toNanos(), TimeUnit.NANOSECONDS);
    run.whenComplete(
        (r, e) -> {
          if (e != null) {
            failed("start", e);
            return;
          }
          synchronized (this) {
            // The run's clock zero was taken just before its stage completed: its events' times
            // count from here, not from the request.
            startedNanos = elapsed.getAsLong();
          }
          log.accept("nemesis " + r.name() + ": started");
          plan.until()
              .ifPresent(
                  until ->
                      scheduler.scheduleOnce(
                          Duration.ofNanos(Math.max(0, until.toNanos() - elapsed.getAsLong())),
                          () -> stop("until " + ConditionValues.durationText(until)),
                          dispatcher));
        });
  }

  /** The traffic has ended: stops the nemesis if it runs; completes with what it did. */
  synchronized CompletableFuture<Result> end() {
    ended = true;
    if (run == null) {
      if (startTimer != null) {
        startTimer.cancel();
      }
      result.complete(new Result(plan, null, null, List.of(), null));
    } else {
      stop("the traffic has ended");
    }
    return result;
  }

  private synchronized void stop(String why) {
    if (stopping) {
      return;
    }
    stopping = true;
    run.handle((r, startFailure) -> r) // null: it never started, and said so
        .thenCompose(
            r ->
                r == null
                    ? CompletableFuture.completedFuture(List.<NemesisEvent>of())
                    : r.stop()
                        .toCompletableFuture()
                        .orTimeout(WAIT.toNanos(), TimeUnit.NANOSECONDS)
                        .handle(
                            (done, e) -> {
                              if (e != null) {
                                failed("stop", e);
                              } else {
                                log.accept(
                                    "nemesis " + r.name() + ": stopped (" + why + "), healed");
                              }
                              return r.events();
                            }))
        .thenAccept(this::finish);
  }

  private synchronized void finish(List<NemesisEvent> events) {
    result.complete(new Result(plan, startedNanos, elapsed.getAsLong(), events, error));
  }

  private synchronized void failed(String what, Throwable e) {
    Throwable cause = e.getCause() != null ? e.getCause() : e;
    error = what + " failed: " + cause;
    log.accept("nemesis: " + error);
  }
}
