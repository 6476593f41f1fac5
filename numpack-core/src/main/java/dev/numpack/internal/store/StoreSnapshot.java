package dev.numpack.internal.store;

import dev.numpack.CorruptStoreException;
import dev.numpack.internal.format.ArrayRecord;
import dev.numpack.internal.format.DeletionBitmap;
import dev.numpack.internal.format.FormatException;
import dev.numpack.internal.format.MetadataCodec;
import dev.numpack.internal.format.SegmentManifest;
import dev.numpack.internal.format.TruncatedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The committed state of a store: every array's entry, read and checked from disk. Immutable, so readers
 * share it without locks and a writer publishes a new one after each commit.
 */
public final class StoreSnapshot {
    /** A manifest's bytes besides its segment entries: braces, version, key (whitespace is not counted). */
    private static final long MANIFEST_FRAME_BYTES = 4096;
    /** A segment entry's bytes besides its escaped path: keys, two 64-bit numbers, punctuation. */
    private static final long MANIFEST_ENTRY_BYTES = 512;
    /** The most a JSON string escape expands one byte of a path: to six bytes, a unicode escape. */
    private static final long JSON_ESCAPE_FACTOR = 6;

    private final Map<String, ArrayEntry> arrays;

    /** @param arrays the arrays by name */
    public StoreSnapshot(Map<String, ArrayEntry> arrays) {
        this.arrays = Collections.unmodifiableMap(new TreeMap<>(arrays));
    }

    /** @return the arrays by name, sorted */
    public Map<String, ArrayEntry> arrays() {
        return arrays;
    }

    /** @param name array @return its entry, or {@code null} */
    public ArrayEntry get(String name) {
        return arrays.get(name);
    }

    /** @return the records, for writing {@code metadata.npkm} */
    public List<ArrayRecord> records() {
        List<ArrayRecord> out = new ArrayList<>();
        for (ArrayEntry e : arrays.values()) {
            out.add(e.record());
        }
        return out;
    }

    /**
     * Reads and checks the store's files: the metadata, each array's data file sizes, manifests and
     * bitmaps. Nothing is written.
     *
     * @param layout the store
     * @return the snapshot (empty when there is no metadata file yet); an array whose own files are damaged
     *     is kept as a {@link ArrayEntry#broken broken} entry, so the other arrays stay readable
     * @throws CorruptStoreException if the metadata itself is damaged
     * @throws IOException when a file cannot be read
     */
    public static StoreSnapshot read(StoreLayout layout) throws IOException {
        Path root = layout.root();
        List<ArrayRecord> records;
        try {
            Path meta = layout.path(StoreLayout.METADATA);
            String bad = layout.fileProblem(meta);
            if (bad != null) {
                throw new CorruptStoreException(root, null, StoreLayout.METADATA + " " + bad);
            }
            records = readMetadata(meta);
        } catch (NoSuchFileException e) {
            return new StoreSnapshot(Map.of());
        } catch (FormatException e) {
            throw new CorruptStoreException(root, null, StoreLayout.METADATA + ": " + e.getMessage(), e);
        }
        Map<String, ArrayEntry> out = new TreeMap<>();
        for (ArrayRecord r : records) {
            try {
                out.put(r.name(), readEntry(layout, r));
            } catch (CorruptStoreException e) {
                out.put(r.name(), ArrayEntry.broken(r, e));
            }
        }
        return new StoreSnapshot(out);
    }

    private static ArrayEntry readEntry(StoreLayout layout, ArrayRecord r) throws IOException {
        Path root = layout.root();
        String name = r.name();
        String bad = StoreLayout.nameProblem(name);
        if (bad != null) {
            throw new CorruptStoreException(root, name, "stored array name is unsafe: " + bad);
        }
        if (r.compression() != 0) {
            throw new CorruptStoreException(root, name, "compression " + r.compression()
                    + " is not supported (NumPack 0.7 writes uncompressed data)");
        }
        Path data = layout.resolve(r.dataFile(), name);
        String notOwned = StoreLayout.ownershipProblem(r.dataFile(), name, false);
        if (notOwned != null) {
            throw new CorruptStoreException(root, name, "data_file '" + r.dataFile() + "' " + notOwned);
        }
        requirePlainFile(layout, data, name);
        SegmentManifest manifest = null;
        try {
            if (StoreLayout.isSegmented(r.dataFile())) {
                manifest = readManifest(layout, r, data);
            } else {
                long size = Files.exists(data) || r.sizeBytes() > 0 ? Files.size(data) : 0;
                if (size < r.sizeBytes()) {
                    throw new CorruptStoreException(root, name, r.dataFile() + " holds " + size
                            + " bytes, the metadata needs " + r.sizeBytes());
                }
            }
        } catch (NoSuchFileException e) {
            throw new CorruptStoreException(root, name, "data file " + r.dataFile() + " is missing", e);
        }
        DeletionBitmap bitmap = readBitmap(layout, r);
        return new ArrayEntry(r, manifest, bitmap);
    }

