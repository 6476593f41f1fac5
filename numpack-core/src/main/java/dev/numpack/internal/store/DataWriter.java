package dev.numpack.internal.store;

import dev.numpack.CorruptStoreException;
import dev.numpack.internal.format.JournalCodec.Action;
import dev.numpack.internal.format.SegmentManifest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes an array's rows as new files that no committed state references yet: a plain data file under a
 * temporary name (renamed into place by the commit), or fresh segment files for an array larger than the
 * segment target, as NumPack 0.7 splits them. Never overwrites a file a reader may have mapped.
 */
public final class DataWriter {
    /** Rows are copied through a buffer of about this size, so memory stays bounded. */
    public static final int COPY_BYTES = 8 << 20;

    /** New data files ready to commit. */
    static final class Prepared {
        String dataFile;
        SegmentManifest manifest;
        final List<Action> actions = new ArrayList<>();
        final List<Path> created = new ArrayList<>();

        /** Deletes the files written, after a failed commit. */
        void discard() {
            for (Path p : created) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // swept at the next writer open
                }
            }
        }
    }

    private final StoreContext ctx;
    private final SyncGroup syncLater;

    /**
     * @param ctx the store
     * @param syncLater the commit's fsyncs, which take each new file as soon as it is written (awaited
     *     before the commit point), or {@code null} to fsync each file before {@code write} returns
     */
    public DataWriter(StoreContext ctx, SyncGroup syncLater) {
        this.ctx = ctx;
        this.syncLater = syncLater;
    }

    /**
     * @param name array
     * @param src its rows
     * @param old the entry being replaced, or {@code null}
     * @param committed the array's entry in the committed state (whose files must survive until the
     *     commit), or {@code null}
     * @return the new files and the actions that put them in place and remove the old ones
     */
    public Prepared write(String name, RowSource src, ArrayEntry old, ArrayEntry committed) throws IOException {
        Prepared p = new Prepared();
        try {
            long bytes = src.rows() * src.rowBytes();
            if (bytes > segmentTarget(src.rowBytes()) && src.rowBytes() > 0) {
                Set<String> taken = referencedSegments(old);
                taken.addAll(referencedSegments(committed));
                writeSegmented(name, src, taken, p);
            } else {
                writePlain(name, src, p);
            }
            removeOld(name, old, p);
            return p;
        } catch (IOException | RuntimeException e) {
            p.discard();
            throw e;
        }
    }

    /**
     * @param rowBytes bytes per row
     * @return the size a segment is filled to: the store's target, or one row when a row is larger
     */
    private long segmentTarget(long rowBytes) {
        return Math.max(ctx.segmentTargetBytes, Math.max(rowBytes, 1));
    }

    /**
     * @param rowBytes bytes per row, more than 0
     * @return how many rows a full segment holds
     */
    public long rowsPerSegment(long rowBytes) {
        return Math.max(1, segmentTarget(rowBytes) / rowBytes);
    }

    private void writePlain(String name, RowSource src, Prepared p) throws IOException {
        String finalName = StoreLayout.dataFile(name);
        if (Files.isDirectory(ctx.layout.path(finalName), LinkOption.NOFOLLOW_LINKS)) {
            // the commit's rename onto it could never be applied: refuse before anything is staged
            throw new CorruptStoreException(ctx.root(), name, finalName + " is a directory, not a data file:"
                    + " nothing changed (remove that directory to save the array)");
        }
        String tmp = StoreLayout.tempName(finalName, ctx.uniqueToken());
        Path path = ctx.layout.path(tmp);
        p.created.add(path);
        writeFile(path, src, 0, src.rows());
        p.dataFile = finalName;
        p.actions.add(Action.rename(tmp, finalName));
    }

    private void writeSegmented(String name, RowSource src, Set<String> taken, Prepared p) throws IOException {
        p.dataFile = StoreLayout.manifestFile(name);
        p.manifest = new SegmentManifest(writeSegments(name, src, 0, 0, taken, p));
    }

    /**
     * Writes rows {@code [first, src.rows())} of {@code src} as new segment files of the array, each of at
     * most {@link #rowsPerSegment} rows, numbered from {@code index} on: the one way segment files are made,
     * for a new segmented array and for rows appended to one. A segment takes upstream's name unless a
     * committed state still references it or a file of that name is there (a leftover, or a file staged
     * earlier in this commit that its actions may yet delete); then it takes a unique name. So no file a
     * reader may have mapped, and no file the commit's actions touch, is ever written. Every file written
     * goes to {@code p.created}, and the directory is fsynced once at the end.
     *
     * @param name array
     * @param src the rows
     * @param first the first row of {@code src} to write
     * @param index the number of the first new segment
     * @param taken segment files the committed state or this commit's entry references
     * @param p where the files written are recorded, for their removal if the commit fails
     * @return the new segments, in row order
     */
    public List<SegmentManifest.Segment> writeSegments(String name, RowSource src, long first, int index,
            Set<String> taken, Prepared p) throws IOException {
        Path dir = ctx.layout.path(StoreLayout.segmentDir(name));
        Files.createDirectories(dir);
        long rowsPer = rowsPerSegment(src.rowBytes());
        List<SegmentManifest.Segment> segs = new ArrayList<>();
        String token = null;
        for (long row = first, i = index; row < src.rows(); row += rowsPer, i++) {
            long n = Math.min(rowsPer, src.rows() - row);
            String file = StoreLayout.segmentFile(name, (int) i);
            if (taken.contains(file) || Files.exists(ctx.layout.path(file), LinkOption.NOFOLLOW_LINKS)) {
                token = token == null ? ctx.uniqueToken() : token;
                file = StoreLayout.segmentFile(name, (int) i, token);
            }
            Path path = ctx.layout.path(file);
            p.created.add(path);
            writeFile(path, src, row, n);
            segs.add(new SegmentManifest.Segment(file, n, n * src.rowBytes()));
        }
        ctx.ops.syncDir(dir);
        return segs;
    }

    public static Set<String> referencedSegments(ArrayEntry e) {
        Set<String> s = new HashSet<>();
        if (e != null && e.manifest() != null) {
            for (SegmentManifest.Segment seg : e.manifest().segments()) {
                s.add(seg.file());
            }
        }
        return s;
    }

    /** Deletes of the replaced entry's files that the new files do not reuse. */
    private static void removeOld(String name, ArrayEntry old, Prepared p) {
        if (old == null) {
            return;
        }
        if (old.manifest() == null) {
            if (!old.record().dataFile().equals(p.dataFile)) {
                p.actions.add(Action.delete(old.record().dataFile()));
            }
            return;
        }
        Set<String> keep = new HashSet<>();
        if (p.manifest != null) {
            for (SegmentManifest.Segment s : p.manifest.segments()) {
                keep.add(s.file());
            }
        }
        for (SegmentManifest.Segment s : old.manifest().segments()) {
            if (!keep.contains(s.file())) {
                p.actions.add(Action.delete(s.file()));
            }
        }
        if (p.manifest == null) {
            p.actions.add(Action.delete(old.record().dataFile()));
            p.actions.add(Action.delete(StoreLayout.segmentDir(name)));
        }
    }

    /**
     * Writes rows {@code [first, first + count)} of {@code src} to a new file and fsyncs it, now or (given a
     * {@code syncLater} group) in the background while the commit writes its next files.
     */
    public void writeFile(Path path, RowSource src, long first, long count) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            // blocks reserved before the write, as numpy does: no delayed allocation left for the commit's
            // rename over the old file to flush (ext4's auto_da_alloc); declined, the write goes as before
            NativeIo.get().preallocate(path, count * src.rowBytes());
            appendRows(ch, 0, src, first, count);
            if (syncLater != null) {
                FileChannel handed = ch;
                ch = null; // the group owns it now: it fsyncs and closes it
                syncLater.add(handed, path);
            } else {
                ctx.ops.syncFile(ch, path);
            }
        } finally {
            if (ch != null) {
                ch.close();
            }
        }
    }

    /**
     * Copies rows from {@code src} into {@code ch} starting at byte {@code position}, in bounded chunks.
     */
    public static void appendRows(FileChannel ch, long position, RowSource src, long first, long count) throws IOException {
        long rb = src.rowBytes();
        if (rb == 0 || count == 0) {
            return;
        }
        ByteBuffer whole = src.view(first, count);
        if (whole != null) {
            FileOps.writeFully(ch, whole, position); // in memory already: write it as it is, no copy
            return;
        }
        long rowsPerChunk = Math.max(1, COPY_BYTES / rb);
        if (rowsPerChunk * rb > Integer.MAX_VALUE) {
            throw new IOException("a single row of " + rb + " bytes is too large to copy");
        }
        ByteBuffer buf = ByteBuffer.allocateDirect((int) (Math.min(rowsPerChunk, count) * rb)).order(ByteOrder.LITTLE_ENDIAN);
        long pos = position;
        for (long r = 0; r < count; r += rowsPerChunk) {
            long n = Math.min(rowsPerChunk, count - r);
            buf.clear();
            src.copy(first + r, n, buf);
            buf.flip();
            FileOps.writeFully(ch, buf, pos);
            pos += n * rb;
        }
    }
}
