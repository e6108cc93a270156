package dev.vnetif.stack;

/**
 * A value an actor's setup needs once (the SYN a listener accepted, the asker of a connect). Pekko
 * keeps an actor's initial behavior, and with it everything its {@code Behaviors.setup} lambda
 * captured, for as long as the actor lives; capturing this holder instead, emptied by {@link
 * #take}, spares every idle connection about 100 bytes (the SYN with its options, the connect's
 * promise and answer).
 */
final class OneShot<T> {
  private T value;

  OneShot(T value) {
    this.value = value;
  }

  /** The value, the first time; null after. */
  T take() {
    T taken = value;
    value = null;
    return taken;
  }
}
