package dev.vnetif.tcp;

import dev.vnetif.tcp.TcbTimers.Kind;

/**
 * Keepalive (RFC 1122 §4.2.3.6): after the connection was idle for "after", probe every "interval";
 * after the configured number of unanswered probes the peer is gone. Owns the keepalive timer; the
 * {@link Tcb} sends the probes and closes the connection. Made only for a connection configured
 * with keepalive, so the others carry none of it.
 */
final class Keepalive {
  /** What an expired keepalive timer calls for. */
  enum Action {
    /** Data is outstanding: the retransmission timer watches the peer already. */
    WAIT,
    /** Send a probe. */
    PROBE,
    /** The probes went unanswered: the peer is gone. */
    GIVE_UP
  }

  private final KeepaliveSettings settings;
  private final TcbTimers timers;

  /** Probes sent since the peer was last heard from. */
  private int unanswered;

  private boolean everProbed;
  private long lastProbeNanos;

  Keepalive(KeepaliveSettings settings, TcbTimers timers) {
    this.settings = settings;
    this.timers = timers;
  }

  /** A segment arrived from the peer: it is alive, and the idle time starts over if connected. */
  void heardFromPeer(long now, boolean connected) {
    unanswered = 0;
    if (connected) {
      arm(now);
    }
  }

  /** Idle for "after", but never probing more often than every "interval". */
  void arm(long now) {
    long at =
        Math.max(
            now + settings.afterNanos(),
            everProbed ? lastProbeNanos + settings.intervalNanos() : now);
    timers.arm(Kind.KEEPALIVE, at);
  }

  /**
   * The keepalive timer expired on an idle connection; {@code dataOutstanding} says whether the
   * peer owes an ACK for data. A probe is counted as sent when {@link Action#PROBE} is returned.
   */
  Action onTimeout(long now, boolean dataOutstanding) {
    if (dataOutstanding) {
      timers.arm(Kind.KEEPALIVE, now + settings.intervalNanos());
      return Action.WAIT;
    }
    if (unanswered >= settings.probes()) {
      return Action.GIVE_UP;
    }
    unanswered++;
    everProbed = true;
    lastProbeNanos = now;
    timers.arm(Kind.KEEPALIVE, now + settings.intervalNanos());
    return Action.PROBE;
  }
}
