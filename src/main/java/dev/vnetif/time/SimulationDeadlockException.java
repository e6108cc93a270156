package dev.vnetif.time;

import java.time.Duration;

/**
 * A wait in virtual time that can never end: the awaited stage is incomplete, no actor has mail and
 * nothing is scheduled. The message names the virtual time and what is still open (madsim reports
 * the same way, rather than hanging the test).
 */
public final class SimulationDeadlockException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final transient Duration at;

  public SimulationDeadlockException(String message, Duration at) {
    super(message);
    this.at = at;
  }

  /** The virtual time at which the simulation stalled. */
  public Duration at() {
    return at;
  }
}
