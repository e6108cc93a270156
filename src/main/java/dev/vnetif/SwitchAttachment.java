package dev.vnetif;

/**
 * Anything attached to a port of a network's switch — a {@link Stack}, a {@link RawPort}, an {@link
 * ExternalPort} — so that link conditions, partitions and holds ({@link VirtualNetwork}) can name
 * it.
 */
public interface SwitchAttachment {

  /** The switch port it is attached to. */
  int switchPort();
}
