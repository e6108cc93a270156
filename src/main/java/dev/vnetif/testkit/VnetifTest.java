package dev.vnetif.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Configures {@link VnetifExtension} for a test class or one test method (the method's wins), and
 * registers it: {@code @VnetifTest} alone is enough, {@code @ExtendWith(VnetifExtension.class)}
 * without it means the defaults.
 *
 * <pre>{@code
 * @VnetifTest(virtualTime = true, seed = 42)
 * class KeepaliveTest {
 *   @Test
 *   void probesAfterTwoHours(VirtualNetwork net, VirtualTime time) { ... }
 * }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(VnetifExtension.class)
public @interface VnetifTest {
  /** {@link #seed()}'s default: take {@code vnetif.seed} from the actor system's config. */
  long CONFIGURED_SEED = Long.MIN_VALUE;

  /**
   * Run the network in virtual time ({@link dev.vnetif.time.VirtualTime}): the extension's actor
   * system gets {@code VirtualTime.config()}, and tests can take a {@code VirtualTime} parameter.
   * Off by default.
   */
  boolean virtualTime() default false;

  /**
   * The network's seed. The system property {@code -Dvnetif.seed=N} overrides it, so a failure's
   * seed replays without editing the test; unset, it is the config's {@code vnetif.seed}.
   */
  long seed() default CONFIGURED_SEED;
}
