package dev.vnetif.tcp;

/**
 * Makes the {@link CongestionControl} of a new connection once its send MSS is known. {@link
 * #NEW_RENO} is the default; CUBIC (RFC 9438) and others plug in here.
 */
@FunctionalInterface
public interface CongestionControlFactory {
  CongestionControl create(int smss, int initialWindowBytes);

  /** RFC 5681 + RFC 6582. */
  CongestionControlFactory NEW_RENO = NewReno::new;
}
