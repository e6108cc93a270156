package dev.vnetif.testkit;

import com.typesafe.config.Config;
import dev.vnetif.VirtualNetwork;
import dev.vnetif.time.VirtualTime;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.platform.commons.support.AnnotationSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JUnit 5 extension that gives every test a fresh {@link VirtualNetwork}, optionally in virtual
 * time, and makes a failure replayable.
 *
 * <pre>{@code
 * @VnetifTest(virtualTime = true)            // or @ExtendWith(VnetifExtension.class)
 * class HandshakeTest {
 *   @Test
 *   void connects(VirtualNetwork net, VirtualTime time, SwitchProbe probe) {
 *     Stack a = time.await(net.createStack("10.0.0.2/24"));
 *     ...
 *   }
 * }
 * }</pre>
 *
 * <p><b>Parameters.</b> Test methods and {@code @BeforeEach}/{@code @AfterEach} methods may take a
 * {@link VirtualNetwork} (one per test, the same object to all of the test's methods), a {@link
 * SwitchProbe} on it, a {@link VirtualTime} (only with {@code @VnetifTest(virtualTime = true)}),
 * and the {@link ActorSystem} and {@link ActorTestKit} the network runs on.
 *
 * <p><b>The actor system.</b> If the test instance has a field annotated with Pekko's {@link
 * JUnit5TestKit} (Pekko's {@code TestKitJUnit5Extension}), the network runs on that test kit, and
 * Pekko's extension shuts it down; with {@code virtualTime = true} that test kit must have been
 * built with {@code VirtualTime.config()}. Otherwise the extension creates one test kit per test
 * class (from {@code application-test.conf}, with {@code VirtualTime.config()} in front when
 * virtual), and shuts it down after the class's last test.
 *
 * <p><b>The seed.</b> {@code -Dvnetif.seed=N} (a system property or JUnit configuration parameter)
 * wins over {@link VnetifTest#seed()}, which wins over the config's {@code vnetif.seed}. When a
 * test fails, its exception gets a suppressed note naming the seed, how to replay it and where the
 * capture is, and the same is logged at WARN.
 *
 * <p><b>The capture.</b> Every test's network is recorded from its creation to a temporary pcap.
 * After the test the network is shut down (each wait bounded); if the test failed the capture is
 * kept as {@code target/vnetif-pcap/<TestClass>/<testMethod>.pcap} (the directory is the
 * configuration parameter {@code vnetif.pcap.dir}), otherwise it is deleted.
 */
public final class VnetifExtension
    implements ParameterResolver,
        AfterEachCallback,
        AfterAllCallback,
        TestExecutionExceptionHandler,
        LifecycleMethodExecutionExceptionHandler {

  /** The system property / configuration parameter that overrides every test's seed. */
  public static final String SEED_PROPERTY = "vnetif.seed";

  /** The configuration parameter naming where failed tests' captures go. */
  public static final String PCAP_DIR_PROPERTY = "vnetif.pcap.dir";

  /** Where failed tests' captures go unless {@link #PCAP_DIR_PROPERTY} says otherwise. */
  public static final String DEFAULT_PCAP_DIR = "target/vnetif-pcap";

  private static final Logger LOG = LoggerFactory.getLogger(VnetifExtension.class);
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(VnetifExtension.class);
  private static final String NETWORK = "network";

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == VirtualNetwork.class
        || type == SwitchProbe.class
        || type == VirtualTime.class
        || type == ActorSystem.class
        || type == ActorTestKit.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    if (type == ActorTestKit.class) {
      return testKit(context);
    }
    if (type == ActorSystem.class) {
      return testKit(context).system();
    }
    if (type == VirtualTime.class) {
      return VirtualTime.find(testKit(context).system())
          .orElseThrow(
              () ->
                  new ParameterResolutionException(
                      "a VirtualTime parameter needs @VnetifTest(virtualTime = true) on "
                          + context.getDisplayName()));
    }
    TestNetwork network = network(context);
    return type == SwitchProbe.class ? network.newProbe() : network.net;
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    throw withReplayNote(context, failure);
  }

  @Override
  public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    throw withReplayNote(context, failure);
  }

  @Override
  public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    throw withReplayNote(context, failure);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    TestNetwork network = context.getStore(NAMESPACE).remove(NETWORK, TestNetwork.class);
    if (network == null) {
      return;
    }
    Optional<Throwable> failure = context.getExecutionException();
    Path keep = failure.isPresent() ? capturePath(context) : null;
    try {
      network.finish(keep);
    } finally {
      failure.ifPresent(
          f -> {
            context.publishReportEntry("vnetif.seed", Long.toString(network.seed));
            LOG.warn("{} failed: {}", context.getDisplayName(), note(context, network.seed));
          });
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    // The test kits this extension made for the class; one given by Pekko's extension is its own.
    for (boolean virtual : new boolean[] {false, true}) {
      OwnedTestKit owned =
          context.getStore(NAMESPACE).remove(testKitKey(virtual), OwnedTestKit.class);
      if (owned != null) {
        owned.close();
      }
    }
  }

  /** The test's network, created on first use. */
  private TestNetwork network(ExtensionContext context) {
    if (context.getTestMethod().isEmpty()) {
      throw new ParameterResolutionException(
          "a VirtualNetwork exists per test: ask for it in a test, @BeforeEach or @AfterEach"
              + " method, not in "
              + context.getDisplayName());
    }
    return context
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            NETWORK, key -> TestNetwork.start(testKit(context), seed(context)), TestNetwork.class);
  }

  /** The user's {@code @JUnit5TestKit}, or the one this extension keeps for the test class. */
  private ActorTestKit testKit(ExtensionContext context) {
    boolean virtual = settings(context).virtualTime();
    Optional<ActorTestKit> users = usersTestKit(context);
    if (users.isPresent()) {
      if (virtual && VirtualTime.find(users.get().system()).isEmpty()) {
        throw new ExtensionConfigurationException(
            "@VnetifTest(virtualTime = true), but the @JUnit5TestKit of "
                + context.getRequiredTestClass().getName()
                + " runs in real time: build it with new JUnit5TestKitBuilder()"
                + ".withCustomConfig(VirtualTime.config().withFallback(...))");
      }
      return users.get();
    }
    ExtensionContext classContext = classContext(context);
    return classContext
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            testKitKey(virtual),
            key -> OwnedTestKit.create(classContext.getRequiredTestClass(), virtual),
            OwnedTestKit.class)
        .testKit();
  }

  private static Optional<ActorTestKit> usersTestKit(ExtensionContext context) {
    Optional<Object> instance = context.getTestInstance();
    if (instance.isEmpty()) {
      return Optional.empty();
    }
    for (Field field :
        AnnotationSupport.findAnnotatedFields(
            instance.get().getClass(), JUnit5TestKit.class, f -> true)) {
      if (ActorTestKit.class.isAssignableFrom(field.getType())) {
        try {
          field.setAccessible(true);
          return Optional.ofNullable((ActorTestKit) field.get(instance.get()));
        } catch (ReflectiveOperationException | RuntimeException e) {
          throw new ExtensionConfigurationException(
              "cannot read the @JUnit5TestKit field " + field.getName(), e);
        }
      }
    }
    return Optional.empty();
  }

  private static ExtensionContext classContext(ExtensionContext context) {
    ExtensionContext c = context;
    while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
      c = c.getParent().get();
    }
    return c;
  }

  private static String testKitKey(boolean virtual) {
    return virtual ? "testkit-virtual" : "testkit-real";
  }

  /** The method's {@link VnetifTest}, else the nearest class's, else the defaults. */
  static VnetifTest settings(ExtensionContext context) {
    Optional<VnetifTest> onMethod =
        context.getTestMethod().flatMap(m -> AnnotationSupport.findAnnotation(m, VnetifTest.class));
    if (onMethod.isPresent()) {
      return onMethod.get();
    }
    for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
      Optional<VnetifTest> onClass =
          c.getTestClass().flatMap(k -> AnnotationSupport.findAnnotation(k, VnetifTest.class));
      if (onClass.isPresent()) {
        return onClass.get();
      }
    }
    return Defaults.class.getAnnotation(VnetifTest.class);
  }

  @VnetifTest
  private static final class Defaults {}

  /** The seed: {@code vnetif.seed} property, else the annotation's, else the config's. */
  private long seed(ExtensionContext context) {
    Optional<String> property = context.getConfigurationParameter(SEED_PROPERTY);
    if (property.isPresent()) {
      try {
        return Long.parseLong(property.get().trim());
      } catch (NumberFormatException e) {
        throw new ExtensionConfigurationException(
            SEED_PROPERTY + " must be a long, got \"" + property.get() + "\"", e);
      }
    }
    long annotated = settings(context).seed();
    if (annotated != VnetifTest.CONFIGURED_SEED) {
      return annotated;
    }
    Config config = testKit(context).system().settings().config();
    return config.getLong("vnetif.seed");
  }

  /** target/vnetif-pcap/&lt;TestClass&gt;/&lt;testMethod&gt;.pcap for this test. */
  static Path capturePath(ExtensionContext context) {
    Path dir =
        Path.of(context.getConfigurationParameter(PCAP_DIR_PROPERTY).orElse(DEFAULT_PCAP_DIR));
    Class<?> testClass = context.getRequiredTestClass();
    String className = testClass.getName().substring(testClass.getName().lastIndexOf('.') + 1);
    String method = context.getTestMethod().map(Method::getName).orElse("class");
    // A repeated or parameterized test runs the method several times: one file per invocation.
    String uniqueId = context.getUniqueId();
    int invocation = uniqueId.lastIndexOf("-invocation:#");
    if (invocation >= 0) {
      method += "-" + uniqueId.substring(invocation + 13).replace("]", "");
    }
    return dir.resolve(className).resolve(method + ".pcap");
  }

  private Throwable withReplayNote(ExtensionContext context, Throwable failure) {
    TestNetwork network = context.getStore(NAMESPACE).get(NETWORK, TestNetwork.class);
    if (network != null) {
      failure.addSuppressed(new ReplayNote(note(context, network.seed)));
    }
    return failure;
  }

  private static String note(ExtensionContext context, long seed) {
    return "vnetif seed "
        + seed
        + " (replay: -D"
        + SEED_PROPERTY
        + "="
        + seed
        + " or @VnetifTest(seed = "
        + seed
        + "L)); the test's capture: "
        + capturePath(context);
  }

  /** The seed and capture of a failed test, added to its exception as a suppressed one. */
  static final class ReplayNote extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ReplayNote(String message) {
      super(message, null, false, false);
    }

    @Override
    public String toString() {
      return getMessage();
    }
  }

  /** A test kit this extension made, shut down with its class (also if JUnit closes the store). */
  private record OwnedTestKit(ActorTestKit testKit) implements AutoCloseable {
    static OwnedTestKit create(Class<?> testClass, boolean virtual) {
      String name = testClass.getSimpleName().replaceAll("[^A-Za-z0-9_-]", "-");
      Config config = ActorTestKit.applicationTestConfig();
      if (virtual) {
        config = VirtualTime.config().withFallback(config);
      }
      return new OwnedTestKit(ActorTestKit.create(name.isEmpty() ? "vnetif" : name, config));
    }

    @Override
    public void close() {
      testKit.shutdownTestKit();
    }
  }
}
