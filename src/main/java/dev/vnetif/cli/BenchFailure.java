package dev.vnetif.cli;

/** A workload of the bench went wrong: wrong bytes, a failed connection, a missed deadline. */
final class BenchFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  BenchFailure(String message) {
    super(message);
  }

  BenchFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
