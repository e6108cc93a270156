package dev.vnetif;

import java.time.Duration;
import java.util.function.Predicate;

/**
 * mirage-tcpip's test backends ({@code test/vnetif_backends.ml}) as ready {@link LinkConditions},
 * so a test suite written against mirage's can run the same scenarios here. Get it from {@link
 * LinkConditions#mirage()}.
 */
public final class MirageBackends {
  static final MirageBackends INSTANCE = new MirageBackends();

  /** mirage's trailing-bytes count: it appends 0 to 9 bytes at random; we always append 9. */
  public static final int TRAILING_BYTES = 9;

  private static final Predicate<Frame> NO_PAYLOAD = MirageBackends::carriesNoPayload;

  private MirageBackends() {}

  /** mirage's {@code Basic}: every frame delivered unmodified. */
  public LinkConditions basic() {
    return LinkConditions.none();
  }

  /**
   * mirage's {@code Trailing_bytes}: garbage bytes after every frame, which a stack must ignore
   * (the IP total length says where the datagram ends). mirage appends a random 0 to 9 zero bytes;
   * we append {@value #TRAILING_BYTES} random bytes to every frame, the worst of its cases.
   */
  public LinkConditions trailingBytes() {
    return LinkConditions.none().trailingBytes(TRAILING_BYTES);
  }

  /** mirage's {@code Uniform_packet_loss} with probability {@code p}: {@code loss random p}. */
  public LinkConditions uniformLoss(double p) {
    return LinkConditions.none().loss(p);
  }

  /** mirage's {@code Uniform_packet_loss}: 1% of frames lost. */
  public LinkConditions uniformLoss() {
    return uniformLoss(0.01);
  }

  /**
   * mirage's {@code Uniform_no_payload_packet_loss} with probability {@code p}: frames that carry
   * no TCP or UDP payload (pure ACKs, SYN, FIN, RST, ARP, ICMP, anything that does not parse) are
   * lost with probability {@code p}; frames with payload always pass. mirage guesses "no payload"
   * from a size of at most 100 bytes; we parse the frame.
   */
  public LinkConditions uniformNoPayloadLoss(double p) {
    return LinkConditions.none()
        .loss(LossModel.random(p), NO_PAYLOAD, "frames without TCP/UDP payload");
  }

  /** mirage's {@code Uniform_no_payload_packet_loss}: 10% of the frames without payload lost. */
  public LinkConditions uniformNoPayloadLoss() {
    return uniformNoPayloadLoss(0.10);
  }

  /**
   * mirage's {@code Drop_1_second_after_1_megabyte}: once more than 1,000,000 bytes went through,
   * every frame is dropped for one second, then all pass again.
   */
  public LinkConditions dropOneSecondAfterOneMegabyte() {
    return LinkConditions.none().dropAfter(1_000_000, Duration.ofSeconds(1));
  }

  private static boolean carriesNoPayload(Frame frame) {
    boolean tcpPayload = frame.tcp().map(s -> !s.payload().isEmpty()).orElse(false);
    return !tcpPayload && !frame.udp().map(d -> !d.payload().isEmpty()).orElse(false);
  }
}
