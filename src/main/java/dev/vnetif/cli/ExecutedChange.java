package dev.vnetif.cli;

/**
 * A scheduled change as it went: when it was planned, when it started and when the network had
 * carried it out, in nanoseconds from the scenario's time zero.
 *
 * @param startedNanos null when it never ran (the traffic had ended first)
 * @param doneNanos null when it never ran
 * @param error why it failed, or null
 */
record ExecutedChange(ScheduledChange change, Long startedNanos, Long doneNanos, String error) {

  static ExecutedChange notRun(ScheduledChange change) {
    return new ExecutedChange(change, null, null, null);
  }

  boolean ran() {
    return startedNanos != null;
  }
}
