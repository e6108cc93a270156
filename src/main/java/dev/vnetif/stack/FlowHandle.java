package dev.vnetif.stack;

import dev.vnetif.link.NetworkClock;
import dev.vnetif.tcp.CloseReason;
import dev.vnetif.tcp.TcbStats;
import dev.vnetif.tcp.TcpState;
import dev.vnetif.wire.Ipv4Address;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the outside holds of one connection: its actor, its two ends, and a snapshot of its state
 * that the actor republishes after every message (so reading it needs no message).
 */
public final class FlowHandle {
  private static final Logger log = LoggerFactory.getLogger(FlowHandle.class);
  private final ActorRef<FlowCommand> ref;
  private final Ipv4Address localAddress;
  private final int localPort;
  private final Ipv4Address remoteAddress;
  private final int remotePort;
  private volatile TcbStats stats;
  private volatile CloseReason closeReason;
  private volatile boolean stopped;

  // TIME_WAIT (issue 8 item 9) is kept by the host, not by the flow: the handle shows it until
  // its 2·MSL deadline by the network's clock, then CLOSED, with no one left to publish that.
  private volatile long timeWaitUntil;
  private volatile NetworkClock timeWaitClock;
  private final Set<Runnable> onStop = ConcurrentHashMap.newKeySet();

  FlowHandle(ActorRef<FlowCommand> ref, Ipv4Address localAddress, FlowKey key) {
    this.ref = ref;
    this.localAddress = localAddress;
    this.localPort = key.localPort();
    this.remoteAddress = key.remoteAddress();
    this.remotePort = key.remotePort();
  }

  public ActorRef<FlowCommand> ref() {
    return ref;
  }

  public Ipv4Address localAddress() {
    return localAddress;
  }

  public int localPort() {
    return localPort;
  }

  public Ipv4Address remoteAddress() {
    return remoteAddress;
  }

  public int remotePort() {
    return remotePort;
  }

  /** The latest published state, or null before the first message was handled. */
  public TcbStats stats() {
    TcbStats latest = stats;
    NetworkClock clock = timeWaitClock;
    if (clock != null
        && latest.state() == TcpState.TIME_WAIT
        && clock.nanoTime() - timeWaitUntil >= 0) {
      return closedAfterTimeWait(latest);
    }
    return latest;
  }

  /** The connection's TIME_WAIT, now the host's, ends at {@code deadline} on {@code clock}. */
  void timeWaitUntil(long deadline, NetworkClock clock) {
    timeWaitUntil = deadline;
    timeWaitClock = clock;
  }

  private static TcbStats closedAfterTimeWait(TcbStats s) {
    return new TcbStats(
        TcpState.CLOSED,
        s.srttNanos(),
        s.rttvarNanos(),
        s.rtoNanos(),
        s.cwnd(),
        s.ssthresh(),
        s.sendWindow(),
        s.receiveWindow(),
        s.sendMss(),
        s.bytesSent(),
        s.bytesAcked(),
        s.bytesReceived(),
        s.segmentsSent(),
        s.segmentsReceived(),
        s.retransmittedSegments(),
        s.fastRetransmits(),
        s.timeouts(),
        s.challengeAcks(),
        s.zeroWindowProbes(),
        s.keepaliveProbes());
  }

  /** Why the connection ended, or null while it has not. */
  public CloseReason closeReason() {
    return closeReason;
  }

  void publish(TcbStats latest) {
    stats = latest;
  }

  void closed(CloseReason reason) {
    closeReason = reason;
  }

  /** True once the connection's actor has stopped: requests must be answered locally. */
  public boolean isStopped() {
    return stopped;
  }

  void stopped() {
    stopped = true;
    for (Runnable hook : onStop) {
      if (onStop.remove(hook)) {
        runHook(hook);
      }
    }
  }

  /**
   * Runs {@code hook} once the actor has stopped — at once if it already has. A request sent just
   * before the actor stops reaches nobody (it goes to dead letters), so whoever waits for an answer
   * also waits for this. Returns what forgets the hook once the answer came, so a long-lived flow
   * does not collect one per request.
   */
  public Runnable whenStopped(Runnable hook) {
    onStop.add(hook);
    if (stopped && onStop.remove(hook)) {
      runHook(hook);
    }
    return () -> onStop.remove(hook);
  }

  /** One failing hook must not leave the others' stages pending. */
  private void runHook(Runnable hook) {
    try {
      hook.run();
    } catch (RuntimeException e) {
      log.warn("{}: a stop hook failed", this, e);
    }
  }

  /** "10.0.0.2:49152 -> 10.0.0.3:80", as every error message names the flow. */
  @Override
  public String toString() {
    return localAddress + ":" + localPort + " -> " + remoteAddress + ":" + remotePort;
  }
}
