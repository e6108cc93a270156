package dev.vnetif.stack;

import dev.vnetif.link.NetworkClock;
import dev.vnetif.tcp.TcbTimers;
import java.time.Duration;
import java.util.Arrays;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * A flow's scheduler timers: one per kind of {@link TcbTimers} deadline, each delivering a shared
 * {@link FlowInternal.TimerFired} tick. The Tcb's deadlines move on almost every ACK; a timer is
 * only set again when its deadline moved earlier, so a deadline that moved later keeps the earlier
 * timer, which finds nothing due and is set again — cheaper than rescheduling on every ACK.
 */
final class FlowTimers {
  /** How long a closed flow keeps answering late requests before it stops. */
  static final Duration LINGER = Duration.ofSeconds(2);

  private static final TcbTimers.Kind[] KINDS = TcbTimers.Kind.values();
  private static final FlowInternal.TimerFired[] TICKS = new FlowInternal.TimerFired[KINDS.length];

  static {
    for (TcbTimers.Kind kind : KINDS) {
      TICKS[kind.ordinal()] = new FlowInternal.TimerFired(kind);
    }
  }

  private final TimerScheduler<FlowCommand> scheduler;

  /** When each kind's timer is set to fire, or {@link TcbTimers#OFF}. */
  private final long[] scheduled = new long[KINDS.length];

  FlowTimers(TimerScheduler<FlowCommand> scheduler) {
    this.scheduler = scheduler;
    Arrays.fill(scheduled, TcbTimers.OFF);
  }

  /** The tick of {@code kind} arrived: that timer is no longer set. */
  void fired(TcbTimers.Kind kind) {
    scheduled[kind.ordinal()] = TcbTimers.OFF;
  }

  /** Sets the timers the Tcb's {@code deadlines} need; reads the clock only if one must be set. */
  void follow(TcbTimers deadlines, NetworkClock clock) {
    long now = 0;
    boolean haveNow = false;
    for (TcbTimers.Kind kind : KINDS) {
      long due = deadlines.deadline(kind);
      int k = kind.ordinal();
      if (due != TcbTimers.OFF && (scheduled[k] == TcbTimers.OFF || due - scheduled[k] < 0)) {
        if (!haveNow) {
          now = clock.nanoTime();
          haveNow = true;
        }
        scheduler.startSingleTimer(kind, TICKS[k], Duration.ofNanos(Math.max(0, due - now)));
        scheduled[k] = due;
      }
    }
  }

  /** Another {@link #LINGER} before the actor stops. */
  void lingerAgain() {
    scheduler.startSingleTimer("linger", FlowInternal.LINGER, LINGER);
  }

  /** The connection ended: no deadline of its Tcb matters any more; stop after {@link #LINGER}. */
  void cancelAllThenLinger() {
    for (TcbTimers.Kind kind : KINDS) {
      scheduler.cancel(kind);
    }
    scheduler.startSingleTimer("linger", FlowInternal.LINGER, LINGER);
  }
}
