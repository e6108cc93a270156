package dev.vnetif.time;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread every actor of a simulation runs on, and the judge of "idle".
 *
 * <p>Tasks run one at a time in the order they were submitted, so with the same inputs the actors
 * see the same interleaving every run. The executor counts tasks submitted and not yet finished: a
 * count of zero means no actor has mail (a dispatcher submits a mailbox whenever it gets a message)
 * and nothing is running, which is when the {@link VirtualTimeScheduler} may move the clock. A
 * thread pool's own view ({@code ForkJoinPool.isQuiescent}) is not enough for that: it does not see
 * a task that is about to be submitted by one that just finished, while this count never drops to
 * zero before a running task's submissions are counted.
 */
final class SimulationExecutor extends AbstractExecutorService {
  private static final Logger LOG = LoggerFactory.getLogger(SimulationExecutor.class);

  private final Object lock = new Object();
  private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
  private final Thread thread;

  /** Submitted and not yet finished (queued + running). Guarded by {@link #lock}. */
  private long outstanding;

  private long completed;
  private boolean shutdown;

  /**
   * Called on the simulation thread, with no lock held, each time it goes idle; returns true when
   * it gave the simulation more work (moved the clock to the next deadline for a waiting caller),
   * so the waiters need not be woken. Keeping the clock moving on this thread, instead of handing
   * every instant to the waiting thread and back, saves two thread switches per virtual instant.
   */
  private volatile java.util.function.BooleanSupplier idleHook;

  SimulationExecutor(ThreadFactory threads) {
    this.thread = threads.newThread(this::runLoop);
    thread.setName("vnetif-simulation");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void execute(Runnable task) {
    if (task == null) {
      throw new NullPointerException("task");
    }
    synchronized (lock) {
      if (shutdown) {
        // The actor system is terminating and closed its scheduler first: a late message has no
        // one to run for. Dropping it quietly is what a terminated dispatcher does too.
        LOG.debug("task submitted after the simulation shut down, dropped: {}", task);
        return;
      }
      boolean wasEmpty = queue.isEmpty();
      queue.addLast(task);
      outstanding++;
      if (wasEmpty) {
        // Only the simulation thread waits for work, and only on an empty queue. Waking the
        // callers waiting for idle on every task would cost them a wake-up per message.
        lock.notifyAll();
      }
    }
  }

  /**
   * Queues {@code tasks} in order as one step: the simulation thread cannot start the first before
   * the last is queued, so what the first queues comes after all of them, whatever the timing.
   */
  void executeAll(java.util.List<Runnable> tasks) {
    synchronized (lock) {
      for (Runnable task : tasks) {
        execute(task);
      }
    }
  }

  void setIdleHook(java.util.function.BooleanSupplier hook) {
    this.idleHook = hook;
  }

  /** Whether the calling thread is the simulation's own: code there is inside the simulation. */
  boolean isSimulationThread() {
    return Thread.currentThread() == thread;
  }

  /** No task queued or running. */
  boolean isIdle() {
    synchronized (lock) {
      return outstanding == 0;
    }
  }

  /** Tasks run to completion since start, for diagnostics. */
  long completedTasks() {
    synchronized (lock) {
      return completed;
    }
  }

  /**
   * Blocks until no task is queued or running, or {@code stop} becomes true (checked whenever a
   * task finishes or {@link #wakeWaiters()} is called). Returns whether the executor is idle.
   */
  boolean awaitIdle(BooleanSupplier stop) throws InterruptedException {
    synchronized (lock) {
      while (outstanding > 0 && !shutdown && !stop.getAsBoolean()) {
        lock.wait(100);
      }
      return outstanding == 0;
    }
  }

  /** Makes {@link #awaitIdle} look at its stop condition again (a stage it waits on completed). */
  void wakeWaiters() {
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  private void runLoop() {
    while (true) {
      Runnable task;
      synchronized (lock) {
        while (queue.isEmpty() && !shutdown) {
          try {
            lock.wait();
          } catch (InterruptedException e) {
            // Only shutdownNow interrupts; the loop ends below once the queue is drained.
          }
        }
        if (queue.isEmpty()) {
          return;
        }
        task = queue.pollFirst();
      }
      try {
        task.run();
      } catch (Throwable t) {
        // A dispatcher's mailbox handles its actor's failures itself; anything reaching here is
        // a bug in a bare task, and must not kill the only thread of the simulation.
        LOG.error("a task of the simulation failed: {}", task, t);
      } finally {
        boolean idle;
        synchronized (lock) {
          outstanding--;
          completed++;
          idle = outstanding == 0;
        }
        if (idle) {
          java.util.function.BooleanSupplier hook = idleHook;
          boolean continued = false;
          try {
            continued = hook != null && hook.getAsBoolean();
          } catch (RuntimeException e) {
            LOG.error("moving the simulation's clock failed", e);
          }
          if (!continued) {
            synchronized (lock) {
              lock.notifyAll();
            }
          }
        }
      }
    }
  }

  @Override
  public void shutdown() {
    synchronized (lock) {
      shutdown = true;
      lock.notifyAll();
    }
  }

  @Override
  public List<Runnable> shutdownNow() {
    synchronized (lock) {
      shutdown = true;
      List<Runnable> pending = List.copyOf(queue);
      outstanding -= queue.size();
      queue.clear();
      lock.notifyAll();
      return pending;
    }
  }

  @Override
  public boolean isShutdown() {
    synchronized (lock) {
      return shutdown;
    }
  }

  @Override
  public boolean isTerminated() {
    return isShutdown() && !thread.isAlive();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    thread.join(Math.max(1, unit.toMillis(timeout)));
    return !thread.isAlive();
  }
}
