package dev.vnetif.stack;

import dev.vnetif.tcp.Tcb;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write side of a flow: writes wait here, oldest first, until the send buffer takes them; a
 * nodelay write then waits for the acknowledgment of its last byte. Flow control is the send
 * buffer's: a writer that outruns the peer finds its write pending until ACKs free room, so nothing
 * grows beyond what the user queued.
 *
 * <p>It calls the Tcb only while the Tcb can take data ({@link Tcb#canSend()}): a batch whose
 * events end with the connection's close (an ACK and a RST together) may free room after the Tcb
 * already reached CLOSED, and then nothing is pumped; the close fails what waits.
 */
final class FlowSender {
  private static final Logger log = LoggerFactory.getLogger(FlowSender.class);
  private final FlowSide flow;

  /** Created on the first write that has to wait: an idle flow holds none. */
  private ArrayDeque<PendingWrite> queued;

  private ArrayDeque<PendingWrite.Stage> awaitingAck;
  private boolean finAfterQueued;

  FlowSender(FlowSide flow) {
    this.flow = flow;
  }

  /** Takes a write; it is answered when it is in the send buffer (or failed if the flow ends). */
  void add(PendingWrite write) {
    if (queued == null) {
      queued = new ArrayDeque<>(4);
    }
    queued.addLast(write);
    pump();
  }

  /** A typed Write: answered with Ack (if it asks) or CommandFailed to the registered handler. */
  void write(FlowCommand.Write w) {
    if (flow.handler() == null) {
      // Nobody to send Ack or CommandFailed to: Pekko IO's rule, register before writing.
      log.warn(
          "{}: Write before Register dropped ({} bytes); send Register first",
          flow.handle(),
          w.data().length());
    } else {
      add(new PendingWrite.Io(w));
    }
  }

  /** A typed Write the flow can no longer take: CommandFailed, if anyone registered to hear it. */
  void refuse(FlowCommand.Write w, String why) {
    if (flow.handler() != null) {
      flow.handler().tell(new FlowEvent.CommandFailed(w, why));
    }
  }

  /** True once a FIN was asked for (it follows the queued writes). */
  boolean shutDown() {
    return finAfterQueued;
  }

  /** FIN once the queued writes are in the send buffer (RFC 9293 §3.10.4 CLOSE). */
  void shutdown() {
    finAfterQueued = true;
    pump();
  }

  /** Moves queued writes into the send buffer as far as it has room, oldest first. */
  void pump() {
    Tcb tcb = flow.tcb();
    while (queued != null && !queued.isEmpty() && tcb.canSend()) {
      PendingWrite w = queued.peekFirst();
      if (!w.feed(tcb, flow.now())) {
        return; // the send buffer is full: wait for an acknowledgment
      }
      queued.pollFirst();
      accepted(w);
    }
    if (finAfterQueued && (queued == null || queued.isEmpty()) && tcb.canSend()) {
      tcb.shutdownWrite(flow.now());
    }
  }

  private void accepted(PendingWrite w) {
    if (w instanceof PendingWrite.Stage s && s.nodelay()) {
      s.endOffset = flow.tcb().writtenTotal();
      if (awaitingAck == null) {
        awaitingAck = new ArrayDeque<>(4);
      }
      awaitingAck.addLast(s);
      acknowledged(flow.tcb().acknowledgedTotal());
    } else {
      w.written(flow);
    }
  }

  /** The peer acknowledged {@code acknowledgedTotal} bytes: nodelay writes done, room for more. */
  void dataAcknowledged(long acknowledgedTotal) {
    acknowledged(acknowledgedTotal);
    pump();
  }

  private void acknowledged(long acknowledgedTotal) {
    while (awaitingAck != null
        && !awaitingAck.isEmpty()
        && awaitingAck.peekFirst().endOffset - acknowledgedTotal <= 0) {
      awaitingAck.pollFirst().written(flow);
    }
  }

  /** The connection ended: every write that waits fails with {@code why}. */
  void closed(RuntimeException why) {
    if (queued != null) {
      for (PendingWrite w : queued) {
        w.failed(flow, why);
      }
      queued = null;
    }
    if (awaitingAck != null) {
      for (PendingWrite w : awaitingAck) {
        w.failed(flow, why);
      }
      awaitingAck = null;
    }
  }
}
