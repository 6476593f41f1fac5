package dev.numpack.bench;

import dev.numpack.NdArray;
import java.io.IOException;

/**
 * A peer that cannot change its file in place, and keeps arrays in a form of its own ({@code float[]},
 * {@code float[][]}, tensors, record batches).
 *
 * <p>Replace and append load the whole array, change it and save it (what its users do, and what NumPack's
 * published table does for NPY); truncating saves the initial array. The README's tables say so ("replace/append
 * by rewrite").
 *
 * <p>Save writes the library's form: {@link #prepareSave} converts the benchmark's array once, untimed, as the
 * library's users hold their data in that form already; any other array (a rewrite's) is converted inside the
 * timed save and freed after it.
 *
 * @param <F> the library's in-memory form of an array
 */
abstract class RewritingLib<F> extends Lib {
    /** The array the benchmark started from. */
    final NdArray initial;
    private NdArray preparedFor; // the array prepareSave converted ...
    private F prepared; // ... into this form

    RewritingLib(String name, NdArray initial) {
        super(name);
        this.initial = initial;
    }

    /** @return {@code whole} in the library's in-memory form */
    abstract F toForm(NdArray whole) throws IOException;

    /** Writes {@code form} (of {@code whole}) as the new file, replacing the old one. */
    abstract void write(NdArray whole, F form) throws IOException;

    /** Frees a form that holds native memory; the default leaves it to the garbage collector. */
    void free(F form) {
        // heap arrays
    }

    @Override
    final void prepareSave(NdArray whole) throws IOException {
        freePrepared();
        prepared = toForm(whole);
        preparedFor = whole;
    }

    @Override
    final void save(NdArray whole) throws IOException {
        if (whole == preparedFor) {
            write(whole, prepared);
            return;
        }
        F form = toForm(whole);
        try {
            write(whole, form);
        } finally {
            free(form);
        }
    }

    /** Frees the form {@link #prepareSave} made (call from {@code close}). */
    final void freePrepared() {
        if (prepared != null) {
            free(prepared);
        }
        prepared = null;
        preparedFor = null;
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
