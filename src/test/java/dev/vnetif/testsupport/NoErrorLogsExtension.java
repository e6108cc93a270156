package dev.vnetif.testsupport;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registered for every test of the suite (JUnit's extension auto-detection, see {@code
 * junit-platform.properties}): fails a test during which anything was logged at ERROR — an actor
 * that threw, a supervisor that restarted or stopped an actor, a dead end in our code — unless the
 * test is annotated {@link AllowErrorLogs}. Errors logged between tests (in {@code @AfterAll}, by
 * an actor system shutting down) fail the class.
 */
public final class NoErrorLogsExtension
    implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {

  @Override
  public void beforeAll(ExtensionContext context) {
    ErrorLogRecorder.drain();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    check(context, "before the test, in the class's set-up or a previous test's tail");
  }

  @Override
  public void afterEach(ExtensionContext context) {
    check(context, "during the test");
  }

  @Override
  public void afterAll(ExtensionContext context) {
    check(context, "after the last test of the class");
  }

  private static void check(ExtensionContext context, String when) {
    List<String> errors = ErrorLogRecorder.drain();
    if (errors.isEmpty() || allowed(context)) {
      return;
    }
    throw new AssertionError(
        errors.size()
            + " ERROR log event(s) "
            + when
            + " ("
            + context.getDisplayName()
            + "); an actor of ours must never crash or log ERROR:\n"
            + String.join("\n", errors));
  }

  private static boolean allowed(ExtensionContext context) {
    for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
      if (c.getElement().map(e -> e.isAnnotationPresent(AllowErrorLogs.class)).orElse(false)) {
        return true;
      }
    }
    return false;
  }
}
