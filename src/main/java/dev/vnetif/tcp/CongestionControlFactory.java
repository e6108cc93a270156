package dev.vnetif.tcp;

import java.util.Locale;

/**
 * Makes the {@link CongestionControl} of a new connection once its send MSS is known. {@link
 * #CUBIC} is the default, as on Linux; {@link #NEW_RENO} stays selectable.
 */
@FunctionalInterface
public interface CongestionControlFactory {
  CongestionControl create(int smss, int initialWindowBytes);

  /** RFC 5681 + RFC 6582. */
  CongestionControlFactory NEW_RENO = NewReno::new;

  /** RFC 9438, with HyStart++ (RFC 9406) for the initial slow start. */
  CongestionControlFactory CUBIC = Cubic::new;

  /**
   * The factory the configuration names: {@code "cubic"} or {@code "newreno"}, in any case.
   *
   * @throws IllegalArgumentException for any other name, with the name in the message
   */
  static CongestionControlFactory named(String name) {
    return switch (name.strip().toLowerCase(Locale.ROOT)) {
      case "cubic" -> CUBIC;
      case "newreno" -> NEW_RENO;
      default ->
          throw new IllegalArgumentException(
              "unknown congestion control '" + name + "', expected cubic or newreno");
    };
  }
}
