package dev.numpack.internal.store;

import dev.numpack.ArrayNotFoundException;
import dev.numpack.CorruptStoreException;
import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * The mapping cache of an open store: its published committed snapshot together with the mappings made of
 * it, so that a view pairs every entry with that entry's own files.
 *
 * <p>Of the durability contract this keeps the reading side of "no in-place overwrite of mapped content
 * by save or compaction" and the read-only stores' "one consistent snapshot". A commit publishes a new
 * snapshot that keeps the mappings of the arrays it left unchanged; a view opened earlier keeps its
 * mapping, so it reads the old files, which the commit renamed away but did not overwrite. A writable
 * store maps an array when it is first read, under {@link CommitRunner#readPublished} (never while a commit
 * renames files under the published records); a read-only store maps every array when it reads its
 * snapshot ({@link SnapshotReader}) and never afterwards, because a file mapped later could be one a newer
 * commit renamed into place.
 */
public final class MappedArrays {
    private final StoreLayout layout;
    private final boolean readOnly;
    private volatile MappedSnapshot view;
    private boolean released; // guarded by this: the read-only snapshot's channels are closed

    /**
     * @param layout the store's files
     * @param readOnly whether the store is read-only (every array was mapped with the snapshot)
     * @param first the snapshot the store opened with
     */
    MappedArrays(StoreLayout layout, boolean readOnly, MappedSnapshot first) {
        this.layout = layout;
        this.readOnly = readOnly;
        this.view = first;
    }

    /** @return the published committed state */
    public StoreSnapshot snapshot() {
        return view.snap;
    }

    /**
     * The published entry of an array with its mapping, as one consistent pair. In a writable store, call
     * it through {@link CommitRunner#readPublished}, which keeps commits from renaming files meanwhile.
     *
     * @param name array
     * @return the entry and its mapping
     * @throws ArrayNotFoundException if there is no such array
     * @throws CorruptStoreException naming the store and the array, if its files are damaged
     */
    public MappedArray mapped(String name) {
        MappedSnapshot v = view;
        ArrayEntry e = ArrayEntry.requireReadable(layout.root(), name, v.snap.get(name));
        if (!readOnly) {
            return v.maps.computeIfAbsent(name, n -> new MappedArray(e, map(e, FileChannel.MapMode.READ_ONLY)));
        }
        MappedArray m = v.maps.get(name);
        if (m == null || m.entry() != e) {
            throw new CorruptStoreException(layout.root(), name, "not mapped in this snapshot");
        }
        return m;
    }

    /**
     * The mapping of a committed entry, for the write path (under the commit's write lock, so no commit
     * renames files meanwhile): the cached one when it is of this entry, else a new one.
     *
     * @param e the entry
     * @return its mapping
     */
    public ArrayData mapped(ArrayEntry e) {
        MappedArray m = view.maps.get(e.name());
        return m != null && m.entry() == e ? m.data() : map(e, FileChannel.MapMode.READ_ONLY);
    }

    /**
     * @param e the entry
     * @return a copy-on-write mapping of its files, for a writable batch (not cached)
     */
    public ArrayData mapPrivate(ArrayEntry e) {
        return map(e, FileChannel.MapMode.PRIVATE);
    }

    private ArrayData map(ArrayEntry e, FileChannel.MapMode mode) {
        try {
            return ArrayData.map(layout, e, mode);
        } catch (IOException ex) {
            throw new CorruptStoreException(layout.root(), e.name(), "cannot map data: " + ex.getMessage(), ex);
        }
    }

    /**
     * Publishes the snapshot a commit made; called while the commit holds the apply lock, so no reader maps a
     * file in between.
     *
     * @param next the new committed state
     */
    void publish(StoreSnapshot next) {
        view = view.next(next);
    }

    /**
     * Installs a read-only store's newer snapshot and closes the old one's channels (views of it read from
     * their mappings).
     *
     * @param fresh the newer snapshot, every array mapped
     * @return {@code false}, with {@code fresh}'s channels closed, when {@link #release} came first
     */
    synchronized boolean install(MappedSnapshot fresh) {
        if (released) {
            fresh.closeReaders();
            return false;
        }
        MappedSnapshot old = view;
        view = fresh;
        old.closeReaders();
        return true;
    }

    /** Closes the channels a read-only snapshot keeps for positional reads, at close; installs fail after. */
    synchronized void release() {
        released = true;
        view.closeReaders();
    }
}
