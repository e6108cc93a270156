package dev.vnetif.stack;

import dev.vnetif.tcp.Tcb;
import dev.vnetif.tcp.TcbEvent;
import dev.vnetif.tcp.TcbOutput;
import dev.vnetif.tcp.TcpConfig;
import dev.vnetif.tcp.TcpState;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;

/**
 * A flow's sides without an actor: an ESTABLISHED Tcb (active open from port 49152, ISS 1000; the
 * peer's ISS 20000, window 64000, MSS 1460), a fixed clock, and the events the Tcb emitted, which
 * the test hands to the side under test as the actor would.
 */
final class FlowSideFixture implements FlowSide, TcbOutput {
  static final int ISS = 1000;
  static final int PEER_ISS = 20_000;
  final List<TcbEvent> events = new ArrayList<>();
  final List<TcpSegment> segments = new ArrayList<>();
  final FlowHandle handle =
      new FlowHandle(
          null, Ipv4Address.of("10.0.0.2"), new FlowKey(Ipv4Address.of("10.0.0.3"), 80, 49152));
  final Tcb tcb;
  ActorRef<FlowEvent> handler;
  long now = 1_000_000_000L;

  FlowSideFixture(int sendBuffer) {
    TcpConfig config = TcpConfig.defaults().withBuffers(64_000, sendBuffer).withNagle(false);
    tcb = Tcb.connect(config, 49152, 80, ISS, this, now);
    peer(
        TcpSegment.of(80, 49152, PEER_ISS, ISS + 1, TcpSegment.SYN | TcpSegment.ACK, 64_000)
            .withOptions(TcpOptions.NONE.withMss(1460)));
    if (tcb.state() != TcpState.ESTABLISHED) {
      throw new IllegalStateException("fixture not established: " + tcb.state());
    }
    events.clear();
    segments.clear();
  }

  /** The peer's segment arrives. */
  void peer(TcpSegment segment) {
    tcb.segmentArrived(segment, now);
  }

  /** The peer acknowledges the first {@code bytes} bytes we sent. */
  void peerAcks(int bytes) {
    peer(TcpSegment.of(80, 49152, PEER_ISS + 1, ISS + 1 + bytes, TcpSegment.ACK, 64_000));
  }

  /** The peer sends {@code text} at {@code offset} of its stream. */
  void peerSends(int offset, String text) {
    peer(
        TcpSegment.of(80, 49152, PEER_ISS + 1 + offset, ISS + 1, TcpSegment.ACK, 64_000)
            .withPayload(ByteString.fromString(text)));
  }

  /** The events emitted since the last call. */
  List<TcbEvent> takeEvents() {
    List<TcbEvent> taken = new ArrayList<>(events);
    events.clear();
    return taken;
  }

  @Override
  public Tcb tcb() {
    return tcb;
  }

  @Override
  public long now() {
    return now;
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
  public <T> void complete(java.util.concurrent.CompletableFuture<T> promise, T value) {
    promise.complete(value); // no segments batch here: at once
  }

  @Override
  public void fail(java.util.concurrent.CompletableFuture<?> promise, Throwable why) {
    promise.completeExceptionally(why);
  }

  @Override
  public void segment(TcpSegment segment) {
    segments.add(segment);
  }

  @Override
  public void event(TcbEvent event) {
    events.add(event);
  }
}
