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
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ExtensibleBehavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One TCP connection: the actor that owns its {@link Tcb}. One behavior per phase, as Pekko's
 * {@code TcpConnection} has one {@code Receive} per state:
 *
 * <ul>
 *   <li>{@link Connecting} — SYN sent or received; no user holds the flow yet;
 *   <li>{@link Open} — established; reads, writes and close requests;
 *   <li>{@link Closing} — our sending side is shut (a FIN follows the queued data): new writes
 *       fail, reads go on until the peer's FIN;
 *   <li>{@link Lingering} — the connection ended (CLOSED, or its TIME_WAIT handed to the host);
 *       late requests get what an ended flow answers, then the actor stops.
 * </ul>
 *
 * Every message that reaches the Tcb ends in {@link #settle}: the Tcb's events are handled in the
 * order it emitted them (see {@link #onEvent}), the segments go to the host as one batch, timers
 * follow the Tcb's deadlines, the state is published, and the behavior of the phase the flow is now
 * in comes next. The package Javadoc tells the whole story.
 */
public final class TcpFlowActor implements TcbOutput, FlowSide {

  /** Where a flow reports: its host (segments, registration) and, if accepted, its listener. */
  record Wiring(
      ActorRef<HostMessage> host,
      NetworkClock clock,
      Ipv4Address localAddress,
      FlowKey key,
      TcpConfig config,
      ActorRef<TcpListenerActor.Command> listener) {}

  private final ActorContext<FlowCommand> ctx;
  private final Wiring wiring;
  private final FlowTimers timers;
  private final FlowHandle handle;

  /** Stages to complete once the current input's segments are sent; null when none. */
  private List<Runnable> completions;

  /** The events of the input being handled; null between inputs. */
  private List<TcbEvent> events;

  private final FlowReceiver receiver;
  private final FlowSender sender;
  private List<TcpSegment> outgoing;
  private final FlowCloser closer;
  private Tcb tcb;

  /** The current behavior: which phase the flow is in. */
  private Phase phase;

  /** Who waits for the connect (active opens only), until it is established or has failed. */
  private ActorRef<FlowCommand.ConnectReply> connectReplyTo;

  /** The handler that registered through the actor protocol, or null. */
  private ActorRef<FlowEvent> handler;

  /** Set by the Tcb's Closed event, in the message that closed it. */
  private CloseReason closedFor;

  /** This connection's TIME_WAIT, handed to the host (see {@link #handOverTimeWait}); or null. */
  private TimeWait timeWait;

  /** A connection we open: the host registered it; the SYN goes out at once. */
  static Behavior<FlowCommand> active(
      Wiring wiring, int iss, int tsOffset, ActorRef<FlowCommand.ConnectReply> replyTo) {
    OneShot<ActorRef<FlowCommand.ConnectReply>> asker = new OneShot<>(replyTo);
    return Behaviors.withTimers(
        timers ->
            Behaviors.setup(
                ctx -> {
                  TcpFlowActor flow = new TcpFlowActor(ctx, timers, wiring);
                  flow.connectReplyTo = asker.take();
                  flow.tcb =
                      Tcb.connect(
                          wiring.config(),
                          wiring.key().localPort(),
                          wiring.key().remotePort(),
                          iss,
                          tsOffset,
                          flow,
                          flow.now());
                  return flow.settle();
                }));
  }

  /**
   * A connection for a SYN a listener accepted. It registers with the host before its SYN-ACK
   * leaves, so the peer's answer finds it.
   */
  static Behavior<FlowCommand> passive(Wiring wiring, TcpSegment syn, int iss, int tsOffset) {
    OneShot<TcpSegment> accepted = new OneShot<>(syn);
    return Behaviors.withTimers(
        timers ->
            Behaviors.setup(
                ctx -> {
                  TcpFlowActor flow = new TcpFlowActor(ctx, timers, wiring);
                  wiring.host().tell(new HostCommand.FlowRegistered(wiring.key(), ctx.getSelf()));
                  flow.tcb =
                      Tcb.accept(wiring.config(), accepted.take(), iss, tsOffset, flow, flow.now());
                  return flow.settle();
                }));
  }

  /**
   * A connection for an ACK whose SYN cookie validated (RFC 4987 §3.6): made from the ACK and what
   * the cookie kept of the SYN ({@link Tcb#acceptCookie}), established at once. It registers with
   * the host first, as a passive flow does, so the peer's next segments find it.
   */
  static Behavior<FlowCommand> fromCookie(
      Wiring wiring, TcpSegment ack, TcpOptions synOptions, int tsOffset) {
    OneShot<CookieAck> accepted = new OneShot<>(new CookieAck(ack, synOptions));
    return Behaviors.withTimers(
        timers ->
            Behaviors.setup(
                ctx -> {
                  TcpFlowActor flow = new TcpFlowActor(ctx, timers, wiring);
                  wiring.host().tell(new HostCommand.FlowRegistered(wiring.key(), ctx.getSelf()));
                  CookieAck cookie = accepted.take();
                  flow.tcb =
                      Tcb.acceptCookie(
                          wiring.config(),
                          cookie.ack(),
                          cookie.synOptions(),
                          tsOffset,
                          flow,
                          flow.now());
                  return flow.settle();
                }));
  }

  /** The ACK of a valid cookie and what the cookie kept of the SYN, for one setup. */
  private record CookieAck(TcpSegment ack, TcpOptions synOptions) {}

  private TcpFlowActor(
      ActorContext<FlowCommand> ctx, TimerScheduler<FlowCommand> timers, Wiring wiring) {
    this.ctx = ctx;
    this.wiring = wiring;
    this.timers = new FlowTimers(timers);
    this.handle = new FlowHandle(ctx.getSelf(), wiring.localAddress(), wiring.key());
    this.receiver = new FlowReceiver(this);
    this.sender = new FlowSender(this);
    this.closer = new FlowCloser(this, receiver, sender);
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

  @Override
  public <T> void complete(CompletableFuture<T> promise, T value) {
    if (completions == null) {
      completions = new ArrayList<>(4);
    }
    completions.add(() -> promise.complete(value));
  }

  @Override
  public void fail(CompletableFuture<?> promise, Throwable why) {
    if (completions == null) {
      completions = new ArrayList<>(4);
    }
    completions.add(() -> promise.completeExceptionally(why));
  }

  // ------------------------------------------------------------ behaviors, one per phase

  /**
   * One phase's behavior. Each reads as a table of the messages it takes, in a chain of {@code
   * instanceof} tests rather than a receive builder: an idle flow then holds one small object for
   * its behavior instead of a case object and a lambda per message kind.
   */
  private abstract class Phase extends ExtensibleBehavior<FlowCommand> {
    @Override
    public Behavior<FlowCommand> receiveSignal(TypedActorContext<FlowCommand> c, Signal signal) {
      if (signal instanceof PostStop) {
        onPostStop();
      }
      return Behaviors.same();
    }
  }

  /** Connecting, open and closing: the Tcb runs, the user's requests are carried out. */
  private abstract class Live extends Phase {
    @Override
    public Behavior<FlowCommand> receive(TypedActorContext<FlowCommand> c, FlowCommand m) {
      if (m instanceof FlowInternal.SegmentsIn s) {
        tcb.segmentsArrived(s.segments(), now());
      } else if (m instanceof FlowInternal.TimerFired t) {
        onTimer(t);
      } else if (m instanceof FlowInternal.Read r) {
        receiver.read(r.promise(), false);
      } else if (m instanceof FlowCommand.Write w) {
        write(w);
      } else if (m instanceof FlowInternal.WriteData w) {
        writeData(w);
      } else if (m instanceof FlowCommand.Register r) {
        register(r);
      } else if (m instanceof FlowCommand.ResumeReading) {
        receiver.resumeReading();
        closer.resumedReading();
      } else if (m instanceof CloseRequest r) {
        closer.request(r);
      } else {
        return Behaviors.unhandled(); // Linger comes only after the end
      }
      return settle();
    }

    void write(FlowCommand.Write w) {
      sender.write(w);
    }

    void writeData(FlowInternal.WriteData w) {
      sender.add(new PendingWrite.Stage(w.data(), w.nodelay(), w.promise()));
    }
  }

  /**
   * SYN sent or received. Only the Tcb's input and the host's Abort (on disconnect) come here: the
   * flow's handle is handed out (to the connect's asker, to the listener) by the Established event
   * that ends this phase. Anything else is handled as open handles it (RFC 9293 §3.10.2 queues a
   * SEND before ESTABLISHED).
   */
  private final class Connecting extends Live {}

  /** Established: data flows both ways. */
  private final class Open extends Live {}

  /** Our FIN is queued or out: new writes fail; reading goes on. */
  private final class Closing extends Live {
    @Override
    void write(FlowCommand.Write w) {
      sender.refuse(w, handle.closedForWriting().getMessage());
    }

    @Override
    void writeData(FlowInternal.WriteData w) {
      w.promise().completeExceptionally(handle.closedForWriting());
    }
  }

  /**
   * The connection ended and the host forgot the flow: timers already queued find nothing to do,
   * segments still in flight go back to the host. Requests get what an ended flow answers (data
   * that arrived before the end is still handed over) until the linger timer stops the actor.
   */
  private final class Lingering extends Phase {
    private final CloseReason reason;

    Lingering(CloseReason reason) {
      this.reason = reason;
    }

    @Override
    public Behavior<FlowCommand> receive(TypedActorContext<FlowCommand> c, FlowCommand m) {
      if (m instanceof FlowInternal.Linger) {
        if (receiver.hasUnread() && handle.inTimeWait()) {
          // Data that came before the FIN is still the user's to read: a flow in TIME_WAIT kept
          // it for 2·MSL before TIME_WAIT moved to the host, so it does still.
          timers.lingerAgain();
          return Behaviors.same();
        }
        return Behaviors.stopped();
      } else if (m instanceof FlowInternal.SegmentsIn s) {
        // The host no longer leads this 4-tuple here, but segments already on their way came:
        // hand them back to be demultiplexed again (TIME_WAIT entry, a new flow, the listener,
        // or a RST) — e.g. the peer's SYN reusing the port right after its RST closed us.
        wiring
            .host()
            .tell(new HostMessage.SegmentsAfterClose(wiring.key(), ctx.getSelf(), s.segments()));
      } else if (m instanceof FlowInternal.Read r) {
        receiver.read(r.promise(), true);
      } else if (m instanceof FlowInternal.WriteData w) {
        handle.answerEndedWrite(w.promise());
      } else if (m instanceof FlowInternal.StageRequest r) {
        r.answerEnded(); // Shutdown, CloseAndWait: nothing left to close
      } else if (m instanceof FlowCommand.Write w) {
        sender.refuse(w, handle.describe(reason));
      } else if (m instanceof FlowCommand.Register r) {
        register(r);
        closer.finishHandler(reason);
      } else if (m instanceof FlowCommand.ResumeReading) {
        receiver.resumeReading();
      }
      // TimerFired, Close, ConfirmedClose, Abort: nothing left to do
      runCompletions(); // a read answered from data that arrived before the end
      return Behaviors.same();
    }
  }

  private void onTimer(FlowInternal.TimerFired msg) {
    timers.fired(msg.kind());
    long now = now();
    if (tcb.nextDeadline() - now <= 0) {
      tcb.timerFired(now);
    }
  }

  /** Register: the handler hears Connected, then what arrived before it registered. */
  private void register(FlowCommand.Register msg) {
    handler = msg.handler();
    receiver.pullMode(msg.pullMode());
    handler.tell(
        new FlowEvent.Connected(
            handle.remoteAddress(),
            handle.remotePort(),
            handle.localAddress(),
            handle.localPort()));
    receiver.registered();
    closer.registered(msg.keepOpenOnPeerClosed());
  }

  // ------------------------------------------------------------ after every input

  /** Ends every input: events handled, segments sent, timers set, state published. */
  private Behavior<FlowCommand> settle() {
    drainEvents();
    if (closedFor == null && tcb.state() == TcpState.TIME_WAIT) {
      handOverTimeWait(); // after the whole batch: a RST behind the FIN leaves no entry to hand
    }
    if (outgoing != null) {
      wiring.host().tell(new HostCommand.TcpOut(wiring.key(), outgoing));
      outgoing = null;
    }
    handle.publish(tcb.stats());
    runCompletions();
    if (closedFor != null) {
      return phase instanceof Lingering ? Behaviors.same() : become(new Lingering(closedFor));
    }
    timers.follow(tcb.timers(), wiring.clock());
    if (!tcb.state().isSynchronized()) {
      return phase instanceof Connecting ? Behaviors.same() : become(new Connecting());
    }
    if (sender.shutDown()) {
      return phase instanceof Closing ? Behaviors.same() : become(new Closing());
    }
    return phase instanceof Open ? Behaviors.same() : become(new Open());
  }

  /**
   * The user's continuations run here, after the input's segments left and the state was published:
   * whatever they send this flow comes as the next messages.
   */
  private void runCompletions() {
    while (completions != null) {
      List<Runnable> now = completions;
      completions = null;
      now.forEach(Runnable::run);
    }
  }

  private Behavior<FlowCommand> become(Phase next) {
    phase = next;
    return next;
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
    if (events == null) {
      events = new ArrayList<>(4);
    }
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
    if (events == null) {
      return;
    }
    for (int i = 0; i < events.size(); i++) {
      onEvent(events.get(i));
    }
    events = null;
  }

  private void onEvent(TcbEvent event) {
    if (event instanceof TcbEvent.DataReceived d) {
      receiver.dataReceived(d.data());
    } else if (event instanceof TcbEvent.DataAcknowledged a) {
      sender.dataAcknowledged(a.acknowledgedTotal());
    } else if (event instanceof TcbEvent.PeerFinished) {
      receiver.peerSentFin();
      closer.peerFinished();
    } else if (event instanceof TcbEvent.StateChanged s) {
      onStateChanged(s.to());
    } else if (event instanceof TcbEvent.Established) {
      onEstablished();
    } else if (event instanceof TcbEvent.Closed c) {
      onClosed(c.reason());
    }
  }

  /**
   * The one place the flow follows the Tcb's states: close() and the actor protocol's close
   * commands complete here.
   */
  private void onStateChanged(TcpState to) {
    closer.stateChanged(to);
  }

  /**
   * The Tcb entered TIME_WAIT: the host keeps the 4-tuple for 2·MSL as a compact entry (its
   * TimeWaitTable re-ACKs retransmitted FINs and reopens the 4-tuple for an acceptable SYN, RFC
   * 9293 §3.10.7.4), and this flow ends NORMALly for its user now — what it did after 2·MSL before
   * — then lingers and stops like any closed flow. The handle shows TIME_WAIT until the 2·MSL
   * deadline, then CLOSED.
   */
  private void handOverTimeWait() {
    timeWait = tcb.timeWait();
    handle.timeWaitUntil(tcb.timers().deadline(TcbTimers.Kind.TIME_WAIT), wiring.clock());
    onClosed(CloseReason.NORMAL);
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
    if (closedFor != null) {
      return; // the Tcb's own close (a RST in the same batch) after the TIME_WAIT hand-over
    }
    endEverything(reason, handle.describe(reason));
    // The listener hears first: by the time the host has forgotten the flow, its backlog
    // slot is free, so a SYN the host hands the listener after that cannot find it full.
    if (wiring.listener() != null) {
      wiring.listener().tell(new TcpListenerActor.FlowEnded(wiring.key()));
    }
    // A TIME_WAIT entry goes to the host in place of FlowClosed, so the 4-tuple passes from the
    // flow table to the TIME_WAIT table in one step.
    wiring
        .host()
        .tell(
            timeWait != null
                ? new HostMessage.TimeWaitEntered(wiring.key(), ctx.getSelf(), timeWait)
                : new HostCommand.FlowClosed(wiring.key(), ctx.getSelf()));
    timers.cancelAllThenLinger();
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
    closer.ended(reason);
  }

  private void onPostStop() {
    if (closedFor == null) {
      // The host went away (disconnect or shutdown) with the connection still open.
      endEverything(CloseReason.ABORTED, handle.describe(CloseReason.ABORTED) + " (host gone)");
    }
    runCompletions();
    // Last: what reaches the mailbox from now on goes to dead letters (FlowDeadLetters), and
    // requests that find the handle stopped are answered at once.
    handle.stopped();
  }
}
