package dev.vnetif;

import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.Ipv4Cidr;
import java.util.Optional;

/**
 * How to build one host: its address and prefix, an optional gateway, MTU and checksum offload.
 * Start with {@link #of(String)} and refine with the {@code with...} methods; unset values come
 * from the network's {@link NetworkConfig}.
 */
public final class StackConfig {
  private final Ipv4Cidr cidr;
  private final Ipv4Address gateway;
  private final Integer mtu;
  private final Boolean checksumOffload;
  private final String name;

  private StackConfig(
      Ipv4Cidr cidr, Ipv4Address gateway, Integer mtu, Boolean checksumOffload, String name) {
    this.cidr = cidr;
    this.gateway = gateway;
    this.mtu = mtu;
    this.checksumOffload = checksumOffload;
    this.name = name;
  }

  /**
   * A host at {@code cidr}, e.g. {@code "10.0.0.2/24"}.
   *
   * @throws IllegalArgumentException naming the value when it is not a valid IPv4 CIDR
   */
  public static StackConfig of(String cidr) {
    return new StackConfig(Ipv4Cidr.parse(cidr), null, null, null, null);
  }

  /**
   * Off-link destinations go through {@code gateway}, which must be on the host's network.
   *
   * @throws IllegalArgumentException naming the value when it is not an address on the network
   */
  public StackConfig withGateway(String gatewayAddress) {
    Ipv4Address gw = Ipv4Address.of(gatewayAddress);
    if (!cidr.contains(gw)) {
      throw new IllegalArgumentException(
          "gateway " + gatewayAddress + " is not on the host's network " + cidr);
    }
    return new StackConfig(cidr, gw, mtu, checksumOffload, name);
  }

  /**
   * @throws IllegalArgumentException when {@code value} is outside 68..65535
   */
  public StackConfig withMtu(int value) {
    if (value < 68 || value > 65535) {
      throw new IllegalArgumentException("mtu must be within 68..65535, got " + value);
    }
    return new StackConfig(cidr, gateway, value, checksumOffload, name);
  }

  public StackConfig withChecksumOffload(boolean offload) {
    return new StackConfig(cidr, gateway, mtu, offload, name);
  }

  /** A label used in logs, switch port names and tap frames (default: the address). */
  public StackConfig withName(String label) {
    if (label == null || label.isBlank()) {
      throw new IllegalArgumentException("name must not be blank, got '" + label + "'");
    }
    return new StackConfig(cidr, gateway, mtu, checksumOffload, label);
  }

  public Ipv4Cidr cidr() {
    return cidr;
  }

  public Optional<Ipv4Address> gateway() {
    return Optional.ofNullable(gateway);
  }

  public Optional<Integer> mtu() {
    return Optional.ofNullable(mtu);
  }

  public Optional<Boolean> checksumOffload() {
    return Optional.ofNullable(checksumOffload);
  }

  public String name() {
    return name != null ? name : cidr.address().toString();
  }

  @Override
  public String toString() {
    return "StackConfig["
        + cidr
        + (gateway != null ? " via " + gateway : "")
        + (mtu != null ? " mtu " + mtu : "")
        + "]";
  }
}
