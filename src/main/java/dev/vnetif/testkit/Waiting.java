package dev.vnetif.testkit;

import dev.vnetif.time.SimulationDeadlockException;
import dev.vnetif.time.VirtualTime;
import dev.vnetif.time.VirtualTimeLimitException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.TestKitSettings;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * How the test kit waits for the network, in the time the network runs in.
 *
 * <p>In virtual time the clock moves only while a thread waits in {@link VirtualTime}: a wait in
 * real time (a {@code TestProbe}'s {@code expectMessage}) would see the frames already due and
 * never one a timer sends, however long it waited. So there every wait goes through {@link
 * VirtualTime#await(CompletionStage, Duration)} on a stage the producer completes when something
 * arrives: the clock jumps from deadline to deadline until it does, or until {@code max} of virtual
 * time has passed, and then stands exactly at the deadline, as a real wait would end. In real time
 * a wait is {@code max} dilated by the TestKit's {@code pekko.actor.testkit.typed.timefactor}, as
 * TestProbe's own. This is the test kit's one reading of the machine's clock: a real-time wait is
 * measured in the test's own real time, whatever clock the network reads (Pekko's manual time
 * included).
 */
abstract class Waiting {

  /** Something to take items from: at once, or waiting in real time. */
  interface Source<T> {
    /** The next item if one is there, else null, without waiting. */
    T poll();

    /** The next item, waiting up to {@code timeout} of real time; null if none came. */
    T poll(Duration timeout);
  }

  /**
   * The producer's signal that an item arrived. A waiter arms it before it looks at the source, so
   * an item that comes between the look and the wait still ends the wait.
   */
  static final class Arrivals {
    private final AtomicReference<CompletableFuture<Void>> next =
        new AtomicReference<>(new CompletableFuture<>());

    /** Called by the producer after it made an item available. */
    void signal() {
      next.get().complete(null);
    }

    CompletableFuture<Void> arm() {
      CompletableFuture<Void> armed = new CompletableFuture<>();
      next.set(armed);
      return armed;
    }
  }

  /** Waits in the time of {@code system}: virtual when it has {@link VirtualTime}, else real. */
  static Waiting of(ActorSystem<?> system) {
    return VirtualTime.find(system)
        .<Waiting>map(Virtual::new)
        .orElseGet(() -> new Real(TestKitSettings.create(system)));
  }

  abstract boolean isVirtual();

  /** Now, in nanoseconds of this kind of time (for deadlines and relative timestamps). */
  abstract long now();

  /** The instant {@code max} from now. */
  abstract long deadline(Duration max);

  /** The next item of {@code source}, or null once {@code deadline} has passed without one. */
  abstract <T> T next(Source<T> source, Arrivals arrivals, long deadline);

  /** The stage's value, waiting at most {@code max}; fails with an {@link AssertionError} after. */
  abstract <T> T await(CompletionStage<T> stage, Duration max, String what);

  /** "3s of virtual time" or "3s", for messages. */
  abstract String describe(Duration max);

  static String format(Duration d) {
    return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
  }

  private static final class Virtual extends Waiting {
    private final VirtualTime time;

    Virtual(VirtualTime time) {
      this.time = time;
    }

    @Override
    boolean isVirtual() {
      return true;
    }

    @Override
    long now() {
      return time.now().toNanos();
    }

    @Override
    long deadline(Duration max) {
      return now() + max.toNanos();
    }

    @Override
    <T> T next(Source<T> source, Arrivals arrivals, long deadline) {
      while (true) {
        CompletableFuture<Void> arrived = arrivals.arm();
        // What is due now runs first: a frame told to a probe is in its queue only after that.
        time.runUntilIdle();
        T item = source.poll();
        if (item != null) {
          return item;
        }
        long left = deadline - now();
        if (left <= 0) {
          return null;
        }
        try {
          time.await(arrived, Duration.ofNanos(left));
        } catch (SimulationDeadlockException e) {
          // Nothing is scheduled and nobody but this thread could add work: nothing will come.
          return endAt(source, deadline);
        } catch (CompletionException e) {
          if (!(e.getCause() instanceof VirtualTimeLimitException)) {
            throw e;
          }
          return endAt(source, deadline);
        }
      }
    }

    /** Ends the wait exactly at {@code deadline}, as a real wait would. */
    private <T> T endAt(Source<T> source, long deadline) {
      long left = deadline - now();
      if (left > 0) {
        time.advance(Duration.ofNanos(left));
      }
      return source.poll();
    }

    @Override
    <T> T await(CompletionStage<T> stage, Duration max, String what) {
      try {
        return time.await(stage, max);
      } catch (CompletionException e) {
        // Only the wait's own limit: a stage that failed with a timeout of its own is its failure.
        if (e.getCause() instanceof VirtualTimeLimitException) {
          throw new AssertionError(what + " did not complete within " + describe(max), e);
        }
        throw e;
      }
    }

    @Override
    String describe(Duration max) {
      return format(max) + " of virtual time";
    }
  }

  private static final class Real extends Waiting {
    private final TestKitSettings settings;

    Real(TestKitSettings settings) {
      this.settings = settings;
    }

    @Override
    boolean isVirtual() {
      return false;
    }

    @Override
    long now() {
      return System.nanoTime();
    }

    @Override
    long deadline(Duration max) {
      return now() + settings.dilated(max).toNanos();
    }

    @Override
    <T> T next(Source<T> source, Arrivals arrivals, long deadline) {
      T item = source.poll();
      if (item != null) {
        return item;
      }
      long left = deadline - now();
      return left <= 0 ? null : source.poll(Duration.ofNanos(left));
    }

    @Override
    <T> T await(CompletionStage<T> stage, Duration max, String what) {
      Duration dilated = settings.dilated(max);
      try {
        return stage.toCompletableFuture().get(dilated.toNanos(), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        throw new AssertionError(what + " did not complete within " + describe(dilated), e);
      } catch (ExecutionException e) {
        throw new CompletionException(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CompletionException(e);
      }
    }

    @Override
    String describe(Duration max) {
      return format(max);
    }
  }
}
