package dev.vnetif.stack;

import dev.vnetif.tcp.CloseReason;
import dev.vnetif.tcp.TcpState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user's side of one flow, kept by its {@link TcpFlowActor}: data waiting to be read, writes
 * waiting for send-buffer space, close requests, and the registered handler of the actor protocol.
 * Bytes count against the TCP receive window until they are handed to the user — only then are they
 * consumed — so an idle reader closes the window.
 */
final class FlowIo {
  private static final Logger log = LoggerFactory.getLogger(FlowIo.class);
  private final TcpFlowActor flow;

  private final ArrayDeque<ByteString> received = new ArrayDeque<>();
  private final ArrayDeque<ActorRef<FlowCommand.ReadReply>> readers = new ArrayDeque<>();
  private boolean peerFinished;
  private boolean readShutdown;

  private final ArrayDeque<PendingWrite> writes = new ArrayDeque<>();
  private final ArrayDeque<PendingWrite> awaitingAck = new ArrayDeque<>();
  private boolean writeShutdown;

  private final List<ActorRef<Done>> closeWaiters = new ArrayList<>();

  private ActorRef<FlowEvent> handler;
  private boolean keepOpenOnPeerClosed;
  private boolean pullMode;
  private boolean resumeRequested;
  private boolean peerClosedPending;
  private boolean closeCommanded;
  private boolean confirmedCloseCommanded;
  private boolean abortCommanded;
  private boolean closeEventSent;

  /** One write waiting for space (or, with nodelay, for its acknowledgment). */
  private static final class PendingWrite {
    final ArrayDeque<ByteString> chunks;
    final boolean nodelay;
    final ActorRef<FlowCommand.WriteReply> replyTo;
    final FlowCommand.Write ioCommand;
    long endOffset;

    PendingWrite(
        List<ByteString> data,
        boolean nodelay,
        ActorRef<FlowCommand.WriteReply> replyTo,
        FlowCommand.Write ioCommand) {
      this.chunks = new ArrayDeque<>(data);
      this.nodelay = nodelay;
      this.replyTo = replyTo;
      this.ioCommand = ioCommand;
    }
  }

  FlowIo(TcpFlowActor flow) {
    this.flow = flow;
  }

  // ------------------------------------------------------------ reading

  void read(FlowCommand.Read msg) {
    if (!received.isEmpty()) {
      msg.replyTo().tell(new FlowCommand.ReadReply.Data(takeAll()));
    } else if (readShutdown || peerFinished || flow.closeReason() != null) {
      msg.replyTo().tell(endOfReading());
    } else {
      readers.addLast(msg.replyTo());
    }
  }

  /** Everything queued, as one ByteString (a rope: no copy), consumed from the window. */
  private ByteString takeAll() {
    ByteString all = received.pollFirst();
    while (!received.isEmpty()) {
      all = all.concat(received.pollFirst());
    }
    consume(all.length());
    return all;
  }

  private void consume(int bytes) {
    if (bytes > 0 && flow.closeReason() == null) {
      flow.tcb().consumed(bytes, flow.now());
    }
  }

  /** End-of-file after a FIN (or a keepalive failure, as the seed says), else the error. */
  private FlowCommand.ReadReply endOfReading() {
    CloseReason reason = flow.closeReason();
    if (peerFinished
        || readShutdown
        || reason == null
        || reason == CloseReason.NORMAL
        || reason == CloseReason.KEEPALIVE_TIMEOUT) {
      return new FlowCommand.ReadReply.Eof();
    }
    return new FlowCommand.ReadReply.Failed(reason, flow.describe(reason));
  }

  void dataReceived(ByteString data) {
    if (readShutdown) {
      consume(data.length()); // RFC 9293 leaves SHUTDOWN(read) local: discard, keep the window open
    } else if (handler != null && (!pullMode || resumeRequested)) {
      resumeRequested = false;
      handler.tell(new FlowEvent.Received(data));
      consume(data.length());
    } else if (!readers.isEmpty() && received.isEmpty()) {
      readers.pollFirst().tell(new FlowCommand.ReadReply.Data(data));
      consume(data.length());
    } else {
      received.addLast(data);
    }
  }

  void peerFinished() {
    peerFinished = true;
    while (!readers.isEmpty()) {
      readers.pollFirst().tell(new FlowCommand.ReadReply.Eof());
    }
    announcePeerClosed();
  }

