package dev.numpack.cli;

import dev.numpack.NumPack;
import java.nio.file.Path;

/** How the commands open stores. */
final class Stores {
    private Stores() {}

    /** @param path store directory @return the store, read-only (no lock taken) */
    static NumPack readOnly(Path path) {
        return NumPack.openReadOnly(path);
    }

    /** @param path store directory, created if missing @return the store, writable */
    static NumPack createOrOpen(Path path) {
        return NumPack.builder().setPath(path).optCreate(true).build();
    }

    /** @param path an existing store directory @return the store, writable */
    static NumPack existing(Path path) {
        return NumPack.builder().setPath(path).optCreate(false).build();
    }
}
