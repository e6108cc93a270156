package dev.vnetif.stack;

import dev.vnetif.tcp.TcpState;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;

/**
 * The receive side of a flow: data that arrived waits here until the user takes it — a read of the
 * {@code CompletionStage} API, or a {@link FlowEvent.Received} to the registered handler (at once,
 * or per {@link FlowCommand.ResumeReading} in pull mode). Bytes count against the TCP receive
 * window until they are handed over — only then are they {@link dev.vnetif.tcp.Tcb#consumed
 * consumed} — so a reader that does not read closes the window.
 */
final class FlowReceiver {
  private final FlowSide flow;

  /** Created when data has to wait: an idle flow holds none. */
  private ArrayDeque<ByteString> received;

  private ArrayDeque<CompletableFuture<ByteString>> readers;
  private boolean peerFinished;
  private boolean readShutdown;
  private boolean pullMode;
  private boolean resumeRequested;

  FlowReceiver(FlowSide flow) {
    this.flow = flow;
  }

  /** The peer's FIN arrived: no more data will come. */
  boolean peerFinished() {
    return peerFinished;
  }

  /** Reads end with end-of-file from now on, whatever ends the connection later. */
  boolean endOfFile() {
    return peerFinished || readShutdown;
  }

  boolean hasUnread() {
    return received != null && !received.isEmpty();
  }

  void pullMode(boolean pull) {
    this.pullMode = pull;
  }

  // ------------------------------------------------------------ the CompletionStage API

  /** Answers with what is buffered; else at end-of-file; else when data arrives. */
  void read(CompletableFuture<ByteString> promise, boolean ended) {
    if (hasUnread()) {
      flow.complete(promise, takeAll());
    } else if (endOfFile()) {
      flow.complete(promise, ByteString.emptyByteString());
    } else if (ended) {
      flow.handle().answerEndedRead(promise);
    } else {
      if (readers == null) {
        readers = new ArrayDeque<>(2);
      }
      readers.addLast(promise);
    }
  }

  /** shutdown(READ): reads end with end-of-file; what arrives is discarded (RFC 9293 leaves it). */
  void shutdown() {
    readShutdown = true;
    if (hasUnread()) {
      int bytes = 0;
      for (ByteString b : received) {
        bytes += b.length();
      }
      received = null;
      consume(bytes);
    }
    answerReadersWithEndOfFile();
  }

  // ------------------------------------------------------------ the actor protocol

  /** Register: what arrived before is pushed at once, unless in pull mode. */
  void registered() {
    ActorRef<FlowEvent> handler = flow.handler();
    if (!pullMode && hasUnread()) {
      handler.tell(new FlowEvent.Received(takeAll()));
    }
  }

  /** ResumeReading: what is buffered goes out now; else the next arrival does. */
  void resumeReading() {
    ActorRef<FlowEvent> handler = flow.handler();
    if (handler == null || !pullMode) {
      return;
    }
    if (hasUnread()) {
      handler.tell(new FlowEvent.Received(takeAll()));
    } else {
      resumeRequested = true;
    }
  }

  // ------------------------------------------------------------ Tcb events

  void dataReceived(ByteString data) {
    ActorRef<FlowEvent> handler = flow.handler();
    if (readShutdown) {
      consume(data.length()); // discarded, and the window stays open
    } else if (handler != null && (!pullMode || resumeRequested)) {
      resumeRequested = false;
      handler.tell(new FlowEvent.Received(data));
      consume(data.length());
    } else if (readers != null && !readers.isEmpty() && !hasUnread()) {
      flow.complete(readers.pollFirst(), data);
      consume(data.length());
    } else {
      if (received == null) {
        received = new ArrayDeque<>(4);
      }
      received.addLast(data);
    }
  }

  /** The peer's FIN arrived after all its data (the Tcb's PeerFinished). */
  void peerSentFin() {
    peerFinished = true;
    answerReadersWithEndOfFile();
  }

  /** The connection ended: waiting readers get what an ended flow answers. */
  void closed() {
    if (readers != null) {
      for (CompletableFuture<ByteString> r : readers) {
        flow.handle().answerEndedRead(r);
      }
      readers = null;
    }
  }

  private void answerReadersWithEndOfFile() {
    if (readers != null) {
      for (CompletableFuture<ByteString> r : readers) {
        flow.complete(r, ByteString.emptyByteString()); // after the data completed before it
      }
      readers = null;
    }
  }

  /** Everything queued, as one ByteString (a rope: no copy), consumed from the window. */
  private ByteString takeAll() {
    ByteString all = received.pollFirst();
    while (!received.isEmpty()) {
      all = all.concat(received.pollFirst());
    }
    received = null;
    consume(all.length());
    return all;
  }

  /** Opens the window by what the user took; a closed Tcb has no window to open. */
  private void consume(int bytes) {
    if (bytes > 0 && flow.tcb().state() != TcpState.CLOSED) {
      flow.tcb().consumed(bytes, flow.now());
    }
  }
}
