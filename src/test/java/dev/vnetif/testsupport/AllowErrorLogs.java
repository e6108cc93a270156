package dev.vnetif.testsupport;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Lets a test log at ERROR on purpose (for example to prove that a failing user callback is
 * logged). {@link #value} says why; without this annotation {@link NoErrorLogsExtension} fails
 * every test during which anything was logged at ERROR.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface AllowErrorLogs {
  /** Why this test expects ERROR logs. */
  String value();
}
