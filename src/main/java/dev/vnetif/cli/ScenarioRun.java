package dev.vnetif.cli;

import dev.vnetif.PingReply;
import dev.vnetif.Stack;
import dev.vnetif.VirtualNetwork;
import dev.vnetif.cli.ScheduledChange.Change;
import java.io.PrintWriter;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.Scheduler;
import scala.concurrent.ExecutionContextExecutor;

/**
 * Runs a scenario's traffic and schedule on a network that is up: every start, every change and
 * every time limit is a timer of the actor system's scheduler, and every transfer a composition of
 * stages, so nothing sleeps and no actor waits. The schedule's bookkeeping runs on one thread, in
 * order: a thread of its own over the wall clock, the simulation's in virtual time (where a step
 * taken elsewhere could let time move past it). Once every piece of traffic has ended, the changes
 * still to come are left out, and said so, and a running nemesis is stopped.
 */
final class ScenarioRun implements AutoCloseable {

  /**
   * What happened: each traffic entry's end, in the file's order, the schedule as it went, and what
   * the nemesis did (empty when the scenario has none).
   */
  record Result(
      List<TrafficOutcome> traffic,
      List<ExecutedChange> schedule,
      Optional<ScenarioNemesisRun.Result> nemesis,
      long nanos) {
    boolean asExpected() {
      return traffic.stream().allMatch(TrafficOutcome::asExpected);
    }
  }

  /** A change the network has not confirmed by then is reported as failed. */
  private static final Duration CHANGE_WAIT = Duration.ofSeconds(30);

  /** Room beyond the traffic's own time limits before the run is given up. */
  private static final Duration MARGIN = Duration.ofSeconds(30);

  private final NetworkSession session;
  private final PrintWriter out;
  private final TrafficClock clock;
  private final Scheduler scheduler;
  private final ExecutionContextExecutor dispatcher;
  private final ExecutorService ownEvents;
  private final Executor events;
  private final List<ScheduledChange> changes;
  private final List<ExecutedChange> executed = new ArrayList<>();
  private final CompletableFuture<Void> scheduleEnded = new CompletableFuture<>();
  private final Optional<ScenarioNemesisRun> nemesis;
  private volatile long zero;

  // Confined to the events thread.
  private boolean stopped;
  private Cancellable pending;
  private int next;

  ScenarioRun(NetworkSession session, PrintWriter out, TrafficClock clock) {
    this.session = session;
    this.out = out;
    this.clock = clock;
    this.scheduler = session.system.scheduler();
    this.dispatcher = session.system.executionContext();
    this.changes = session.scenario.schedule();
    this.ownEvents =
        session.isVirtual() ? null : Executors.newSingleThreadExecutor(threads("schedule"));
    this.events = session.isVirtual() ? clock.executor() : ownEvents;
    this.nemesis =
        session
            .scenario
            .nemesis()
            .map(
                plan ->
                    new ScenarioNemesisRun(
                        session, plan, scheduler, dispatcher, this::elapsed, this::log));
  }

