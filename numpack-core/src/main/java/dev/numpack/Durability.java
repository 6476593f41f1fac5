package dev.numpack;

/** How far an acknowledged change is guaranteed to survive. */
public enum Durability {
    /**
     * The default. Every acknowledged operation has been fsynced (its files and their directory): it
     * survives a killed process and a power loss.
     */
    FSYNC,
    /**
     * No fsync, for speed. Operations are still atomic and survive a killed process ({@code kill -9}:
     * the kernel keeps the written pages), but a power loss or kernel crash may lose recent operations
     * or, on file systems that reorder writes, leave a store that needs its journal discarded.
     */
    NO_FSYNC
}
