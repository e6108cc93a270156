package dev.vnetif;

import dev.vnetif.link.NetworkClock;
import dev.vnetif.time.VirtualTime;
import java.lang.reflect.Method;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Which clock a network on an actor system reads: the simulation's in virtual time ({@link
 * VirtualTime#config()}), Pekko's manual time when the system runs on {@code ManualTime.config()}
 * (so timers and the clock the stack reads agree as the test moves time), else real time.
 */
final class NetworkClocks {
  private NetworkClocks() {}

  static NetworkClock of(ActorSystem<?> system) {
    return VirtualTime.find(system).map(VirtualTime::clock).orElseGet(() -> manualOrReal(system));
  }

  private static NetworkClock manualOrReal(ActorSystem<?> system) {
    Scheduler scheduler = system.classicSystem().scheduler();
    // Pekko's ExplicitlyTriggeredScheduler lives in the test kit, which the library does not
    // depend on; it exposes its time as currentTimeMs(), which is all we need of it.
    try {
      Method currentTimeMs = scheduler.getClass().getMethod("currentTimeMs");
      if (currentTimeMs.getReturnType() == long.class) {
        return new ManualClock(scheduler, currentTimeMs);
      }
    } catch (NoSuchMethodException e) {
      // a real scheduler
    }
    return NetworkClock.system();
  }

  /** Reads a manual scheduler's milliseconds; its wall clock starts at the Unix epoch. */
  private static final class ManualClock implements NetworkClock {
    private final Scheduler scheduler;
    private final Method currentTimeMs;

    ManualClock(Scheduler scheduler, Method currentTimeMs) {
      this.scheduler = scheduler;
      this.currentTimeMs = currentTimeMs;
    }

    @Override
    public long nanoTime() {
      try {
        return (long) currentTimeMs.invoke(scheduler) * 1_000_000L;
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot read the manual scheduler's time", e);
      }
    }

    @Override
    public long epochNanos() {
      return nanoTime();
    }
  }
}
