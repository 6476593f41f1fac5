package dev.numpack.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The single-file array peers, by their {@code @Param} name: plain NumPy files and HDF5.
 *
 * <ul>
 *   <li>{@code npy-jetbrains}: {@link NpyJetBrainsLib}, {@code org.jetbrains.bio:npy}: full load, save,
 *       replace and append by rewrite.
 *   <li>{@code npy-djl}: {@link NpyDjlLib}, DJL's NDList NPZ codec on PyTorch: full load, save, replace and
 *       append by rewrite (needs {@code -Dai.djl.offline=true}).
 *   <li>{@code hdf5-jhdf}: {@link Hdf5JhdfLib}, jHDF: full load, lazy open, gather, stream, save, replace
 *       and append by rewrite.
 * </ul>
 */
final class NpyPeers {
    static final Map<String, Libs.Factory> FACTORIES = new LinkedHashMap<>();

    static {
        FACTORIES.put("npy-jetbrains", NpyJetBrainsLib::new);
        FACTORIES.put("npy-djl", NpyDjlLib::new);
        FACTORIES.put("hdf5-jhdf", Hdf5JhdfLib::new);
    }

    private NpyPeers() {
    }
}
