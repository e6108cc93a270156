package dev.vnetif.time;

/** Defaults of virtual time not worth a config key of their own. */
final class VirtualTimeSettings {
  /**
   * Where the wall clock of a simulation starts when {@code vnetif.virtual-time.epoch} is not set.
   * Fixed, so that two runs write byte-identical captures, timestamps included.
   */
  static final String DEFAULT_EPOCH = "2026-01-01T00:00:00Z";

  private VirtualTimeSettings() {}
}
