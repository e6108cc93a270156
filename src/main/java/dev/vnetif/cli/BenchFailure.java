package dev.vnetif.cli;

/**
 * A workload of the bench went wrong on one side: wrong bytes, a failed connection, a missed
 * deadline, a resource the side ran out of. The bench reports it in that side's column ({@link
 * #summary}) and goes on with the other side and the other workloads.
 */
final class BenchFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A few words for the table's column, e.g. "too many open files at 3,982"; null: the message. */
  private final String summary;

  BenchFailure(String message) {
    this(message, null, null);
  }

  BenchFailure(String message, Throwable cause) {
    this(message, cause, null);
  }

  BenchFailure(String message, Throwable cause, String summary) {
    super(message, cause);
    this.summary = summary;
  }

  /** What the table says in the side's column. */
  String summary() {
    if (summary != null) {
      return summary;
    }
    String m = getMessage();
    return m.length() <= 60 ? m : m.substring(0, 57) + "...";
  }

  /**
   * The failure as a user would name it: "too many open files" when the operating system ran out of
   * file descriptors anywhere in the cause chain, otherwise the innermost cause's class and
   * message.
   */
  static String reason(Throwable error) {
    Throwable innermost = error;
    for (Throwable t = error; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && m.contains("Too many open files")) {
        return "too many open files";
      }
      innermost = t;
    }
    String m = innermost.getMessage();
    String text =
        innermost instanceof BenchFailure
            ? m
            : innermost.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    return text.length() <= 50 ? text : text.substring(0, 47) + "...";
  }
}
