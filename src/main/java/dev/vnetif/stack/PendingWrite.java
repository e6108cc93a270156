package dev.vnetif.stack;

import dev.vnetif.tcp.Tcb;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;

/**
 * One write waiting for send-buffer space (or, with nodelay, for its acknowledgment). Two kinds,
 * one per API: a {@link Stage} completes the future of {@code TcpFlow.write}, an {@link Io} answers
 * a {@link FlowCommand.Write} with {@link FlowEvent.Ack} or {@link FlowEvent.CommandFailed}.
 */
abstract sealed class PendingWrite {
  /** What is left of the piece being fed: the head of the remaining data. */
  private ByteString head;

  PendingWrite(ByteString first) {
    this.head = first;
  }

  /** The piece after the head, or null when the head was the last. */
  abstract ByteString nextPiece();

  boolean nodelay() {
    return false;
  }

  /**
   * Moves as much as the send buffer takes into {@code tcb}. True when all of it went in; false
   * when the buffer is full and the rest waits for an acknowledgment.
   */
  final boolean feed(Tcb tcb, long now) {
    while (head != null) {
      int taken = head.isEmpty() ? 0 : tcb.send(head, nodelay(), now);
      if (taken < head.length()) {
        head = head.drop(taken);
        return false;
      }
      head = nextPiece();
    }
    return true;
  }

  /** All of it is in the send buffer (or, with nodelay, acknowledged). */
  abstract void written(FlowSide flow);

  /** It can never be written: the connection ended, or was closed for writing. */
  abstract void failed(FlowSide flow, RuntimeException why);

  /** A write of the {@code CompletionStage} API. */
  static final class Stage extends PendingWrite {
    private final List<ByteString> data;
    private final boolean nodelay;
    private final CompletableFuture<Done> promise;
    private int next = 1;

    /** With nodelay: the stream offset its last byte has; acknowledged past it, it is done. */
    long endOffset;

    Stage(List<ByteString> data, boolean nodelay, CompletableFuture<Done> promise) {
      super(data.isEmpty() ? null : data.get(0));
      this.data = data;
      this.nodelay = nodelay;
      this.promise = promise;
    }

    @Override
    ByteString nextPiece() {
      return next < data.size() ? data.get(next++) : null;
    }

    @Override
    boolean nodelay() {
      return nodelay;
    }

    @Override
    void written(FlowSide flow) {
      flow.complete(promise, Done.getInstance());
    }

    @Override
    void failed(FlowSide flow, RuntimeException why) {
      flow.fail(promise, why);
    }
  }

  /** A {@link FlowCommand.Write} of the actor protocol. */
  static final class Io extends PendingWrite {
    private final FlowCommand.Write command;

    Io(FlowCommand.Write command) {
      super(command.data());
      this.command = command;
    }

    @Override
    ByteString nextPiece() {
      return null;
    }

    @Override
    void written(FlowSide flow) {
      ActorRef<FlowEvent> handler = flow.handler();
      if (command.ack() != null && handler != null) {
        handler.tell(new FlowEvent.Ack(command.ack()));
      }
    }

    @Override
    void failed(FlowSide flow, RuntimeException why) {
      ActorRef<FlowEvent> handler = flow.handler();
      if (handler != null) {
        handler.tell(new FlowEvent.CommandFailed(command, why.getMessage()));
      }
    }
  }
}
