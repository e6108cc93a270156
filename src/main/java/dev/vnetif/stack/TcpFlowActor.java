package dev.vnetif.stack;

import dev.vnetif.link.NetworkClock;
import dev.vnetif.tcp.CloseReason;
import dev.vnetif.tcp.Tcb;
import dev.vnetif.tcp.TcbEvent;
import dev.vnetif.tcp.TcbOutput;
import dev.vnetif.tcp.TcbTimers;
import dev.vnetif.tcp.TcpConfig;
import dev.vnetif.tcp.TcpState;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.TcpSegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection: the actor that owns its {@link Tcb}. One behavior per phase, as Pekko's
 * {@code TcpConnection} has one {@code Receive} per state:
 *
 * <ul>
 *   <li>{@link #connecting} — SYN sent or received; no user holds the flow yet;
 *   <li>{@link #open} — established; reads, writes and close requests;
 *   <li>{@link #closing} — our sending side is shut (a FIN follows the queued data): new writes
 *       fail, reads go on until the peer's FIN;
 *   <li>{@link #lingering} — the Tcb is CLOSED; late requests get what an ended flow answers, then
 *       the actor stops.
 * </ul>
 *
 * Every message that reaches the Tcb ends in {@link #settle}: the Tcb's events are handled in the
 * order it emitted them (see {@link #onEvent}), the segments go to the host as one batch, timers
 * follow the Tcb's deadlines, the state is published, and the behavior of the phase the flow is now
 * in comes next. The package Javadoc tells the whole story.
 */
public final class TcpFlowActor implements TcbOutput, FlowSide {
  private static final Logger log = LoggerFactory.getLogger(TcpFlowActor.class);

  /** How long a closed flow keeps answering before it stops. */
  static final Duration LINGER = Duration.ofSeconds(2);

  private static final TcbTimers.Kind[] KINDS = TcbTimers.Kind.values();
  private static final FlowInternal.TimerFired[] TICKS = new FlowInternal.TimerFired[KINDS.length];

  static {
    for (TcbTimers.Kind kind : KINDS) {
      TICKS[kind.ordinal()] = new FlowInternal.TimerFired(kind);
    }
  }

  /** Where a flow reports: its host (segments, registration) and, if accepted, its listener. */
  record Wiring(
      ActorRef<HostCommand> host,
      NetworkClock clock,
      Ipv4Address localAddress,
      FlowKey key,
      TcpConfig config,
      ActorRef<TcpListenerActor.Command> listener) {}

  /** Which behavior is current; the behaviors themselves say what each phase does. */
  private enum Phase {
    CONNECTING,
    OPEN,
    CLOSING,
    LINGERING
  }

  private final ActorContext<FlowCommand> ctx;
  private final Wiring wiring;
  private final TimerScheduler<FlowCommand> timers;
  private final FlowHandle handle;
  private final long[] scheduled = new long[KINDS.length];
  private final List<TcbEvent> events = new ArrayList<>(4);
  private final FlowReceiver receiver;
  private final FlowSender sender;
  private List<TcpSegment> outgoing;
  private Tcb tcb;
  private Phase phase;

  /** Who waits for the connect (active opens only), until it is established or has failed. */
  private ActorRef<FlowCommand.ConnectReply> connectReplyTo;

  private ActorRef<FlowEvent> handler;
  private boolean keepOpenOnPeerClosed;
  private boolean peerClosedPending;

  /** The handler got its last event (Closed, ConfirmedClosed, Aborted, ErrorClosed, PeerClosed). */
  private boolean handlerFinished;

  /** The actor protocol's close command that decides the handler's last event, or null. */
  private CloseRequest userClose;

  private List<CompletableFuture<Done>> closeWaiters;

  /** Set by the Tcb's Closed event, in the message that closed it. */
  private CloseReason closedFor;

  /** A connection we open: the host registered it; the SYN goes out at once. */
  static Behavior<FlowCommand> active(
      Wiring wiring, int iss, ActorRef<FlowCommand.ConnectReply> replyTo) {
    return Behaviors.withTimers(
        timers ->
            Behaviors.setup(
                ctx -> {
                  TcpFlowActor flow = new TcpFlowActor(ctx, timers, wiring);
                  flow.connectReplyTo = replyTo;
                  flow.tcb =
                      Tcb.connect(
                          wiring.config(),
                          wiring.key().localPort(),
                          wiring.key().remotePort(),
                          iss,
                          flow,
                          flow.now());
                  return flow.settle();
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
                  return flow.settle();
                }));
  }

  private TcpFlowActor(
      ActorContext<FlowCommand> ctx, TimerScheduler<FlowCommand> timers, Wiring wiring) {
    this.ctx = ctx;
    this.wiring = wiring;
    this.timers = timers;
    this.handle = new FlowHandle(ctx.getSelf(), wiring.localAddress(), wiring.key());
    this.receiver = new FlowReceiver(this);
    this.sender = new FlowSender(this);
    Arrays.fill(scheduled, TcbTimers.OFF);
    FlowDeadLetters.ensureRunning(ctx.getSystem());
  }

  // ------------------------------------------------------------ FlowSide

  @Override
  public Tcb tcb() {
    return tcb;
  }

  @Override
  public long now() {
    return wiring.clock().nanoTime();
  }

  @Override
  public FlowHandle handle() {
    return handle;
  }

  @Override
  public ActorRef<FlowEvent> handler() {
    return handler;
  }

  // ------------------------------------------------------------ behaviors, one per phase

  /**
   * SYN sent or received. Only the Tcb's input and the host's Abort (on disconnect) can come: the
   * flow's handle is handed out (to the connect's asker, to the listener) by the Established event
   * that ends this phase. Should anything else come, it is queued as in {@link #open}, as RFC 9293
   * §3.10.2 queues a SEND before ESTABLISHED.
   */
  private Behavior<FlowCommand> connecting() {
    return open();
  }

  /** Established: data flows both ways. */
  private Behavior<FlowCommand> open() {
    return withUserCommands(tcbInput(Behaviors.receive(FlowCommand.class)))
        .onMessage(FlowCommand.Write.class, this::onWrite)
        .onMessage(FlowInternal.WriteData.class, this::onWriteData)
        .build();
  }

  /** Our FIN is queued or out: new writes fail; reading goes on. */
  private Behavior<FlowCommand> closing() {
    return withUserCommands(tcbInput(Behaviors.receive(FlowCommand.class)))
        .onMessage(
            FlowCommand.Write.class, m -> refuseWrite(m, handle.closedForWriting().getMessage()))
        .onMessage(
            FlowInternal.WriteData.class,
            m -> {
              m.promise().completeExceptionally(handle.closedForWriting());
              return Behaviors.same();
            })
        .build();
  }

  /**
   * The Tcb is CLOSED and the host forgot the 4-tuple: segments still in flight and timers that
   * were already queued find nothing to do. Requests get what an ended flow answers (data read
   * before the end is still handed over) until the linger timer stops the actor.
   */
  private Behavior<FlowCommand> lingering(CloseReason reason) {
    return Behaviors.receive(FlowCommand.class)
        .onMessage(FlowInternal.SegmentsIn.class, m -> Behaviors.same())
        .onMessage(FlowInternal.TimerFired.class, m -> Behaviors.same())
        .onMessage(FlowInternal.Linger.class, m -> Behaviors.stopped())
        .onMessage(
            FlowInternal.Read.class,
            m -> {
              receiver.read(m.promise(), true);
              return Behaviors.same();
            })
        .onMessage(
            FlowInternal.WriteData.class,
            m -> {
              handle.answerEndedWrite(m.promise());
              return Behaviors.same();
            })
        .onMessage(FlowCommand.Write.class, m -> refuseWrite(m, handle.describe(reason)))
        .onMessage(
            FlowCommand.Register.class,
            m -> {
              register(m);
              finishHandler(reason);
              return Behaviors.same();
            })
        .onMessage(
            FlowCommand.ResumeReading.class,
            m -> {
              receiver.resumeReading();
              return Behaviors.same();
            })
        .onMessage(
            FlowInternal.StageRequest.class, // Shutdown, CloseAndWait: nothing left to close
            m -> {
              m.answerEnded();
              return Behaviors.same();
            })
        .onMessage(CloseRequest.class, m -> Behaviors.same()) // Close, ConfirmedClose, Abort
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  private BehaviorBuilder<FlowCommand> tcbInput(BehaviorBuilder<FlowCommand> b) {
    return b.onMessage(
            FlowInternal.SegmentsIn.class,
            m -> {
              tcb.segmentsArrived(m.segments(), now());
              return settle();
            })
        .onMessage(FlowInternal.TimerFired.class, this::onTimer)
        .onSignal(PostStop.class, s -> onPostStop());
  }

  /** What the connecting, open and closing phases handle alike (Write and WriteData aside). */
  private BehaviorBuilder<FlowCommand> withUserCommands(BehaviorBuilder<FlowCommand> b) {
    return b.onMessage(
            FlowInternal.Read.class,
            m -> {
              receiver.read(m.promise(), false);
              return settle();
            })
        .onMessage(
            FlowCommand.Register.class,
            m -> {
              register(m);
              return settle();
            })
        .onMessage(
            FlowCommand.ResumeReading.class,
            m -> {
              receiver.resumeReading();
              if (peerClosedPending) {
                announcePeerClosed();
              }
              return settle();
            })
        .onMessage(CloseRequest.class, this::onCloseRequest);
  }

  // ------------------------------------------------------------ input

  private Behavior<FlowCommand> onTimer(FlowInternal.TimerFired msg) {
    scheduled[msg.kind().ordinal()] = TcbTimers.OFF;
    long now = now();
    if (tcb.nextDeadline() - now <= 0) {
      tcb.timerFired(now);
    }
    return settle();
  }

  private Behavior<FlowCommand> onWrite(FlowCommand.Write msg) {
    if (handler == null) {
      // Nobody to send Ack or CommandFailed to: Pekko IO's rule, register before writing.
      log.warn(
          "{}: Write before Register dropped ({} bytes); send Register first",
          handle,
          msg.data().length());
      return Behaviors.same();
    }
    sender.add(new PendingWrite.Io(msg));
    return settle();
  }

  private Behavior<FlowCommand> onWriteData(FlowInternal.WriteData msg) {
    sender.add(new PendingWrite.Stage(msg.data(), msg.nodelay(), msg.promise()));
    return settle();
  }

  private Behavior<FlowCommand> refuseWrite(FlowCommand.Write msg, String why) {
    if (handler != null) {
      handler.tell(new FlowEvent.CommandFailed(msg, why));
    }
    return Behaviors.same();
  }

  /** Register: the handler hears Connected, then what arrived before it registered. */
  private void register(FlowCommand.Register msg) {
    handler = msg.handler();
    keepOpenOnPeerClosed = msg.keepOpenOnPeerClosed();
    receiver.pullMode(msg.pullMode());
    handler.tell(
        new FlowEvent.Connected(
            handle.remoteAddress(),
            handle.remotePort(),
            handle.localAddress(),
            handle.localPort()));
    receiver.registered();
    announcePeerClosed();
  }

  /** Every way of closing, in one place (RFC 9293 §3.10.4 CLOSE, §3.10.5 ABORT). */
  private Behavior<FlowCommand> onCloseRequest(CloseRequest request) {
    if (request instanceof FlowCommand.Abort) {
      userClose = request; // whatever was asked before, the flow ends with Aborted
      tcb.abort(now());
    } else if (request instanceof FlowCommand.Close) {
      rememberUserClose(request);
      receiver.shutdown(); // Pekko IO's Close: nothing more is read
      sender.shutdown();
    } else if (request instanceof FlowCommand.ConfirmedClose) {
      rememberUserClose(request);
      sender.shutdown();
    } else if (request instanceof FlowInternal.CloseAndWait c) {
      if (closeWaiters == null) {
        closeWaiters = new ArrayList<>(1);
      }
      closeWaiters.add(c.promise());
      sender.shutdown();
      checkCloseWaiters();
    } else if (request instanceof FlowInternal.Shutdown s) {
      if (s.read()) {
        receiver.shutdown();
      }
      if (s.write()) {
        sender.shutdown();
      }
      s.promise().complete(Done.getInstance());
    }
    return settle();
  }

  private void rememberUserClose(CloseRequest request) {
    if (userClose == null) {
      userClose = request;
    }
  }

  // ------------------------------------------------------------ after every input

  /** Ends every input: events handled, segments sent, timers set, state published. */
  private Behavior<FlowCommand> settle() {
    drainEvents();
    if (outgoing != null) {
      wiring.host().tell(new HostCommand.TcpOut(wiring.key(), outgoing));
      outgoing = null;
    }
    handle.publish(tcb.stats());
    Phase now =
        closedFor != null
            ? Phase.LINGERING
            : !tcb.state().isSynchronized()
                ? Phase.CONNECTING
                : sender.shutDown() ? Phase.CLOSING : Phase.OPEN;
    if (now != Phase.LINGERING) {
      syncTimers();
    }
    if (now == phase) {
      return Behaviors.same();
    }
    phase = now;
    return switch (now) {
      case CONNECTING -> connecting();
      case OPEN -> open();
      case CLOSING -> closing();
      case LINGERING -> lingering(closedFor);
    };
  }

  @Override
  public void segment(TcpSegment segment) {
    if (outgoing == null) {
      outgoing = new ArrayList<>(4);
    }
    outgoing.add(segment);
  }

  @Override
  public void event(TcbEvent event) {
    events.add(event);
  }

  /**
   * Handles the events of one input in the order the Tcb emitted them; handling may call the Tcb
   * and so queue more. A batch can end the connection after freeing send-buffer room, delivering
   * data or the peer's FIN (an ACK, data or FIN and a RST together): by the time its first event is
   * handled the Tcb is already CLOSED. So no handler calls the Tcb once it cannot take the call
   * (the sender pumps only while {@link Tcb#canSend()}, the receiver consumes only before CLOSED),
   * data and FIN are handed over as they came, and the Closed event, last, fails what still waits.
   */
  private void drainEvents() {
    for (int i = 0; i < events.size(); i++) {
      onEvent(events.get(i));
    }
    events.clear();
  }

  private void onEvent(TcbEvent event) {
    if (event instanceof TcbEvent.DataReceived d) {
      receiver.dataReceived(d.data());
    } else if (event instanceof TcbEvent.DataAcknowledged a) {
      sender.dataAcknowledged(a.acknowledgedTotal());
    } else if (event instanceof TcbEvent.PeerFinished) {
      receiver.peerSentFin();
      announcePeerClosed();
    } else if (event instanceof TcbEvent.StateChanged s) {
      onStateChanged(s.to());
    } else if (event instanceof TcbEvent.Established) {
      onEstablished();
    } else if (event instanceof TcbEvent.Closed c) {
      onClosed(c.reason());
    }
  }

  /** The one place the flow follows the Tcb's states. */
  private void onStateChanged(TcpState to) {
    checkCloseWaiters();
    if (handler == null || handlerFinished) {
      return;
    }
    if (userClose instanceof FlowCommand.Close
        && (to == TcpState.FIN_WAIT_2 || to == TcpState.TIME_WAIT || to == TcpState.CLOSED)) {
      finish(FlowEvent.CLOSED);
    } else if (userClose instanceof FlowCommand.ConfirmedClose
        && (to == TcpState.TIME_WAIT || to == TcpState.CLOSED)) {
      finish(FlowEvent.CONFIRMED_CLOSED);
    }
  }

  private void onEstablished() {
    handle.publish(tcb.stats());
    if (connectReplyTo != null) {
      connectReplyTo.tell(new FlowCommand.ConnectReply.Connected(handle));
      connectReplyTo = null;
    }
    if (wiring.listener() != null) {
      wiring.listener().tell(new TcpListenerActor.FlowEstablished(wiring.key(), handle));
    }
  }

  private void onClosed(CloseReason reason) {
    endEverything(reason, handle.describe(reason));
    // The listener hears first: by the time the host has forgotten the flow, its backlog
    // slot is free, so a SYN the host hands the listener after that cannot find it full.
    if (wiring.listener() != null) {
      wiring.listener().tell(new TcpListenerActor.FlowEnded(wiring.key()));
    }
    wiring.host().tell(new HostCommand.FlowClosed(wiring.key(), ctx.getSelf()));
    for (TcbTimers.Kind kind : KINDS) {
      timers.cancel(kind);
    }
    timers.startSingleTimer("linger", FlowInternal.LINGER, LINGER);
  }

  /** Answers everything that waits, as the connection ended for {@code reason}. */
  private void endEverything(CloseReason reason, String connectFailure) {
    closedFor = reason;
    handle.ended(reason, receiver.endOfFile());
    handle.publish(tcb.stats()); // before anyone hears of the end
    if (connectReplyTo != null) {
      connectReplyTo.tell(new FlowCommand.ConnectReply.Failed(reason, connectFailure));
      connectReplyTo = null;
    }
    receiver.closed();
    sender.closed(new FlowClosedException(reason, handle.describe(reason)));
    completeCloseWaiters();
    finishHandler(reason);
  }

  // ------------------------------------------------------------ the close protocol

  /** The handler's last event for an ended flow, unless it had one. */
  private void finishHandler(CloseReason reason) {
    if (handler == null || handlerFinished) {
      return;
    }
    if (userClose instanceof FlowCommand.Abort) {
      finish(FlowEvent.ABORTED);
    } else if (reason == CloseReason.NORMAL) {
      finish(
          userClose instanceof FlowCommand.ConfirmedClose
              ? FlowEvent.CONFIRMED_CLOSED
              : FlowEvent.CLOSED);
    } else {
      finish(new FlowEvent.ErrorClosed(handle.describe(reason)));
    }
  }

  private void finish(FlowEvent last) {
    handlerFinished = true;
    handler.tell(last);
  }

  /**
   * PeerClosed, as Pekko IO sends it: not once the user asked to close (Close or ConfirmedClose end
   * with their own event), and in pull mode only after the data before the FIN was pulled. Without
   * keepOpenOnPeerClosed it is the last event, and our side closes too — but not before that data
   * was handed over.
   */
  private void announcePeerClosed() {
    if (handler == null
        || !receiver.peerFinished()
        || handlerFinished
        || userClose instanceof FlowCommand.Close
        || userClose instanceof FlowCommand.ConfirmedClose) {
      return;
    }
    if (receiver.hasUnread()) {
      peerClosedPending = true;
      return;
    }
    peerClosedPending = false;
    handler.tell(FlowEvent.PEER_CLOSED);
    if (!keepOpenOnPeerClosed) {
      handlerFinished = true;
      sender.shutdown();
    }
  }

  /** close() completes once the peer has closed too and our FIN is out, or it all ended. */
  private void checkCloseWaiters() {
    if (closeWaiters == null) {
      return;
    }
    TcpState state = tcb.state();
    if (receiver.peerFinished()
        && (state == TcpState.TIME_WAIT
            || state == TcpState.CLOSED
            || state == TcpState.LAST_ACK
            || state == TcpState.CLOSING)) {
      completeCloseWaiters();
    }
  }

  private void completeCloseWaiters() {
    if (closeWaiters != null) {
      closeWaiters.forEach(p -> p.complete(Done.getInstance()));
      closeWaiters = null;
    }
  }

  private Behavior<FlowCommand> onPostStop() {
    if (closedFor == null) {
      // The host went away (disconnect or shutdown) with the connection still open.
      endEverything(CloseReason.ABORTED, handle.describe(CloseReason.ABORTED) + " (host gone)");
    }
    // Last: what reaches the mailbox from now on goes to dead letters (FlowDeadLetters), and
    // requests that find the handle stopped are answered at once.
    handle.stopped();
    return Behaviors.same();
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
}
