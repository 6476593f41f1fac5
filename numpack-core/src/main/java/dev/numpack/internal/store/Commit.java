package dev.numpack.internal.store;

import dev.numpack.CorruptStoreException;
import dev.numpack.InvalidArgumentException;
import dev.numpack.StoreIOException;

import dev.numpack.internal.RowChecks;
import dev.numpack.internal.format.AppendLogCodec;
import dev.numpack.internal.format.ArrayRecord;
import dev.numpack.DType;
import dev.numpack.internal.format.DeletionBitmap;
import dev.numpack.internal.format.JournalCodec.Action;
import dev.numpack.internal.format.MetadataCodec;
import dev.numpack.internal.format.SegmentManifest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One atomic change of a store under construction: operations stage new files and journal actions, and
 * {@link #run()} commits them all through the journal or, on failure, removes what was staged. The
 * committed snapshot is not touched until the commit succeeds.
 */
public final class Commit {
    private final StoreContext ctx;
    private final StoreSnapshot base;
    private final Map<String, ArrayEntry> next;
    private final List<Action> actions = new ArrayList<>();
    private final List<DataWriter.Prepared> prepared = new ArrayList<>();
    private final SyncGroup syncs; // new files' fsyncs, started as each is written, awaited before the commit point
    private final Map<Path, Long> truncateOnFailure = new LinkedHashMap<>();
    private final long now;
    private boolean newNames; // staging created a name in the store directory
    private long inPlaceLeft = ChangedRows.MAX_IN_PLACE_BYTES; // what batch saves may still write in place
    private final java.util.Set<String> checkedFiles = new java.util.HashSet<>(); // checked for in-place writes
    private final List<AppendLogCodec.Entry> logged = new ArrayList<>(); // appends staged for the append log
    private final java.util.Set<String> loggedNames = new java.util.HashSet<>();
    private final java.util.Set<Path> syncedInPlace = new java.util.HashSet<>(); // appendInPlace's files
    private final Map<String, Long> loggedEnds = new LinkedHashMap<>(); // committed ends of files stageLogged wrote past

    public Commit(StoreContext ctx, StoreSnapshot base) {
        this.ctx = ctx;
        this.base = base;
        this.next = new LinkedHashMap<>(base.arrays());
        this.now = ctx.nextMicros();
        this.syncs = new SyncGroup(ctx.ops);
    }

    public ArrayEntry current(String name) {
        return next.get(name);
    }

    /** @return what batch saves of this commit may still write in place (see {@link ChangedRows}) */
    public long inPlaceLeft() {
        return inPlaceLeft;
    }

    /** @param bytes taken from {@link #inPlaceLeft()} */
    public void chargeInPlace(long bytes) {
        inPlaceLeft -= bytes;
    }

    /** @return the array's committed entry when this commit has not staged anything for it yet, else null */
    public ArrayEntry untouched(String name) {
        ArrayEntry e = next.get(name);
        return e != null && e == base.get(name) ? e : null;
    }

    /** Stages a whole new array (or a replacement of any dtype or shape). */
    public void save(String name, DType dtype, long[] shape, RowSource rows) throws IOException {
        if (shape.length > MetadataCodec.MAX_NDIM) { // a .npy header may hold more; the metadata would be refused on reading
            throw new InvalidArgumentException(ctx.root(), name, "shape of " + shape.length + " dimensions: a store "
                    + "holds at most " + MetadataCodec.MAX_NDIM + "; nothing changed");
        }
        RowChecks.shapeBytes(ctx.root(), name, dtype.itemSize(), dtype.numpyName(), shape); // a shape the metadata codec would refuse on reading
        ArrayEntry old = next.get(name);
        if (old != null && old.problem() != null) {
            dropBroken(old);
            old = null;
        }
        DataWriter.Prepared p = new DataWriter(ctx, syncs).write(name, rows, old, base.get(name));
        prepared.add(p);
        actions.addAll(p.actions);
        if (old != null && old.bitmap() != null) {
            actions.add(Action.delete(StoreLayout.bitmapFile(name)));
        }
        next.put(name, new ArrayEntry(ArrayRecord.plain(name, shape, p.dataFile, dtype, now), p.manifest, null));
    }

    /** Stages rows appended at the end (written beyond the committed end, invisible until commit). */
    public void append(String name, RowSource rows) throws IOException {
        ArrayEntry e = next.get(name);
        long rb = e.record().rowBytes();
        long add = rows.rows();
        // refused before a byte is staged: a wrapped row count would commit metadata the store then refuses
        long[] shape = RowChecks.appended(ctx.root(), name, e.record().dtype().itemSize(),
                e.record().dtype().numpyName(), e.record().shape(), add);
        if (stageLogged(name, e, rows, shape)) {
            return;
        }
        SegmentManifest manifest = e.manifest();
        if (manifest == null) {
            Path file = ctx.layout.resolve(e.record().dataFile(), name);
            writeAt(file, e.record().sizeBytes(), rows, 0, add);
        } else {
            manifest = appendSegments(name, e, rows);
        }
        DeletionBitmap bm = e.bitmap() == null ? null : e.bitmap().extendedBy(add);
        next.put(name, new ArrayEntry(e.record().with(shape, e.record().dataFile(), now), manifest, bm));
    }

    /**
     * An append the append log can commit: a small one to a plain array whose files this commit has not
     * changed otherwise. Its rows go past the committed end of the data file now (not fsynced: the log's
     * record carries them too); {@link #run} writes the record, or, when the commit holds more than such
     * appends, fsyncs the data file and commits the metadata.
     *
     * @return whether the append was staged so
     */
    private boolean stageLogged(String name, ArrayEntry e, RowSource rows, long[] shape) throws IOException {
        AppendLog log = ctx.appendLog;
        long n = rows.rows();
        long rb = e.record().rowBytes();
        if (log == null || n <= 0 || !AppendLog.loggable(e) || n > AppendLog.MAX_RECORD_BYTES / rb
                || (untouched(name) == null && !loggedNames.contains(name))) {
            return false;
        }
        FileChannel ch = log.dataChannel(e.record().dataFile(), name);
        if (ch == null) {
            return false;
        }
        ByteBuffer bytes = rows.view(0, n);
        if (bytes == null) {
            bytes = ByteBuffer.allocate((int) (n * rb)).order(ByteOrder.LITTLE_ENDIAN);
            rows.copy(0, n, bytes);
            bytes.flip();
        }
        loggedEnds.putIfAbsent(e.record().dataFile(), e.record().sizeBytes()); // a rollback cuts the rows off again
        FileOps.writeFully(ch, bytes.duplicate(), e.record().sizeBytes());
        // with fsync the record carries the rows (one fsync makes them durable); without, the page cache
        // holds the data file's copy through a killed process, so the record needs only their checksum
        logged.add(ctx.ops.durable() ? new AppendLogCodec.Entry(name, e.physicalRows(), n, bytes)
                : AppendLogCodec.Entry.inDataFile(name, e.physicalRows(), n, bytes));
        loggedNames.add(name);
        next.put(name, new ArrayEntry(e.record().with(shape, e.record().dataFile(), now), null, null));
        return true;
    }

    /**
     * Stages rows that already lie past the array's committed end in its data file (the append log's
     * recovery checked them): only the shape grows; the file is fsynced before the commit point.
     *
     * @param name a plain array
     * @param add rows
     * @throws IOException if the file cannot be opened
     */
    void appendInPlace(String name, long add) throws IOException {
        ArrayEntry e = next.get(name);
        long[] shape = RowChecks.appended(ctx.root(), name, e.record().dtype().itemSize(),
                e.record().dtype().numpyName(), e.record().shape(), add);
        Path file = ctx.layout.resolve(e.record().dataFile(), name);
        if (syncedInPlace.add(file)) {
            syncs.add(FileChannel.open(file, StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS), file);
        }
        next.put(name, new ArrayEntry(e.record().with(shape, e.record().dataFile(), now), null, null));
    }

    /** @return whether this commit holds nothing but appends staged for the append log */
    private boolean onlyLogged() {
        if (logged.isEmpty() || !actions.isEmpty() || !prepared.isEmpty() || newNames || !truncateOnFailure.isEmpty()
                || next.size() != base.arrays().size()) {
            return false;
        }
        for (Map.Entry<String, ArrayEntry> en : next.entrySet()) {
            ArrayEntry e = en.getValue();
            if (base.get(en.getKey()) != e && (!loggedNames.contains(en.getKey()) || !AppendLog.loggable(e))) {
                return false;
            }
        }
        return true;
    }

    private SegmentManifest appendSegments(String name, ArrayEntry e, RowSource rows) throws IOException {
        long rb = e.record().rowBytes();
        DataWriter writer = new DataWriter(ctx, syncs);
        long rowsPer = writer.rowsPerSegment(rb);
        List<SegmentManifest.Segment> segs = new ArrayList<>(e.manifest().segments());
        long done = 0;
        if (!segs.isEmpty()) {
            SegmentManifest.Segment last = segs.get(segs.size() - 1);
            long fit = Math.min(rows.rows(), Math.max(0, rowsPer - last.rows()));
            if (fit > 0) {
                writeAt(ctx.layout.resolve(last.file(), name), last.bytes(), rows, 0, fit);
                segs.set(segs.size() - 1, new SegmentManifest.Segment(last.file(), last.rows() + fit, last.bytes() + fit * rb));
                done = fit;
            }
        }
        java.util.Set<String> taken = DataWriter.referencedSegments(e);
        taken.addAll(DataWriter.referencedSegments(base.get(name)));
        DataWriter.Prepared p = new DataWriter.Prepared();
        prepared.add(p); // before writing: a failure halfway leaves files that the rollback must find
        segs.addAll(writer.writeSegments(name, rows, done, segs.size(), taken, p));
        return new SegmentManifest(segs);
    }

    /** Writes rows into an existing file at {@code offset}, beyond its committed content. */
    private void writeAt(Path file, long offset, RowSource rows, long first, long count) throws IOException {
        String bad = ctx.layout.inPlaceWriteProblem(file);
        if (bad != null) {
            throw new CorruptStoreException(ctx.root(), null, ctx.root().relativize(file) + " " + bad);
        }
        if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            newNames = true; // an empty array may have no data file (NumPack 0.7 accepts that)
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (!truncateOnFailure.containsKey(file)) {
                truncateOnFailure.put(file, offset);
            }
            if (ch.size() > offset) {
                // leftover of an append that crashed before its commit: nobody maps beyond the committed end
                ch.truncate(offset);
            }
            DataWriter.appendRows(ch, offset, rows, first, count);
            ctx.ops.syncFile(ch, file);
        }
    }

    /** Stages an in-place overwrite of rows (redo-logged in the journal, so it is all-or-nothing). */
    public void replace(String name, long[] physicalRows, RowSource rows) {
        ArrayEntry e = next.get(name);
        long rb = e.record().rowBytes();
        if (rb == 0) {
            return;
        }
        int i = 0;
        while (i < physicalRows.length) {
            long start = physicalRows[i];
            int j = i + 1;
            while (j < physicalRows.length && physicalRows[j] == physicalRows[j - 1] + 1
                    && sameFile(e, start, physicalRows[j])) {
                j++;
            }
            ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact((j - i) * rb)).order(ByteOrder.LITTLE_ENDIAN);
            rows.copy(i, j - i, buf);
            buf.flip();
            String[] file = new String[1];
            long offset = locate(e, start, file);
            if (checkedFiles.add(file[0])) {
                String bad = ctx.layout.inPlaceWriteProblem(ctx.layout.path(file[0]));
                if (bad != null) {
                    throw new CorruptStoreException(ctx.root(), name, file[0] + " " + bad);
                }
            }
            actions.add(Action.pwrite(file[0], offset, buf));
            i = j;
        }
        // the record is unchanged: rows replaced in place leave the metadata (and last_modified) as it was
    }

    private static boolean sameFile(ArrayEntry e, long a, long b) {
        if (e.manifest() == null) {
            return true;
        }
        String[] fa = new String[1];
        String[] fb = new String[1];
        locate(e, a, fa);
        locate(e, b, fb);
        return fa[0].equals(fb[0]);
    }

    /** @return the byte offset of a physical row in its file, whose name goes to {@code file[0]} */
    private static long locate(ArrayEntry e, long row, String[] file) {
        long rb = e.record().rowBytes();
        if (e.manifest() == null) {
            file[0] = e.record().dataFile();
            return row * rb;
        }
        long start = 0;
        for (SegmentManifest.Segment s : e.manifest().segments()) {
            if (row < start + s.rows()) {
                file[0] = s.file();
                return (row - start) * rb;
            }
            start += s.rows();
        }
        throw new IndexOutOfBoundsException("row " + row);
    }

    /** Stages a logical deletion of rows. */
    public void delete(String name, long[] physicalRows) {
        ArrayEntry e = next.get(name);
        DeletionBitmap bm;
        try {
            bm = (e.bitmap() == null ? DeletionBitmap.allLive(e.physicalRows()) : e.bitmap()).withDeleted(physicalRows);
        } catch (OutOfMemoryError tooLarge) {
            // a bit per physical row, built in memory: a valid array may have more rows than the JVM has room
            // for (2^31 rows of zero bytes need 256 MiB); nothing is staged yet, so the store is unchanged
            throw new InvalidArgumentException(ctx.root(), name, "deleting rows needs a deletion bitmap of "
                    + 8 * ((e.physicalRows() + 63) / 64) + " bytes (a bit per row of " + e.physicalRows()
                    + "), more than the JVM has free", tooLarge);
        }
        next.put(name, new ArrayEntry(e.record().with(e.record().shape(), e.record().dataFile(), now), e.manifest(), bm));
    }

    /** Stages the removal of an array and all its files. */
    public void drop(String name) {
        ArrayEntry e = next.remove(name);
        if (e == null) {
            return;
        }
        if (e.problem() != null) {
            dropBroken(e);
            return;
        }
        if (e.manifest() != null) {
            for (SegmentManifest.Segment s : e.manifest().segments()) {
                actions.add(Action.delete(s.file()));
            }
            actions.add(Action.delete(StoreLayout.segmentDir(name)));
        }
        actions.add(Action.delete(e.record().dataFile()));
        if (e.bitmap() != null) {
            actions.add(Action.delete(StoreLayout.bitmapFile(name)));
        }
    }

    /** Stages the removal of every array of the committed state this commit started from. */
    public void dropAll() {
        for (String name : base.arrays().keySet()) {
            drop(name);
        }
    }

    /**
     * Removes what can safely be removed of a damaged array: only files that are its own by name (its
     * bitmap, its plain data file). A name or data_file that is not safe, or that names another array's
     * file, is left alone: the record goes, nothing outside the array's own files is touched.
     */
    private void dropBroken(ArrayEntry e) {
        String name = e.name();
        if (StoreLayout.nameProblem(name) != null) {
            return;
        }
        actions.add(Action.delete(StoreLayout.bitmapFile(name)));
        if (e.record().dataFile().equals(StoreLayout.dataFile(name))) {
            actions.add(Action.delete(e.record().dataFile()));
        }
    }

    /**
     * Commits everything staged. On failure before the commit point, staged files are removed and the
     * store is unchanged.
     *
     * @return the new snapshot
     */
    public StoreSnapshot run() {
        AppendLog log = ctx.appendLog;
        if (log != null && onlyLogged() && log.hasRoom(logged)) {
            StoreSnapshot snap = new StoreSnapshot(next);
            try {
                log.commit(logged); // the commit point: one write and one fsync
            } catch (Journal.CommitException e) {
                if (!e.committed()) {
                    rollback();
                }
                throw new StoreIOException(ctx.root(), null, "append failed: " + e.getMessage(), e);
            }
            return snap;
        }
        // the log's appends (and any staged for it here) go into this commit's metadata
        boolean applyLog = log != null && (log.pending() || !logged.isEmpty());
        List<Action> all = new ArrayList<>(actions);
        for (Map.Entry<String, ArrayEntry> en : next.entrySet()) {
            ArrayEntry old = base.get(en.getKey());
            ArrayEntry e = en.getValue();
            if (old == e) {
                continue;
            }
            if (e.manifest() != null && (old == null || old.manifest() != e.manifest())) {
                all.add(Action.put(e.record().dataFile(),
                        ByteBuffer.wrap(e.manifest().encode().getBytes(StandardCharsets.UTF_8))));
            }
            if (e.bitmap() != null && (old == null || old.bitmap() != e.bitmap())) {
                all.add(Action.put(StoreLayout.bitmapFile(e.name()), e.bitmap().encode()));
            }
        }
        StoreSnapshot snap = new StoreSnapshot(next);
        ByteBuffer metadata = null;
        if (changed() || applyLog) {
            metadata = MetadataCodec.encode(snap.records());
            all.add(Action.put(StoreLayout.METADATA, metadata));
        }
        if (all.isEmpty()) {
            return base;
        }
        try {
            if (applyLog) {
                log.syncDataFiles(syncs); // the appended rows, written without fsync, durable before the commit point
            }
            syncs.await(); // every new file durable before the journal makes the commit
        } catch (IOException e) {
            rollback();
            throw new StoreIOException(ctx.root(), null, "commit failed, nothing changed: " + e.getMessage(), e);
        }
        try {
            ctx.journal.commit(all, newNames || !prepared.isEmpty());
        } catch (Journal.CommitException e) {
            if (!e.committed()) {
                rollback();
                if (e.getCause() instanceof CorruptStoreException c) {
                    // the store's files cannot take this commit (a link, a pipe, a directory where a file goes):
                    // refused before its commit point, named by the array whose file it is
                    throw new CorruptStoreException(ctx.root(), c.array(), "commit refused, nothing changed: "
                            + c.detail(), c);
                }
            }
            throw new StoreIOException(ctx.root(), null, "commit failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            rollback(); // nothing was written to the journal (e.g. a change too large for one commit)
            throw new InvalidArgumentException(ctx.root(), null, "commit failed, nothing changed: " + e.getMessage(), e);
        }
        if (log != null && metadata != null) {
            try {
                log.renew(metadata); // new metadata: the log's records are in it, or it had none
            } catch (Journal.CommitException e) {
                throw new StoreIOException(ctx.root(), null, "commit done, but the append log: " + e.getMessage(), e);
            }
        }
        return snap;
    }

    private boolean changed() {
        if (next.size() != base.arrays().size()) {
            return true;
        }
        for (Map.Entry<String, ArrayEntry> en : next.entrySet()) {
            if (base.get(en.getKey()) != en.getValue()) {
                return true;
            }
        }
        return false;
    }

    /** Removes staged files and bytes appended beyond committed ends. */
    public void rollback() {
        syncs.abandon(); // no fsync runs on behind the rollback
        for (DataWriter.Prepared p : prepared) {
            p.discard();
        }
        for (Map.Entry<String, Long> t : loggedEnds.entrySet()) {
            truncateOnFailure.putIfAbsent(ctx.layout.resolve(t.getKey(), null), t.getValue());
        }
        for (Map.Entry<Path, Long> t : truncateOnFailure.entrySet()) {
            try (FileChannel ch = FileChannel.open(t.getKey(), StandardOpenOption.WRITE)) {
                ch.truncate(t.getValue());
            } catch (IOException ignored) {
                // the next writer open truncates it
            }
        }
    }
}
