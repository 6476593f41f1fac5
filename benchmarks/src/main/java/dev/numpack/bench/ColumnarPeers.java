package dev.numpack.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** Placeholder: the peer libs of this group, by their {@code @Param} name. */
final class ColumnarPeers {
    static final Map<String, Libs.Factory> FACTORIES = new LinkedHashMap<>();

    private ColumnarPeers() {
    }
}
