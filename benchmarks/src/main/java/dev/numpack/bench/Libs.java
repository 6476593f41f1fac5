package dev.numpack.bench;

import dev.numpack.Durability;
import dev.numpack.NdArray;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Every {@code lib} a benchmark accepts, by its {@code @Param} name. */
final class Libs {
    /** Makes a lib holding {@code initial} on disk, in an empty scratch directory it owns. */
    interface Factory {
        Lib create(String name, Path dir, NdArray initial) throws IOException;
    }

    static final Map<String, Factory> ALL = new LinkedHashMap<>();

    static {
        ALL.put("numpack", (n, d, a) -> new NumPackLib(n, d, a, Durability.FSYNC));
        ALL.put("numpack-nofsync", (n, d, a) -> new NumPackLib(n, d, a, Durability.NO_FSYNC));
        ALL.put("numpack-reuse", (n, d, a) -> new NumPackLib(n, d, a, Durability.FSYNC, true));
        ALL.put("filechannel", (n, d, a) -> new FileChannelLib(n, d, a, false));
        ALL.put("filechannel-fsync", (n, d, a) -> new FileChannelLib(n, d, a, true));
        ALL.put("mmap", (n, d, a) -> new MmapLib(n, d, a, false));
        ALL.put("mmap-fsync", (n, d, a) -> new MmapLib(n, d, a, true));
        ALL.putAll(NpyPeers.FACTORIES);
        ALL.putAll(ColumnarPeers.FACTORIES);
    }

    private Libs() {
    }

    /**
     * @param name a key of {@link #ALL}
     * @param dir an empty scratch directory the lib owns
     * @param initial the array to start from
     * @return the lib, holding {@code initial} on disk
     * @throws IllegalArgumentException for an unknown name
     */
    static Lib create(String name, Path dir, NdArray initial) throws IOException {
        Factory f = ALL.get(name);
        if (f == null) {
            throw new IllegalArgumentException("unknown lib '" + name + "', expected one of " + ALL.keySet());
        }
        return f.create(name, dir, initial);
    }
}