  /**
   * Runs until every piece of traffic has ended; the calling thread waits (in virtual time, while
   * time moves).
   *
   * @throws TimeoutException when the traffic has not ended within its own time limits
   */
  Result run() throws Exception {
    Duration last = Duration.ZERO;
    for (ScenarioTraffic t : session.scenario.traffic()) {
      last = max(last, t.start().plus(limit(t)));
    }
    try {
      // Then the schedule's end, and the nemesis's stop, may each take a change's wait.
      Duration ends = CHANGE_WAIT.plus(MARGIN).multipliedBy(nemesis.isPresent() ? 2 : 1);
      return session.run(this::start, last.plus(MARGIN).plus(ends));
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /** Starts the traffic and the schedule; completes once both have ended. */
  private CompletableFuture<Result> start() {
    zero = clock.nanos();
    events.execute(this::runSchedule);
    nemesis.ifPresent(ScenarioNemesisRun::begin);
    List<CompletableFuture<TrafficOutcome>> traffic = new ArrayList<>();
    for (ScenarioTraffic t : session.scenario.traffic()) {
      CompletableFuture<TrafficOutcome> outcome = new CompletableFuture<>();
      traffic.add(outcome);
      scheduler.scheduleOnce(t.start(), () -> start(t, outcome), dispatcher);
    }
    return CompletableFuture.allOf(traffic.toArray(CompletableFuture[]::new))
        .thenRunAsync(this::stopSchedule, events)
        .thenCompose(stopping -> scheduleEnded)
        .thenCompose(
            ended ->
                nemesis.isPresent()
                    ? nemesis.get().end().thenApply(Optional::of)
                    : CompletableFuture.completedFuture(
                        Optional.<ScenarioNemesisRun.Result>empty()))
        .thenApplyAsync(
            nemesisDid -> {
              long nanos = elapsed();
              List<TrafficOutcome> outcomes = new ArrayList<>();
              traffic.forEach(t -> outcomes.add(t.join()));
              return new Result(outcomes, List.copyOf(executed), nemesisDid, nanos);
            },
            events);
  }

  private void start(ScenarioTraffic t, CompletableFuture<TrafficOutcome> outcome) {
    log(t.name() + ": started");
    CompletableFuture<TrafficOutcome> ended =
        t instanceof ScenarioTraffic.Iperf iperf ? iperf(iperf) : ping((ScenarioTraffic.Ping) t);
    ended.whenComplete(
        (o, error) -> {
          if (error != null) {
            outcome.completeExceptionally(error);
          } else {
            log(t.name() + ": " + o.verdict());
            outcome.complete(o);
          }
        });
  }

  /** The whole transfer, as a stage: it ends with the transfer's outcome, and never fails. */
  private CompletableFuture<TrafficOutcome> iperf(ScenarioTraffic.Iperf t) {
    long began = clock.nanos();
    IperfTransfer transfer =
        new IperfTransfer(
            session.host(t.from()),
            session.host(t.to()),
            t.port(),
            t.time() == null ? t.bytes() : IperfTransfer.UNTIL_STOPPED,
            0,
            t.writeSize(),
            session.seed(),
            clock);
    long duration = t.time() == null ? 0 : t.time().toNanos();
    CompletableFuture<IperfTransfer.Result> run;
    try {
      run =
          transfer.start(
              t.timeout(), new IperfTimeline.Plan(0, duration, 0), flow -> {}, interval -> {});
    } catch (RuntimeException e) {
      run = CompletableFuture.failedFuture(e);
    }
    return run.handle(
        (r, error) -> {
          if (error == null) {
            IperfReport report = r.reports().get(0);
            return new TrafficOutcome.Iperf(
                t,
                report.received().bytes(),
                report.seconds(),
                report.senderStats(),
                report.contentMatches(),
                null);
          }
          Throwable cause = IperfEndpoint.unwrap(error);
          if (cause instanceof IperfTransfer.FailedException e) {
            return new TrafficOutcome.Iperf(
                t, transfer.bytesReceived(), seconds(began), e.clientStats(), null, e.getMessage());
          }
          // A host crashed before the transfer began has no TCP to listen or connect with.
          return new TrafficOutcome.Iperf(
              t, transfer.bytesReceived(), seconds(began), null, null, cause.getMessage());
        });
  }

  /** Each echo request a timer of its own; the series ends when every request has ended. */
  private CompletableFuture<TrafficOutcome> ping(ScenarioTraffic.Ping p) {
    PingStatistics stats = new PingStatistics(clock::nanos);
    Inet4Address target = session.host(p.to()).address();
    List<CompletableFuture<Void>> requests = new ArrayList<>();
    for (int i = 0; i < p.count(); i++) {
      CompletableFuture<Void> request = new CompletableFuture<>();
      requests.add(request);
      scheduler.scheduleOnce(
          p.interval().multipliedBy(i), () -> echo(p, target, stats, request), dispatcher);
    }
    return CompletableFuture.allOf(requests.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              synchronized (stats) {
                stats.finished();
              }
              return new TrafficOutcome.Ping(p, stats);
            });
  }

  private void echo(
      ScenarioTraffic.Ping p,
      Inet4Address target,
      PingStatistics stats,
      CompletableFuture<Void> request) {
    synchronized (stats) {
      stats.sent();
    }
    CompletionStage<PingReply> reply;
    try {
      reply = session.host(p.from()).echo(target, p.size(), p.replyTimeout());
    } catch (RuntimeException crashed) {
      request.complete(null); // a crashed sender sends nothing: a lost request
      return;
    }
    within(reply.toCompletableFuture(), p.replyTimeout().plus(CHANGE_WAIT))
        .whenComplete(
            (r, lost) -> {
              if (r != null) {
                synchronized (stats) {
                  stats.received(r.rtt());
                }
              }
              request.complete(null);
            });
  }

  /** On the events thread: the changes that are due, one after another, then a timer. */
  private void runSchedule() {
    pending = null;
    if (stopped || next == changes.size()) {
      endSchedule();
      return;
    }
    ScheduledChange change = changes.get(next);
    long wait = change.at().toNanos() - elapsed();
    if (wait > 0) {
      pending =
          scheduler.scheduleOnce(
              Duration.ofNanos(wait), () -> events.execute(this::runSchedule), dispatcher);
      return;
    }
    next++;
    long started = elapsed();
    CompletionStage<?> stage;
    try {
      stage = execute(change.change());
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    within(stage.toCompletableFuture(), CHANGE_WAIT)
        .whenCompleteAsync(
            (done, error) -> {
              ExecutedChange e = new ExecutedChange(change, started, elapsed(), message(error));
              executed.add(e);
              log(change.describe() + (e.error() == null ? "" : ": FAILED: " + e.error()));
              runSchedule();
            },
            events);
  }

  /** On the events thread, once the traffic has ended: what is still to come is not run. */
  private void stopSchedule() {
    stopped = true;
    if (pending != null && pending.cancel()) {
      endSchedule();
    }
    // Otherwise a change is under way, or its timer is firing: runSchedule ends it next.
  }

  private void endSchedule() {
    if (scheduleEnded.isDone()) {
      return;
    }
    for (int i = next; i < changes.size(); i++) {
      executed.add(ExecutedChange.notRun(changes.get(i)));
    }
    next = changes.size();
    scheduleEnded.complete(null);
  }

  private CompletionStage<?> execute(Change c) {
    VirtualNetwork net = session.network;
    if (c instanceof Change.Cut x) {
      return net.partition(session.host(x.a()), session.host(x.b()));
    } else if (c instanceof Change.CutOneWay x) {
      return net.partitionOneWay(session.host(x.from()), session.host(x.to()));
    } else if (c instanceof Change.Heal x) {
      return net.heal(session.host(x.a()), session.host(x.b()));
    } else if (c instanceof Change.Isolate x) {
      return net.isolate(session.host(x.host()));
    } else if (c instanceof Change.Rejoin x) {
      return net.rejoin(session.host(x.host()));
    } else if (c instanceof Change.HealAll) {
      return net.healAll();
    } else if (c instanceof Change.Hold x) {
      return net.hold(session.host(x.from()), session.host(x.to()));
    } else if (c instanceof Change.Release x) {
      return net.release(session.host(x.from()), session.host(x.to()));
    } else if (c instanceof Change.Crash x) {
      return session.host(x.host()).crash();
    } else if (c instanceof Change.Restart x) {
      Stack crashed = session.host(x.host());
      return net.restart(crashed).thenAccept(fresh -> session.replace(crashed, fresh));
    }
    CompletionStage<Done> all = CompletableFuture.completedFuture(Done.getInstance());
    for (ConditionBlock block : ((Change.SetConditions) c).blocks()) {
      all = all.thenCompose(done -> block.apply(net, session::host));
    }
    return all;
  }

  /**
   * Completes as {@code stage} does, or fails with a {@link TimeoutException} once {@code limit}
   * has passed on the scheduler: a bound in the network's own time, virtual or not, which a slow
   * simulation does not trip.
   */
  private <T> CompletableFuture<T> within(CompletableFuture<T> stage, Duration limit) {
    CompletableFuture<T> bounded = new CompletableFuture<>();
    Cancellable timer =
        scheduler.scheduleOnce(
            limit,
            () -> bounded.completeExceptionally(new TimeoutException("no answer in " + limit)),
            dispatcher);
    stage.whenComplete(
        (value, error) -> {
          timer.cancel();
          if (error != null) {
            bounded.completeExceptionally(error);
          } else {
            bounded.complete(value);
          }
        });
    return bounded;
  }

  /** A line as things happen: {@code [ 2.001s] cut laptop <-> server}. */
  private void log(String line) {
    String text = String.format(Locale.ROOT, "[%8.3fs] %s", elapsed() / 1e9, line);
    synchronized (out) {
      out.println(text);
      out.flush();
    }
  }

  private long elapsed() {
    return clock.nanos() - zero;
  }

  private double seconds(long sinceNanos) {
    return (clock.nanos() - sinceNanos) / 1e9;
  }

  /** How long a piece of traffic may take at most. */
  private static Duration limit(ScenarioTraffic t) {
    if (t instanceof ScenarioTraffic.Iperf i) {
      return i.timeout();
    }
    ScenarioTraffic.Ping p = (ScenarioTraffic.Ping) t;
    return p.interval().multipliedBy(p.count()).plus(p.replyTimeout()).plus(CHANGE_WAIT);
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static String message(Throwable error) {
    if (error == null) {
      return null;
    }
    Throwable cause =
        error instanceof java.util.concurrent.CompletionException && error.getCause() != null
            ? error.getCause()
            : error;
    return cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }

  private static ThreadFactory threads(String role) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "vnetif-run-" + role + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public void close() {
    if (ownEvents != null) {
      ownEvents.shutdownNow();
    }
  }
}
