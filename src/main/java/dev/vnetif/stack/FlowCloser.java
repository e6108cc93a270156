package dev.vnetif.stack;

import dev.vnetif.tcp.CloseReason;
import dev.vnetif.tcp.TcpState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The close protocol of a flow: every {@link CloseRequest} in one place (RFC 9293 §3.10.4 CLOSE,
 * §3.10.5 ABORT), the waiters of {@code close()}, and the last event the registered handler gets —
 * Closed, ConfirmedClosed, Aborted, ErrorClosed, or PeerClosed — as Pekko IO sends them.
 */
final class FlowCloser {
  private final FlowSide flow;
  private final FlowReceiver receiver;
  private final FlowSender sender;

  /** The actor protocol's close command that decides the handler's last event, or null. */
  private CloseRequest userClose;

  private boolean keepOpenOnPeerClosed;
  private boolean peerClosedPending;

  /** The handler got its last event. */
  private boolean handlerFinished;

  private List<CompletableFuture<Done>> closeWaiters;

  FlowCloser(FlowSide flow, FlowReceiver receiver, FlowSender sender) {
    this.flow = flow;
    this.receiver = receiver;
    this.sender = sender;
  }

  /** A handler registered: a FIN that came before is announced now. */
  void registered(boolean keepOpen) {
    keepOpenOnPeerClosed = keepOpen;
    announcePeerClosed();
  }

  /** The handler pulled: a PeerClosed held back behind unread data may go now. */
  void resumedReading() {
    if (peerClosedPending) {
      announcePeerClosed();
    }
  }

  void request(CloseRequest request) {
    if (request instanceof FlowCommand.Abort) {
      userClose = request; // whatever was asked before, the flow ends with Aborted
      flow.tcb().abort(flow.now());
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
      stateChanged(flow.tcb().state());
    } else if (request instanceof FlowInternal.Shutdown s) {
      if (s.read()) {
        receiver.shutdown();
      }
      if (s.write()) {
        sender.shutdown();
      }
      flow.complete(s.promise(), Done.getInstance());
    }
  }

  private void rememberUserClose(CloseRequest request) {
    if (userClose == null) {
      userClose = request;
    }
  }

  /** The peer's FIN arrived. */
  void peerFinished() {
    announcePeerClosed();
  }

  /** The Tcb moved to {@code to}: close() may complete, Close or ConfirmedClose may be done. */
  void stateChanged(TcpState to) {
    if (closeWaiters != null
        && receiver.peerFinished()
        && (to == TcpState.TIME_WAIT
            || to == TcpState.CLOSED
            || to == TcpState.LAST_ACK
            || to == TcpState.CLOSING)) {
      completeCloseWaiters();
    }
    if (userClose instanceof FlowCommand.Close
        && (to == TcpState.FIN_WAIT_2 || to == TcpState.TIME_WAIT || to == TcpState.CLOSED)) {
      finish(FlowEvent.CLOSED);
    } else if (userClose instanceof FlowCommand.ConfirmedClose
        && (to == TcpState.TIME_WAIT || to == TcpState.CLOSED)) {
      finish(FlowEvent.CONFIRMED_CLOSED);
    }
  }

  /** The connection ended: close() completes, the handler gets its last event. */
  void ended(CloseReason reason) {
    completeCloseWaiters();
    finishHandler(reason);
  }

  /** The handler's last event for an ended flow, unless it had one. */
  void finishHandler(CloseReason reason) {
    if (userClose instanceof FlowCommand.Abort) {
      finish(FlowEvent.ABORTED);
    } else if (reason == CloseReason.NORMAL) {
      finish(
          userClose instanceof FlowCommand.ConfirmedClose
              ? FlowEvent.CONFIRMED_CLOSED
              : FlowEvent.CLOSED);
    } else {
      finish(new FlowEvent.ErrorClosed(flow.handle().describe(reason)));
    }
  }

  private void finish(FlowEvent last) {
    ActorRef<FlowEvent> handler = flow.handler();
    if (handler != null && !handlerFinished) {
      handlerFinished = true;
      handler.tell(last);
    }
  }

  /**
   * PeerClosed, as Pekko IO sends it: not once the user asked to close (Close or ConfirmedClose end
   * with their own event), and in pull mode only after the data before the FIN was pulled. Without
   * keepOpenOnPeerClosed it is the last event, and our side closes too — but not before that data
   * was handed over.
   */
  private void announcePeerClosed() {
    ActorRef<FlowEvent> handler = flow.handler();
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

  private void completeCloseWaiters() {
    if (closeWaiters != null) {
      closeWaiters.forEach(p -> flow.complete(p, Done.getInstance()));
      closeWaiters = null;
    }
  }
}