  /**
   * PeerClosed, as Pekko IO sends it: not once the user asked to close (Close or ConfirmedClose end
   * with their own event), and in pull mode only after the data before the FIN was pulled. Without
   * keepOpenOnPeerClosed it is the last event, and our side closes too — but not before that data
   * was handed over.
   */
  private void announcePeerClosed() {
    if (handler == null
        || !peerFinished
        || closeEventSent
        || closeCommanded
        || confirmedCloseCommanded) {
      return;
    }
    if (!received.isEmpty()) {
      peerClosedPending = true;
      return;
    }
    peerClosedPending = false;
    handler.tell(FlowEvent.PEER_CLOSED);
    if (!keepOpenOnPeerClosed) {
      closeEventSent = true;
      shutdownWrite();
    }
  }

  // ------------------------------------------------------------ writing

  void write(FlowCommand.WriteData msg) {
    if (writeRefused()) {
      CloseReason reason = flow.closeReason() != null ? flow.closeReason() : CloseReason.NORMAL;
      msg.replyTo()
          .tell(
              new FlowCommand.WriteReply.Failed(
                  reason, flow.handle() + ": write after the connection was closed for writing"));
      return;
    }
    writes.addLast(new PendingWrite(msg.data(), msg.nodelay(), msg.replyTo(), null));
    pumpWrites();
  }

  void write(FlowCommand.Write msg) {
    if (handler == null) {
      // Nobody to send Ack or CommandFailed to: Pekko IO's rule, register before writing.
      log.warn(
          "{}: Write before Register dropped ({} bytes); send Register first",
          flow.handle(),
          msg.data().length());
      return;
    }
    if (writeRefused()) {
      handler.tell(
          new FlowEvent.CommandFailed(
              msg, flow.handle() + ": write after the connection was closed for writing"));
      return;
    }
    writes.addLast(new PendingWrite(List.of(msg.data()), false, null, msg));
    pumpWrites();
  }

  private boolean writeRefused() {
    return writeShutdown || flow.closeReason() != null || !flow.tcb().canSend();
  }

  /** Moves queued writes into the send buffer as far as it has room, oldest first. */
  private void pumpWrites() {
    while (!writes.isEmpty() && flow.closeReason() == null) {
      PendingWrite w = writes.peekFirst();
      while (!w.chunks.isEmpty()) {
        ByteString chunk = w.chunks.peekFirst();
        int taken = flow.tcb().send(chunk, w.nodelay, flow.now());
        if (taken < chunk.length()) {
          w.chunks.pollFirst();
          w.chunks.addFirst(chunk.drop(taken));
          return; // the send buffer is full: wait for an acknowledgment
        }
        w.chunks.pollFirst();
      }
      writes.pollFirst();
      accepted(w);
    }
    if (writes.isEmpty() && writeShutdown && flow.closeReason() == null && flow.tcb().canSend()) {
      flow.tcb().shutdownWrite(flow.now());
    }
  }

  private void accepted(PendingWrite w) {
    if (w.nodelay) {
      w.endOffset = flow.tcb().writtenTotal();
      awaitingAck.addLast(w);
      dataAcknowledged(flow.tcb().acknowledgedTotal());
    } else if (w.replyTo != null) {
      w.replyTo.tell(new FlowCommand.WriteReply.Written());
    } else if (w.ioCommand.ack() != null && handler != null) {
      handler.tell(new FlowEvent.Ack(w.ioCommand.ack()));
    }
  }

  void dataAcknowledged(long acknowledgedTotal) {
    while (!awaitingAck.isEmpty() && awaitingAck.peekFirst().endOffset <= acknowledgedTotal) {
      awaitingAck.pollFirst().replyTo.tell(new FlowCommand.WriteReply.Written());
    }
    pumpWrites();
  }

  // ------------------------------------------------------------ closing

  void shutdown(FlowCommand.Shutdown msg) {
    if (msg.read()) {
      readShutdown = true;
      consume(received.stream().mapToInt(ByteString::length).sum());
      received.clear();
      while (!readers.isEmpty()) {
        readers.pollFirst().tell(new FlowCommand.ReadReply.Eof());
      }
    }
    if (msg.write()) {
      shutdownWrite();
    }
    msg.replyTo().tell(Done.getInstance());
  }