    private static SegmentManifest readManifest(StoreLayout layout, ArrayRecord r, Path file) throws IOException {
        String name = r.name();
        long limit = manifestLimit(layout, name);
        String text = CompactJson.read(file, limit);
        if (text == null) {
            throw new CorruptStoreException(layout.root(), name, r.dataFile() + " says more than the " + limit
                    + " bytes (whitespace aside) any manifest of the files in " + StoreLayout.segmentDir(name)
                    + "/ can say");
        }
        SegmentManifest m;
        try {
            m = SegmentManifest.decode(text);
            m.check(r.rowBytes(), r.physicalRows());
        } catch (FormatException e) {
            throw new CorruptStoreException(layout.root(), name, r.dataFile() + ": " + e.getMessage(), e);
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (SegmentManifest.Segment s : m.segments()) {
            Path seg = layout.resolve(s.file(), name);
            String notOwned = StoreLayout.ownershipProblem(s.file(), name, true);
            if (notOwned != null || !seen.add(s.file())) {
                throw new CorruptStoreException(layout.root(), name, "segment '" + s.file() + "' "
                        + (notOwned != null ? notOwned : "is listed twice"));
            }
            requirePlainFile(layout, seg, name);
            long size;
            try {
                size = Files.size(seg);
            } catch (NoSuchFileException e) {
                throw new CorruptStoreException(layout.root(), name, "segment " + s.file() + " is missing", e);
            }
            if (size < s.bytes()) {
                throw new CorruptStoreException(layout.root(), name, "segment " + s.file() + " holds " + size
                        + " bytes, the manifest says " + s.bytes());
            }
        }
        return m;
    }

    /**
     * The largest manifest the array's segment directory allows: a manifest may list only files directly
     * inside it, each once, so its size (whitespace aside) follows from their names, whatever the file
     * claims. Counted before the manifest is read, so a damaged, huge one is refused without being held.
     */
    private static long manifestLimit(StoreLayout layout, String name) throws IOException {
        String dir = StoreLayout.segmentDir(name);
        Path segments = layout.path(dir);
        long limit = MANIFEST_FRAME_BYTES;
        if (!Files.isDirectory(segments, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return limit;
        }
        try (java.nio.file.DirectoryStream<Path> files = Files.newDirectoryStream(segments)) {
            for (Path f : files) {
                long path = (dir + "/" + f.getFileName()).getBytes(StandardCharsets.UTF_8).length;
                limit += MANIFEST_ENTRY_BYTES + JSON_ESCAPE_FACTOR * path;
            }
        }
        return limit;
    }

    /** Bytes of the metadata first read: a store of a few thousand arrays needs no more. */
    private static final int FIRST_METADATA_READ = 1 << 20;
    /** The largest buffer the JVM allocates. */
    private static final int MAX_READ = Integer.MAX_VALUE - 8;

    /**
     * Decodes the metadata file from as many of its first bytes as its records need, doubling the read
     * while they end early: memory follows what the records hold (at most twice it), not the file's size,
     * so a file grown by junk past its records is refused, with little read, as having trailing bytes.
     */
    private static List<ArrayRecord> readMetadata(Path meta) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(meta)) {
            long size = ch.size();
            int read = (int) Math.min(size, FIRST_METADATA_READ);
            while (true) {
                java.nio.ByteBuffer first = java.nio.ByteBuffer.allocate(read);
                FileOps.readFully(ch, first, 0);
                try {
                    List<ArrayRecord> records = MetadataCodec.decode(first.flip());
                    if (read < size) {
                        throw new FormatException((size - read) + " unexpected trailing bytes after "
                                + records.size() + " records");
                    }
                    return records;
                } catch (TruncatedException e) {
                    if (read == size || read == MAX_READ) {
                        throw e;
                    }
                    read = (int) Math.min(Math.min(size, MAX_READ), 2L * read);
                }
            }
        }
    }

    private static void requirePlainFile(StoreLayout layout, Path file, String name) {
        String bad = layout.fileProblem(file);
        if (bad != null) {
            throw new CorruptStoreException(layout.root(), name, layout.root().relativize(file) + " " + bad);
        }
    }

    private static DeletionBitmap readBitmap(StoreLayout layout, ArrayRecord r) throws IOException {
        Path file = layout.path(StoreLayout.bitmapFile(r.name()));
        requirePlainFile(layout, file, r.name());
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            return null;
        }
        long words = (r.physicalRows() + 63) / 64;
        if (r.ndim() == 0 || (size != 16 + 8 * words && size != 8 * words)) {
            throw new CorruptStoreException(layout.root(), r.name(), StoreLayout.bitmapFile(r.name()) + " has "
                    + size + " bytes, which fits no bitmap layout for " + r.physicalRows() + " rows");
        }
        try {
            return DeletionBitmap.decode(FileOps.readAll(file), r.physicalRows());
        } catch (FormatException e) {
            throw new CorruptStoreException(layout.root(), r.name(),
                    StoreLayout.bitmapFile(r.name()) + ": " + e.getMessage(), e);
        }
    }
}
