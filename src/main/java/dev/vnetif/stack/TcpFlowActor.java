package dev.vnetif.stack;

import dev.vnetif.link.NetworkClock;
import dev.vnetif.tcp.CloseReason;
import dev.vnetif.tcp.Tcb;
import dev.vnetif.tcp.TcbEvent;
import dev.vnetif.tcp.TcbOutput;
import dev.vnetif.tcp.TcbTimers;
import dev.vnetif.tcp.TcpConfig;
import dev.vnetif.tcp.TcpState;
import dev.vnetif.tcp.TimeWait;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.TcpSegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One TCP connection: the actor that owns its {@link Tcb}. It turns segments from the host, user
 * commands and timer ticks into {@code Tcb} calls, sends every segment one call produced to the
 * host as one batch, keeps one scheduler timer per kind of deadline, and turns the block's events
 * into replies (the {@code CompletionStage} API) or {@link FlowEvent}s (the actor protocol).
 *
 * <p>Backpressure: arriving data waits here until the user reads it, and only then is it {@link
 * Tcb#consumed consumed}, so a slow reader closes the TCP window. Writes wait here until the send
 * buffer takes them. After the connection closes the actor lingers briefly to answer late requests,
 * then stops.
 */
public final class TcpFlowActor extends AbstractBehavior<FlowCommand> implements TcbOutput {
  /** How long a closed flow keeps answering before it stops. */
  static final Duration LINGER = Duration.ofSeconds(2);

  private static final TcbTimers.Kind[] KINDS = TcbTimers.Kind.values();
  private static final FlowCommand.TimerFired[] TICKS = new FlowCommand.TimerFired[KINDS.length];

  static {
    for (TcbTimers.Kind kind : KINDS) {
      TICKS[kind.ordinal()] = new FlowCommand.TimerFired(kind);
    }
  }

  /** Where a flow reports: its host (segments, registration) and, if accepted, its listener. */
  record Wiring(
      ActorRef<HostMessage> host,
      NetworkClock clock,
      Ipv4Address localAddress,
      FlowKey key,
      TcpConfig config,
      ActorRef<TcpListenerActor.Command> listener) {}

  private final Wiring wiring;
  private final TimerScheduler<FlowCommand> timers;
  private final FlowHandle handle;
  private final long[] scheduled = new long[KINDS.length];
  private final List<TcbEvent> events = new ArrayList<>();
  private final FlowIo io;
  private List<TcpSegment> outgoing = new ArrayList<>();
  private Tcb tcb;
  private boolean established;
  private CloseReason closeReason;
  private final List<ActorRef<FlowCommand.ConnectReply>> establishWaiters = new ArrayList<>();

  /** This connection's TIME_WAIT, handed to the host (see {@link #handOverTimeWait}). */
  private TimeWait timeWait;

  /** A connection we open: the host registered it; the SYN goes out at once. */
  static Behavior<FlowCommand> active(
      Wiring wiring, int iss, ActorRef<FlowCommand.ConnectReply> replyTo) {
    return Behaviors.withTimers(
        timers ->
            Behaviors.setup(
                ctx -> {
                  TcpFlowActor flow = new TcpFlowActor(ctx, timers, wiring);
                  flow.establishWaiters.add(replyTo);
                  flow.tcb =
                      Tcb.connect(
                          wiring.config(),
                          wiring.key().localPort(),
                          wiring.key().remotePort(),
                          iss,
                          flow,
                          flow.now());
                  flow.afterTcb();
                  return flow;
                }));
  }

  /**
   * A connection for a SYN a listener accepted. It registers with the host before its SYN-ACK
   * leaves, so the peer's answer finds it.
   */
  static Behavior<FlowCommand> passive(Wiring wiring, TcpSegment syn, int iss) {
    return Behaviors.withTimers(
        timers ->
            Behaviors.setup(
                ctx -> {
                  TcpFlowActor flow = new TcpFlowActor(ctx, timers, wiring);
                  wiring.host().tell(new HostCommand.FlowRegistered(wiring.key(), ctx.getSelf()));
                  flow.tcb = Tcb.accept(wiring.config(), syn, iss, flow, flow.now());
                  flow.afterTcb();
                  return flow;
                }));
  }

  private TcpFlowActor(
      ActorContext<FlowCommand> ctx, TimerScheduler<FlowCommand> timers, Wiring wiring) {
    super(ctx);
    this.wiring = wiring;
    this.timers = timers;
    this.handle = new FlowHandle(ctx.getSelf(), wiring.localAddress(), wiring.key());
    this.io = new FlowIo(this);
    java.util.Arrays.fill(scheduled, TcbTimers.OFF);
  }

  FlowHandle handle() {
    return handle;
  }

  Tcb tcb() {
    return tcb;
  }

  long now() {
    return wiring.clock().nanoTime();
  }

  CloseReason closeReason() {
    return closeReason;
  }

  @Override
  public Receive<FlowCommand> createReceive() {
    return newReceiveBuilder()
        .onMessage(FlowCommand.SegmentsIn.class, this::onSegments)
        .onMessage(FlowCommand.TimerFired.class, this::onTimer)
        .onMessage(
            FlowCommand.Read.class,
            m -> {
              io.read(m);
              return done();
            })
        .onMessage(
            FlowCommand.WriteData.class,
            m -> {
              io.write(m);
              return done();
            })
        .onMessage(
            FlowCommand.Shutdown.class,
            m -> {
              io.shutdown(m);
              return done();
            })
        .onMessage(
            FlowCommand.CloseAndWait.class,
            m -> {
              io.closeAndWait(m);
              return done();
            })
        .onMessage(FlowCommand.AwaitEstablished.class, this::onAwaitEstablished)
        .onMessage(
            FlowCommand.Register.class,
            m -> {
              io.register(m);
              return done();
            })
        .onMessage(
            FlowCommand.Write.class,
            m -> {
              io.write(m);
              return done();
            })
        .onMessage(
            FlowCommand.ResumeReading.class,
            m -> {
              io.resumeReading();
              return done();
            })
        .onMessage(
            FlowCommand.Close.class,
            m -> {
              io.close(m);
              return done();
            })
        .onMessage(
            FlowCommand.ConfirmedClose.class,
            m -> {
              io.confirmedClose(m);
              return done();
            })
        .onMessage(
            FlowCommand.Abort.class,
            m -> {
              io.abort();
              return done();
            })
        .onMessage(FlowCommand.Linger.class, m -> Behaviors.stopped())
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  private Behavior<FlowCommand> onSegments(FlowCommand.SegmentsIn msg) {
    if (closeReason == null) {
      tcb.segmentsArrived(msg.segments(), now());
    } else {
      // TIME_WAIT hook (issue 8 item 9), part 3 of 3: after the close the host no longer leads
      // this 4-tuple here, but segments already on their way did come; hand them back to be
      // demultiplexed again (TIME_WAIT entry, a new flow, the listener, or a RST) — e.g. the
      // peer's SYN reusing the port right after its RST closed us.
      wiring
          .host()
          .tell(
              new HostMessage.SegmentsAfterClose(
                  wiring.key(), getContext().getSelf(), msg.segments()));
    }
    return done();
  }

  private Behavior<FlowCommand> onTimer(FlowCommand.TimerFired msg) {
    scheduled[msg.kind().ordinal()] = TcbTimers.OFF;
    if (closeReason == null) {
      long now = now();
      if (tcb.nextDeadline() - now <= 0) {
        tcb.timerFired(now);
      }
    }
    return done();
  }

  private Behavior<FlowCommand> onAwaitEstablished(FlowCommand.AwaitEstablished msg) {
    if (established) {
      msg.replyTo().tell(new FlowCommand.ConnectReply.Connected(handle));
    } else if (closeReason != null) {
      msg.replyTo().tell(new FlowCommand.ConnectReply.Failed(closeReason, describe(closeReason)));
    } else {
      establishWaiters.add(msg.replyTo());
    }
    return this;
  }

  /** Ends every message: events handled, segments sent, timers set, state published. */
  private Behavior<FlowCommand> done() {
    afterTcb();
    return this;
  }

  void afterTcb() {
    drainEvents();
    if (!outgoing.isEmpty()) {
      wiring.host().tell(new HostCommand.TcpOut(wiring.key(), outgoing));
      outgoing = new ArrayList<>();
    }
    if (closeReason == null) {
      syncTimers();
    }
    handle.publish(tcb.stats());
  }

  // ------------------------------------------------------------ TcbOutput

  @Override
  public void segment(TcpSegment segment) {
    outgoing.add(segment);
  }

  @Override
  public void event(TcbEvent event) {
    events.add(event);
  }

  /** Handles events in order; handling may call the Tcb and so queue more. */
  private void drainEvents() {
    for (int i = 0; i < events.size(); i++) {
      onEvent(events.get(i));
    }
    events.clear();
  }

  private void onEvent(TcbEvent event) {
    if (event instanceof TcbEvent.DataReceived d) {
      io.dataReceived(d.data());
    } else if (event instanceof TcbEvent.DataAcknowledged a) {
      io.dataAcknowledged(a.acknowledgedTotal());
    } else if (event instanceof TcbEvent.PeerFinished) {
      io.peerFinished();
    } else if (event instanceof TcbEvent.StateChanged s) {
      io.stateChanged(s.to());
      if (s.to() == TcpState.TIME_WAIT) {
        handOverTimeWait();
      }
    } else if (event instanceof TcbEvent.Established) {
      onEstablished();
    } else if (event instanceof TcbEvent.Closed c) {
      onClosed(c.reason());
    }
  }

  private void onEstablished() {
    established = true;
    handle.publish(tcb.stats());
    for (ActorRef<FlowCommand.ConnectReply> waiter : establishWaiters) {
      waiter.tell(new FlowCommand.ConnectReply.Connected(handle));
    }
    establishWaiters.clear();
    if (wiring.listener() != null) {
      wiring.listener().tell(new TcpListenerActor.FlowEstablished(wiring.key(), handle));
    }
  }

  /**
   * TIME_WAIT hook (issue 8 item 9), part 1 of 3. The Tcb entered TIME_WAIT: the host keeps the
   * 4-tuple for 2·MSL as a compact entry (its TimeWaitTable answers retransmitted FINs and reopens
   * the 4-tuple for an acceptable SYN, RFC 9293 §3.10.7.4), and this flow closes NORMALly for its
   * user now — what it did after 2·MSL before — then lingers and stops like any closed flow. The
   * Tcb stays in TIME_WAIT, and the handle shows that state until the 2·MSL deadline, then CLOSED.
   */
  private void handOverTimeWait() {
    timeWait = tcb.timeWait();
    handle.timeWaitUntil(tcb.timers().deadline(TcbTimers.Kind.TIME_WAIT), wiring.clock());
    onClosed(CloseReason.NORMAL);
  }

  private void onClosed(CloseReason reason) {
    if (closeReason != null) {
      return; // the Tcb's own close (a RST or an abort) after the TIME_WAIT hand-over
    }
    closeReason = reason;
    handle.publish(tcb.stats()); // before anyone hears of the close
    handle.closed(reason);
    for (ActorRef<FlowCommand.ConnectReply> waiter : establishWaiters) {
      waiter.tell(new FlowCommand.ConnectReply.Failed(reason, describe(reason)));
    }
    establishWaiters.clear();
    io.closed(reason);
    // The listener hears first: by the time the host has forgotten the flow, its backlog
    // slot is free, so a SYN the host hands the listener after that cannot find it full.
    if (wiring.listener() != null) {
      wiring.listener().tell(new TcpListenerActor.FlowEnded(wiring.key()));
    }
    // TIME_WAIT hook, part 2 of 3: the entry goes to the host in place of FlowClosed, so the
    // 4-tuple passes from flow table to TIME_WAIT table in one step.
    wiring
        .host()
        .tell(
            timeWait != null
                ? new HostMessage.TimeWaitEntered(wiring.key(), getContext().getSelf(), timeWait)
                : new HostCommand.FlowClosed(wiring.key(), getContext().getSelf()));
    for (TcbTimers.Kind kind : KINDS) {
      timers.cancel(kind);
    }
    timers.startSingleTimer("linger", new FlowCommand.Linger(), LINGER);
  }

  private Behavior<FlowCommand> onPostStop() {
    if (closeReason == null) {
      // The host went away (disconnect or shutdown) with the connection still open.
      closeReason = CloseReason.ABORTED;
      handle.closed(closeReason);
      io.closed(CloseReason.ABORTED);
      for (ActorRef<FlowCommand.ConnectReply> waiter : establishWaiters) {
        waiter.tell(new FlowCommand.ConnectReply.Failed(CloseReason.ABORTED, "host gone"));
      }
    }
    // Last, once every waiter had the actor's own answer: what the handle's stop hooks
    // answer is only for requests that arrived too late to get one.
    handle.stopped();
    return this;
  }

  /**
   * One timer per kind. A deadline that moved later keeps the earlier timer, which finds nothing
   * due and is set again: cheaper than rescheduling on every ACK.
   */
  private void syncTimers() {
    TcbTimers deadlines = tcb.timers();
    long now = -1;
    for (TcbTimers.Kind kind : KINDS) {
      long due = deadlines.deadline(kind);
      int k = kind.ordinal();
      if (due != TcbTimers.OFF && (scheduled[k] == TcbTimers.OFF || due - scheduled[k] < 0)) {
        if (now == -1) {
          now = now();
        }
        timers.startSingleTimer(kind, TICKS[k], Duration.ofNanos(Math.max(0, due - now)));
        scheduled[k] = due;
      }
    }
  }

  String describe(CloseReason reason) {
    String flow = handle.toString();
    return switch (reason) {
      case NORMAL -> flow + ": connection closed";
      case RESET -> flow + ": connection reset by peer";
      case REFUSED -> flow + ": connection refused (RST in answer to SYN)";
      case TIMEOUT -> flow + ": connection timed out (retransmissions unanswered)";
      case KEEPALIVE_TIMEOUT -> flow + ": peer gone (keepalive probes unanswered)";
      case ABORTED -> flow + ": connection aborted";
    };
  }
}