  /** FIN once the queued writes are in the send buffer (RFC 9293 §3.10.4 CLOSE). */
  private void shutdownWrite() {
    writeShutdown = true;
    pumpWrites();
  }

  void closeAndWait(FlowCommand.CloseAndWait msg) {
    closeWaiters.add(msg.replyTo());
    shutdownWrite();
    checkCloseWaiters();
  }

  void stateChanged(TcpState to) {
    checkCloseWaiters();
    if (handler == null) {
      return;
    }
    if (closeCommanded
        && !closeEventSent
        && (to == TcpState.FIN_WAIT_2 || to == TcpState.TIME_WAIT || to == TcpState.CLOSED)) {
      closeEventSent = true;
      handler.tell(FlowEvent.CLOSED);
    }
    if (confirmedCloseCommanded
        && !closeEventSent
        && (to == TcpState.TIME_WAIT || to == TcpState.CLOSED)) {
      closeEventSent = true;
      handler.tell(FlowEvent.CONFIRMED_CLOSED);
    }
  }

  /** close() completes once the peer has closed too and our FIN is out, or it all ended. */
  private void checkCloseWaiters() {
    if (closeWaiters.isEmpty()) {
      return;
    }
    TcpState state = flow.tcb().state();
    boolean bothClosed =
        peerFinished
            && (state == TcpState.TIME_WAIT
                || state == TcpState.CLOSED
                || state == TcpState.LAST_ACK
                || state == TcpState.CLOSING);
    if (bothClosed || flow.closeReason() != null) {
      closeWaiters.forEach(ref -> ref.tell(Done.getInstance()));
      closeWaiters.clear();
    }
  }

  /** The connection is over: answer everything that waits. */
  void closed(CloseReason reason) {
    while (!readers.isEmpty()) {
      readers.pollFirst().tell(endOfReading());
    }
    String why = flow.describe(reason);
    for (PendingWrite w : writes) {
      failWrite(w, reason, why);
    }
    writes.clear();
    for (PendingWrite w : awaitingAck) {
      failWrite(w, reason, why);
    }
    awaitingAck.clear();
    closeWaiters.forEach(ref -> ref.tell(Done.getInstance()));
    closeWaiters.clear();
    if (handler != null && !closeEventSent) {
      closeEventSent = true;
      if (abortCommanded) {
        handler.tell(FlowEvent.ABORTED);
      } else if (reason == CloseReason.NORMAL) {
        handler.tell(confirmedCloseCommanded ? FlowEvent.CONFIRMED_CLOSED : FlowEvent.CLOSED);
      } else {
        handler.tell(new FlowEvent.ErrorClosed(why));
      }
    }
  }

  private void failWrite(PendingWrite w, CloseReason reason, String why) {
    if (w.replyTo != null) {
      w.replyTo.tell(new FlowCommand.WriteReply.Failed(reason, why));
    } else if (handler != null) {
      handler.tell(new FlowEvent.CommandFailed(w.ioCommand, why));
    }
  }

  // ------------------------------------------------------------ actor protocol

  void register(FlowCommand.Register msg) {
    handler = msg.handler();
    keepOpenOnPeerClosed = msg.keepOpenOnPeerClosed();
    pullMode = msg.pullMode();
    FlowHandle h = flow.handle();
    handler.tell(
        new FlowEvent.Connected(
            h.remoteAddress(), h.remotePort(), h.localAddress(), h.localPort()));
    if (!pullMode && !received.isEmpty()) {
      handler.tell(new FlowEvent.Received(takeAll()));
    }
    announcePeerClosed();
  }

  void resumeReading() {
    if (handler == null || !pullMode) {
      return;
    }
    if (!received.isEmpty()) {
      handler.tell(new FlowEvent.Received(takeAll()));
      if (peerClosedPending) {
        announcePeerClosed();
      }
    } else {
      resumeRequested = true;
    }
  }

  void close(FlowCommand.Close msg) {
    closeCommanded = true;
    readShutdown = true;
    shutdownWrite();
  }

  void confirmedClose(FlowCommand.ConfirmedClose msg) {
    confirmedCloseCommanded = true;
    shutdownWrite();
  }

  void abort() {
    if (flow.closeReason() == null) {
      abortCommanded = true;
      flow.tcb().abort(flow.now());
    }
  }
}
