package dev.vnetif.time;

import com.typesafe.config.Config;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.dispatch.DispatcherPrerequisites;
import org.apache.pekko.dispatch.ExecutorServiceConfigurator;
import org.apache.pekko.dispatch.ExecutorServiceFactory;

/**
 * Puts a Pekko dispatcher on the simulation's thread: the value of a dispatcher's {@code executor}
 * key in {@code VirtualTime.config()}. Every dispatcher so configured shares the one {@link
 * SimulationExecutor} of the system's {@link VirtualTimeScheduler}, so the actors of all of them
 * run one message at a time, in one order.
 */
public final class SimulationExecutorConfigurator extends ExecutorServiceConfigurator {
  private final DispatcherPrerequisites prerequisites;

  public SimulationExecutorConfigurator(Config config, DispatcherPrerequisites prerequisites) {
    super(config, prerequisites);
    this.prerequisites = prerequisites;
  }

  @Override
  public ExecutorServiceFactory createExecutorServiceFactory(String id, ThreadFactory threads) {
    Scheduler scheduler = prerequisites.scheduler();
    if (!(scheduler instanceof VirtualTimeScheduler)) {
      throw new IllegalStateException(
          "dispatcher "
              + id
              + " runs on the simulation, which needs pekko.scheduler.implementation = "
              + VirtualTimeScheduler.class.getName()
              + " (use VirtualTime.config()); the scheduler is "
              + scheduler.getClass().getName());
    }
    SimulationExecutor simulation = ((VirtualTimeScheduler) scheduler).executor();
    return () -> new DispatcherView(simulation);
  }

  /**
   * What one dispatcher sees of the shared executor. A dispatcher shuts its executor down when it
   * has had no actors for a while; that must not stop the simulation the others still run on.
   */
  private static final class DispatcherView extends AbstractExecutorService {
    private final SimulationExecutor simulation;
    private volatile boolean shutdown;

    DispatcherView(SimulationExecutor simulation) {
      this.simulation = simulation;
    }

    @Override
    public void execute(Runnable command) {
      simulation.execute(command);
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
      shutdown = true;
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return shutdown;
    }

    @Override
    public boolean isTerminated() {
      return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return true;
    }
  }
}
