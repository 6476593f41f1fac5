package dev.numpack.internal.store;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test case of the storage engine: a fresh {@link EngineStore} in {@code dir/store} before each test,
 * with {@code dir} for files outside the store (link targets, second names, escapes).
 */
abstract class EngineStoreCase {
    @TempDir
    Path dir;

    EngineStore s;

    @BeforeEach
    void newStore() {
        s = new EngineStore(dir.resolve("store"));
    }
}
