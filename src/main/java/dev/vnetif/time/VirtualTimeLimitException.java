package dev.vnetif.time;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * {@link VirtualTime#await(java.util.concurrent.CompletionStage, Duration)} gave up: the stage was
 * not complete when its limit of virtual time had passed. A {@link TimeoutException}, of its own
 * type so that it is not mistaken for a stage that itself failed with a timeout (a ping, a read).
 */
public final class VirtualTimeLimitException extends TimeoutException {
  private static final long serialVersionUID = 1L;

  private final transient Duration limit;

  public VirtualTimeLimitException(String message, Duration limit) {
    super(message);
    this.limit = limit;
  }

  /** The virtual time the wait was allowed. */
  public Duration limit() {
    return limit;
  }
}
