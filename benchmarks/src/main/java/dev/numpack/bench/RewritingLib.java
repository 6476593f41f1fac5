package dev.numpack.bench;

import dev.numpack.NdArray;
import java.io.IOException;

/**
 * A peer that cannot change its file in place: replace and append load the whole array, change it and save it
 * (what its users do, and what NumPack's published table does for NPY), and truncating saves the initial array.
 * The README's tables say so ("replace/append by rewrite").
 */
abstract class RewritingLib extends Lib {
    /** The array the benchmark started from. */
    final NdArray initial;

    RewritingLib(String name, NdArray initial) {
        super(name);
        this.initial = initial;
    }

    @Override
    final void replace(long[] indices, NdArray rows) throws IOException {
        rewriteReplace(indices, rows);
    }

    @Override
    final void append(NdArray rows) throws IOException {
        rewriteAppend(rows);
    }

    @Override
    final void truncateToInitial() throws IOException {
        save(initial);
    }
}
