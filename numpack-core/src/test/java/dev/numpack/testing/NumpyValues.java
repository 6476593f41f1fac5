package dev.numpack.testing;

/**
 * Python source shared by the interop generators: {@code names}, the 14 NumPack dtypes by NumPy name, and
 * {@code values(name, shape)}, random values of a dtype over its whole range drawn from {@code rng}, which
 * the generator defines first.
 */
public final class NumpyValues {
    private NumpyValues() {}

    /** The definitions, as lines of Python. */
    public static final String DEFINITIONS = String.join("\n",
            "names = ['bool', 'uint8', 'uint16', 'uint32', 'uint64', 'int8', 'int16', 'int32', 'int64',",
            "         'float16', 'float32', 'float64', 'complex64', 'complex128']",
            "def values(name, shape):",
            "    dt = np.dtype(name)",
            "    if dt.kind == 'b':",
            "        return np.asarray(rng.integers(0, 2, size=shape)).astype(bool)",
            "    if dt.kind in 'iu':",
            "        info = np.iinfo(dt)",
            "        return np.asarray(rng.integers(info.min, info.max, size=shape, dtype=dt, endpoint=True))",
            "    if dt.kind == 'f':",
            "        return np.asarray(rng.standard_normal(shape) * 1000).astype(dt)",
            "    re, im = rng.standard_normal(shape) * 1000, rng.standard_normal(shape) * 1000",
            "    return np.asarray(re + 1j * im).astype(dt)");
}
