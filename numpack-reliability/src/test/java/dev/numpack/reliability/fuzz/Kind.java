package dev.numpack.reliability.fuzz;

/** The kinds of damage the fuzzer does: to a store's files, or to an input file the store imports. */
enum Kind {
    /** A field of a {@code metadata.npkm} record (or of its header) set to an edge value. */
    META_FIELD(true),
    /** {@code metadata.npkm} bytes flipped, cut, inserted or appended. */
    META_BYTES(true),
    /** A deletion bitmap's header, words or length. */
    BITMAP(true),
    /** A segment manifest's JSON: counts, paths, structure, bytes. */
    MANIFEST(true),
    /** A segment file or a plain data file: cut, grown, flipped, removed. */
    DATA_FILE(true),
    /** A committed journal with a valid checksum whose actions are hostile. */
    JOURNAL(true),
    /** Two of the store's files swapped. */
    SWAP(true),
    /** A file replaced by a symbolic link (outside, dangling, looping, to a directory). */
    SYMLINK(true),
    /** A file replaced by a named pipe. */
    FIFO(true),
    /** A file grown to a huge sparse size. */
    SPARSE(true),
    /** A file replaced by a directory. */
    DIRECTORY(true),
    /** A damaged {@code .npy} input. */
    NPY(false),
    /** A damaged {@code .npz} input. */
    NPZ(false),
    /** A damaged IDX input. */
    IDX(false);

    final boolean store;

    Kind(boolean store) {
        this.store = store;
    }

    /**
     * @param index a case's number
     * @return its kind: round robin over all kinds, so that every kind gets the same share of a run
     */
    static Kind ofCase(long index) {
        Kind[] all = values();
        return all[(int) Math.floorMod(index, (long) all.length)];
    }
}
