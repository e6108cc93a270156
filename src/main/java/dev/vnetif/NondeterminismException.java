package dev.vnetif;

/**
 * Two runs of one scenario with one seed differed ({@link DeterminismCheck}): something in it reads
 * the wall clock, draws from an unseeded random source, or depends on thread timing. The message
 * names the seed and the first frame that differs.
 */
public final class NondeterminismException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public NondeterminismException(String message) {
    super(message);
  }
}
