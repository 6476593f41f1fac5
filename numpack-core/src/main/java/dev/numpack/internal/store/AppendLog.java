package dev.numpack.internal.store;

import dev.numpack.CorruptStoreException;
import dev.numpack.internal.format.AppendLogCodec;
import dev.numpack.internal.format.AppendLogCodec.Entry;
import dev.numpack.internal.format.AppendLogCodec.Header;
import dev.numpack.internal.format.FormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The append log ({@code numpack.appends}): makes a small append durable with one write and one fsync.
 *
 * <p>An append of at most {@link #MAX_RECORD_BYTES} to a plain array (one data file, no deletion bitmap)
 * writes its rows past the array's committed end in the data file, not fsynced, and then a redo record
 * carrying the same rows (array, first row, row count, bytes, CRC32C) into this log, which is mapped and
 * zero-filled to its full size when created, so a record is a copy into memory and its fsync ({@code msync}
 * of the record's pages, through {@link FileOps#syncMapped} like every sync of the engine) moves no file size
 * or block: that fsync is the commit point (without fsync, the copy is: the page cache survives a killed
 * process; such a record carries the rows' CRC32C instead of the rows, and recovery finds them in the data
 * file, stopping at the first append whose rows a power loss took). {@code metadata.npkm} and the data files
 * are brought up to date later, by the next other commit of the store (which fsyncs the appended data files
 * before its own commit point and writes the metadata with the appended rows), when the log is full, and at
 * close; then the log's header moves to a new generation, which retires every record of the old one.
 *
 * <p>The header names the metadata the records extend by its SHA-256. Any later metadata differs (every
 * commit writes new microsecond times), so a log whose header names other metadata holds nothing to
 * apply: the appends it held are in that metadata (or a program other than this library changed the
 * store after a writer died, and they no longer apply). That is why the log's removal needs no fsync: a
 * log that comes back after a power loss is one whose records a newer metadata already holds. Its renewal
 * (new generation, new digest) is fsynced before a record of the new generation is, or a power loss could
 * bring back the old header and with it discard acknowledged appends.
 *
 * <p>What readers see while records are not yet in the metadata. Read-only stores of this library read
 * the log with the metadata ({@link #overlay}): they see every append whose record is written. NumPack 0.7
 * and other programs that read only {@code metadata.npkm} see the state of the writer's last other commit:
 * the arrays with fewer rows, a valid store (a data file longer than its metadata says is allowed). After a
 * clean close (which applies the log and removes it) they see everything. After a crash, the log stays
 * until a writer opens the store, or a read-only store of this library finds it with no writer holding the
 * lock; either applies it ({@link #recover}) as an ordinary commit.
 *
 * <p>Not thread safe: the store's commit lock serializes its use.
 */
final class AppendLog {
    /** Largest append (rows' bytes of one operation) that goes through the log; larger ones commit whole. */
    static final int MAX_RECORD_BYTES = 1 << 20;
    /**
     * Bytes of records the log holds, and of rows it covers, before the next append applies it: bounds what
     * a reader reads and what the applying commit fsyncs.
     */
    static final long MAX_BYTES = 8L << 20;
    private static final int CAPACITY = (int) (AppendLogCodec.HEADER_BYTES + MAX_BYTES);
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 << 10);

    private final StoreContext ctx;
    private final Map<Path, FileChannel> dataFiles = new LinkedHashMap<>(); // appended to since the last renewal
    private final Map<String, FileChannel> channels = new java.util.HashMap<>(); // the same, by relative name
    private FileChannel ch; // null until the first logged append
    private MappedByteBuffer map; // the whole log, written in place: a record costs a copy, not a system call
    private long generation;
    private int tail; // where the next record goes

    private boolean pending; // records the metadata does not hold yet
    private long pendingRowBytes; // bytes of the rows they append

    /** @param ctx the writable store */
    AppendLog(StoreContext ctx) {
        this.ctx = ctx;
    }

    /**
     * @param e an array's committed entry
     * @return whether appends to it may go through the log: one plain data file, no deletion bitmap
     */
    static boolean loggable(ArrayEntry e) {
        return e != null && e.problem() == null && e.manifest() == null && e.bitmap() == null
                && e.record().rowBytes() > 0 && !StoreLayout.isSegmented(e.record().dataFile());
    }

    /** @return whether records the metadata does not hold yet are in the log */
    boolean pending() {
        return pending;
    }

    /**
     * @param entries the appends of one operation
     * @return whether their record fits in the log before it must be applied
     */
    boolean hasRoom(List<Entry> entries) {
        long end = tail == 0 ? AppendLogCodec.HEADER_BYTES : tail;
        long rows = pendingRowBytes;
        for (Entry e : entries) {
            rows += e.byteCount();
        }
        return end + recordBytes(entries) <= CAPACITY && rows <= MAX_BYTES;
    }

    private static long recordBytes(List<Entry> entries) {
        return AppendLogCodec.RECORD_HEAD + AppendLogCodec.payloadBytes(entries);
    }

    /**
     * The channel for writing rows past an array's committed end, opened once until the log is renewed.
     *
     * @param relative the array's data file, as its record names it
     * @param array the array, for messages
     * @return its channel, or {@code null} when it does not exist (an empty array NumPack 0.7 wrote)
     * @throws IOException if it cannot be opened
     * @throws CorruptStoreException if it must not be written in place (a link)
     */
    FileChannel dataChannel(String relative, String array) throws IOException {
        FileChannel c = channels.get(relative);
        if (c != null) {
            return c;
        }
        Path file = ctx.layout.resolve(relative, array);
        String bad = ctx.layout.inPlaceWriteProblem(file);
        if (bad != null) {
            throw new CorruptStoreException(ctx.root(), array, ctx.root().relativize(file) + " " + bad);
        }
        try {
            c = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
        dataFiles.put(file, c);
        channels.put(relative, c);
        return c;
    }

    /**
     * Before a commit applies the log: its data files' fsyncs, started in {@code syncs} (whose await the
     * commit point follows).
     *
     * @param syncs the commit's fsyncs
     * @throws IOException if a file cannot be opened
     */
    void syncDataFiles(SyncGroup syncs) throws IOException {
        for (Path p : dataFiles.keySet()) {
            FileChannel c;
            try {
                c = FileChannel.open(p, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                continue;
            }
            syncs.add(c, p);
        }
    }

    /**
     * Commits an append: writes its record into the mapped log and, when durable, forces that range to disk
     * ({@code msync}, a data-only sync: the log's size and blocks are fixed). The rows are in the data
     * files already.
     *
     * @param entries the appends of one operation
     * @throws Journal.CommitException if it failed; {@code committed()} when the record may be on disk whole
     */
    void commit(List<Entry> entries) {
        int len = (int) recordBytes(entries);
        try {
            if (ch == null) {
                create();
            }
        } catch (IOException | RuntimeException e) {
            throw new Journal.CommitException(false, e); // nothing of this append's record is written
        }
        int at = tail;
        try {
            AppendLogCodec.encodeRecord(generation, entries, map.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(at));
            ctx.ops.syncMapped(map, file(), 0, at, len);
        } catch (IOException | RuntimeException e) {
            try {
                map.putInt(at, 0); // the record's magic: it ends the log again
                ctx.ops.syncMapped(map, file(), 0, at, 4);
            } catch (IOException | RuntimeException stuck) {
                e.addSuppressed(stuck);
                throw new Journal.CommitException(true, e);
            }
            throw new Journal.CommitException(false, e);
        }
        tail = at + len;
        pending = true;
        for (Entry e : entries) {
            pendingRowBytes += e.byteCount();
        }
    }

    private Path file() {
        return ctx.layout.path(StoreLayout.APPEND_LOG);
    }

    /** A new log: header for the metadata on disk, zeros to its full size, its size and name durable. */
    private void create() throws IOException {
        Path f = file();
        String bad = ctx.layout.fileProblem(f);
        if (bad != null) {
            throw new CorruptStoreException(ctx.root(), null, StoreLayout.APPEND_LOG + " " + bad);
        }
        Files.deleteIfExists(f); // a retired log: its header names older metadata
        byte[] digest = MetadataDigest.ofFile(ctx.layout.path(StoreLayout.METADATA));
        FileChannel c = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            long gen = ThreadLocalRandom.current().nextLong() >>> 1;
            FileOps.writeFully(c, AppendLogCodec.encodeHeader(new Header(gen, digest)), 0);
            for (long pos = AppendLogCodec.HEADER_BYTES; pos < CAPACITY; ) {
                ByteBuffer z = ZEROS.duplicate();
                z.limit((int) Math.min(z.capacity(), CAPACITY - pos));
                int n = z.remaining();
                FileOps.writeFully(c, z, pos);
                pos += n;
            }
            ctx.ops.syncFile(c, f);
            ctx.ops.syncDir(ctx.root());
            map = c.map(FileChannel.MapMode.READ_WRITE, 0, CAPACITY);
            ch = c;
            generation = gen;
            tail = AppendLogCodec.HEADER_BYTES;
        } catch (IOException | RuntimeException e) {
            map = null;
            c.close();
            Files.deleteIfExists(f);
            throw e;
        }
    }

    /**
     * After a commit wrote new metadata: the log starts a new generation for it (records of the old one no
     * longer count) and the data files' channels are closed (that commit may have renamed them away).
     *
     * @param metadata the bytes of the metadata file just committed
     * @throws Journal.CommitException (committed) if the log can neither be renewed nor removed: readers
     *     would wait for it forever, so the store must be reopened
     */
    void renew(ByteBuffer metadata) {
        closeDataFiles();
        pending = false;
        pendingRowBytes = 0;
        if (ch == null) {
            return;
        }
        try {
            generation++;
            map.put(0, AppendLogCodec.encodeHeader(new Header(generation, MetadataDigest.of(metadata,
                    ctx.layout.path(StoreLayout.METADATA)))), 0,
                    AppendLogCodec.HEADER_BYTES);
            ctx.ops.syncMapped(map, file(), 0, 0, AppendLogCodec.HEADER_BYTES);
            tail = AppendLogCodec.HEADER_BYTES;
        } catch (IOException | RuntimeException e) {
            try {
                remove();
            } catch (IOException | RuntimeException stuck) {
                e.addSuppressed(stuck);
                throw new Journal.CommitException(true, e);
            }
        }
    }

    /**
     * At a clean close, after the log was applied (or at an open that found nothing to apply): closes and
     * deletes it.
     *
     * @throws IOException if it cannot be deleted
     */
    void remove() throws IOException {
        closeDataFiles();
        FileChannel c = ch;
        ch = null;
        map = null; // unmapped when collected; the deleted file's blocks are freed then
        if (c != null) {
            c.close();
        }
        Files.deleteIfExists(ctx.layout.path(StoreLayout.APPEND_LOG));
    }

    /** Closes the channels without deleting the log: a store closing whose log must be recovered. */
    void abandon() {
        closeDataFiles();
        try {
            if (ch != null) {
                ch.close();
            }
        } catch (IOException ignored) {
            // recovery reads the file afresh
        }
        ch = null;
        map = null;
    }

    private void closeDataFiles() {
        for (FileChannel c : dataFiles.values()) {
            try {
                c.close();
            } catch (IOException ignored) {
                // written through already; an fsync, where one is due, opens the file again
            }
        }
        dataFiles.clear();
        channels.clear();
    }

    // ------------------------------------------------------------------ reading

    /** What a log holds. */
    static final class Contents {
        /** The log's header, or {@code null} when it has none (torn, not ours). */
        final Header header;
        /** The records of its generation, in order. */
        final List<List<Entry>> records;
        /** Where the records end: the next record's offset. */
        final long end;

        Contents(Header header, List<List<Entry>> records, long end) {
            this.header = header;
            this.records = records;
            this.end = end;
        }

        /**
         * @param metadataDigest the digest of the metadata read
         * @return whether the records extend that metadata
         */
        boolean extendsMetadata(byte[] metadataDigest) {
            return header != null && metadataDigest != null && header.extendsMetadata(metadataDigest);
        }
    }

    /**
     * @param layout the store
     * @return whether the store holds a log (a writer's, or one a writer that died left)
     */
    static boolean exists(StoreLayout layout) {
        return Files.exists(layout.path(StoreLayout.APPEND_LOG), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Reads the log: its header and every whole record of its generation, up to the first that is not.
     *
     * @param layout the store
     * @return what it holds, or {@code null} when there is no log
     * @throws CorruptStoreException if it is not a plain file, or a record passes its checksum but is garbled
     * @throws IOException if it cannot be read
     */
    static Contents read(StoreLayout layout) throws IOException {
        Path f = layout.path(StoreLayout.APPEND_LOG);
        String bad = layout.fileProblem(f);
        if (bad != null) {
            throw new CorruptStoreException(layout.root(), null, StoreLayout.APPEND_LOG + " " + bad);
        }
        ByteBuffer all;
        try (FileChannel c = FileChannel.open(f, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = Math.min(c.size(), AppendLogCodec.HEADER_BYTES + MAX_BYTES);
            all = ByteBuffer.allocate((int) size);
            while (all.hasRemaining() && c.read(all, all.position()) >= 0) {
                // read up to the size seen at open (a writer may be appending records meanwhile)
            }
            all.flip();
        } catch (NoSuchFileException e) {
            return null;
        }
        Header h = AppendLogCodec.decodeHeader(all);
        List<List<Entry>> records = new ArrayList<>();
        long pos = AppendLogCodec.HEADER_BYTES;
        if (h != null) {
            try {
                while (true) {
                    long len = AppendLogCodec.recordLength(all.slice((int) Math.min(pos, all.limit()),
                            (int) (all.limit() - Math.min(pos, all.limit()))), h.generation());
                    if (len < 0 || pos + len > all.limit()) {
                        break;
                    }
                    List<Entry> r = AppendLogCodec.decodeRecord(all.slice((int) pos, (int) len), h.generation());
                    if (r == null) {
                        break;
                    }
                    records.add(r);
                    pos += len;
                }
            } catch (FormatException e) {
                throw new CorruptStoreException(layout.root(), null, StoreLayout.APPEND_LOG + ": " + e.getMessage(), e);
            }
        }
        return new Contents(h, records, pos);
    }

    /**
     * @param layout the store
     * @param generation the generation read before
     * @param end where the records read before ended
     * @return whether the log moved on since: renewed, removed, or a record written at {@code end}
     */
    static boolean movedOn(StoreLayout layout, long generation, long end) {
        Path f = layout.path(StoreLayout.APPEND_LOG);
        if (layout.fileProblem(f) != null) {
            return true;
        }
        try (FileChannel c = FileChannel.open(f, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer head = ByteBuffer.allocate(AppendLogCodec.HEADER_BYTES);
            c.read(head, 0);
            Header h = AppendLogCodec.decodeHeader(head.flip());
            if (h == null || h.generation() != generation) {
                return true;
            }
            ByteBuffer rec = ByteBuffer.allocate(AppendLogCodec.RECORD_HEAD);
            c.read(rec, end);
            return AppendLogCodec.recordLength(rec.flip(), generation) >= 0;
        } catch (IOException e) {
            return true; // gone: removed at a close; a refresh reads what is there now
        }
    }

    /**
     * The snapshot with the log's appends: each entry's array gets its rows, which lie in its data file.
     *
     * @param s the snapshot of the metadata the log extends
     * @param records the log's records
     * @return the extended snapshot, or {@code null} when a record does not fit it (an array that is not
     *     plain, or whose row count is not where the record starts)
     */
    static StoreSnapshot overlay(StoreSnapshot s, List<List<Entry>> records) {
        if (records.isEmpty()) {
            return s;
        }
        Map<String, ArrayEntry> out = new TreeMap<>(s.arrays());
        for (List<Entry> r : records) {
            for (Entry en : r) {
                ArrayEntry e = out.get(en.name());
                if (!fits(e, en)) {
                    return null;
                }
                long[] shape = e.record().shape().clone();
                shape[0] += en.rows();
                out.put(en.name(), new ArrayEntry(e.record().with(shape, e.record().dataFile(),
                        e.record().lastModifiedMicros()), null, null));
            }
        }
        return new StoreSnapshot(out);
    }

    private static boolean fits(ArrayEntry e, Entry en) {
        if (!loggable(e) || e.physicalRows() != en.firstRow()) {
            return false;
        }
        long rb = e.record().rowBytes();
        return en.rows() <= (Long.MAX_VALUE - e.record().sizeBytes()) / rb && en.rows() * rb == en.byteCount();
    }

    /**
     * Applies a log that a writer left (it died, or its close failed) as one ordinary commit, then removes
     * it. Runs under the writer lock, after the journal's recovery. A log whose header names other metadata
     * holds nothing to apply (see the class comment) and is removed.
     *
     * @param ctx the store, with no log of its own attached
     * @return whether appends were applied
     * @throws IOException if applying fails (the log stays for the next try)
     * @throws CorruptStoreException if a record does not fit the metadata it names
     */
    static boolean recover(StoreContext ctx) throws IOException {
        StoreLayout layout = ctx.layout;
        Contents c = read(layout);
        if (c == null) {
            return false;
        }
        byte[] digest;
        try {
            digest = MetadataDigest.ofFile(layout.path(StoreLayout.METADATA));
        } catch (NoSuchFileException e) {
            digest = null;
        }
        boolean applied = false;
        if (c.extendsMetadata(digest) && !c.records.isEmpty()) {
            StoreSnapshot base = StoreSnapshot.read(layout);
            Commit commit = new Commit(ctx, base);
            for (List<Entry> r : c.records) {
                if (!inDataFiles(ctx, commit, r)) {
                    break; // rows a power loss took from a log without fsync: this append and later ones never happened
                }
                for (Entry en : r) {
                    if (en.bytes() != null) {
                        commit.append(en.name(), rows(en, commit.current(en.name()).record().rowBytes()));
                    } else {
                        commit.appendInPlace(en.name(), en.rows());
                    }
                }
            }
            commit.run();
            applied = true;
        }
        Files.deleteIfExists(layout.path(StoreLayout.APPEND_LOG));
        return applied;
    }

    /**
     * @return whether every entry of a record fits the array as the commit has it so far, and the rows of
     *     those that are in the data file only are there (their CRC32C matches)
     * @throws CorruptStoreException if an entry does not fit the metadata the log names
     */
    private static boolean inDataFiles(StoreContext ctx, Commit commit, List<Entry> record) throws IOException {
        for (Entry en : record) {
            ArrayEntry e = commit.current(en.name());
            if (!fits(e, en)) {
                throw new CorruptStoreException(ctx.root(), en.name(), StoreLayout.APPEND_LOG
                        + " appends rows from " + en.firstRow() + " that do not fit the array's metadata"
                        + " (remove the file to discard them)");
            }
            if (en.bytes() == null) {
                Path file = ctx.layout.resolve(e.record().dataFile(), en.name());
                ByteBuffer found = ByteBuffer.allocate(en.byteCount());
                try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                    while (found.hasRemaining() && c.read(found, e.record().sizeBytes() + found.position()) > 0) {
                        // the rows past the committed end
                    }
                }
                if (!en.matches(found.flip())) {
                    return false;
                }
            }
        }
        return true;
    }

    private static RowSource rows(Entry en, long rowBytes) {
        ByteBuffer bytes = en.bytes();
        return new RowSource() {
            @Override
            public long rows() {
                return en.rows();
            }

            @Override
            public long rowBytes() {
                return rowBytes;
            }

            @Override
            public void copy(long first, long count, ByteBuffer dst) {
                dst.put(view(first, count));
            }

            @Override
            public ByteBuffer view(long first, long count) {
                return bytes.slice((int) (first * rowBytes), (int) (count * rowBytes));
            }
        };
    }
}
