package dev.vnetif;

/** Identifies a listener added with {@link VirtualNetwork#addListener}. */
public record TapId(long value) {}
