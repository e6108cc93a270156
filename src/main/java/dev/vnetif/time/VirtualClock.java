package dev.vnetif.time;

import dev.vnetif.link.NetworkClock;

/** The network clock of a simulation: the {@link VirtualTimeScheduler}'s time, nothing else. */
final class VirtualClock implements NetworkClock {
  private final VirtualTimeScheduler scheduler;

  VirtualClock(VirtualTimeScheduler scheduler) {
    this.scheduler = scheduler;
  }

  @Override
  public long nanoTime() {
    return scheduler.nanoTime();
  }

  @Override
  public long epochNanos() {
    return scheduler.epochNanos();
  }

  @Override
  public String toString() {
    return "VirtualClock[" + scheduler.nanoTime() + " ns]";
  }
}
