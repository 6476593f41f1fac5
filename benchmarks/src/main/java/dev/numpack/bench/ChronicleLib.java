package dev.numpack.bench;

import dev.numpack.NdArray;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;

/**
 * Peer: Chronicle Map ({@code net.openhft:chronicle-map}), an off-heap hash map persisted to a
 * memory-mapped file, as a {@code ChronicleMap<Long, byte[]>}: key = row index, value = the row's bytes
 * (40 for 10 float32), little-endian as the array holds them.
 *
 * <p>The value is a plain {@code byte[]} of constant size ({@link ChronicleMapBuilder#constantValueSizeBySample}):
 * Chronicle reads it with its built-in {@code ByteArraySizedReader}, which fills the {@code using} array
 * of {@link ChronicleMap#getUsing} in place when its length matches, so a read is one bulk copy into a
 * reused array and the bytes are exactly the row's, in the array's byte order. A Chronicle Values
 * interface (say {@code @Array(length = 10) float getAt(int)}) would get a class generated and compiled
 * for it at run time and would hand the floats over one by one in the platform's order: no gain for
 * moving 40 opaque bytes, and more machinery in the timed path. Keys are boxed {@code Long}s, Chronicle's
 * plain map API.
 *
 * <p>The map is created with {@link ChronicleMapBuilder#createPersistedTo} on {@code x.cmap}, sized for
 * the rows plus {@value #APPEND_HEADROOM} appended rows ({@link ChronicleMapBuilder#entries}), with a max
 * bloat factor of {@value #MAX_BLOAT} so that a long append run grows it (with extra tiers) instead of
 * failing; persisted maps keep per-entry checksums (Chronicle's default). No fsync anywhere: Chronicle
 * writes through the mapping and leaves flushing to the OS.
 *
 * <ul>
 *   <li>{@link #fullLoad}: {@link ChronicleMap#getUsing} of keys {@code 0..rows-1} into one reused
 *       {@code byte[]}, each copied into one new direct buffer.
 *   <li>{@link #lazyOpen}: {@link ChronicleMapBuilder#createPersistedTo} on the existing file (a second
 *       map instance on the same file, as Chronicle allows: it maps the file and checks its header) and
 *       {@link ChronicleMap#close}; returns {@link ChronicleMap#longSize} (the segment headers' entry
 *       counts, no entry read).
 *   <li>{@link #gather}: {@link ChronicleMap#getUsing} per index into a reused {@code byte[]}, copied into
 *       {@code dst}.
 *   <li>{@link #replace}: {@link ChronicleMap#put} per index (it returns the previous value, as a new
 *       {@code byte[]}: Chronicle's API has no put without that).
 *   <li>{@link #append}: {@link ChronicleMap#put} of keys {@code rows..rows+k-1};
 *       {@link #truncateToInitial}: {@link ChronicleMap#remove} of every key past the initial rows.
 *   <li>{@link #save}: a new map at {@code x.cmap.tmp} ({@code createPersistedTo}, sized for the new
 *       rows), one {@code put} per row, closed; the open map closed, the new file renamed over
 *       {@code x.cmap} (atomic move) and reopened.
 *   <li>{@link #stream}: {@link ChronicleMap#getUsing} of a chunk's keys into one reused direct buffer,
 *       summed per chunk.
 * </ul>
 *
 * <p>Runs with the --add-exports/--add-opens of {@link ColumnarPeers#JVM_FLAGS} and with Chronicle's
 * analytics and announcer disabled (its analytics jar is also left out of the build). Whatever the value
 * type, Chronicle Map compiles a class of its own with javac inside the JVM when the first map of a JVM
 * is created or opened (its {@code VanillaGlobalMutableState}): so the JVM must be a JDK, and that first
 * creation takes seconds (javac scans the class path: the shaded jar); later ones do not.
 */
final class ChronicleLib extends Lib {
    /** Rows the map is sized for beyond the array's rows, for appends. */
    static final long APPEND_HEADROOM = 100_000;
    /** How far the map may grow past its sized entries (Chronicle's maxBloatFactor, 1 to 1000). */
    static final double MAX_BLOAT = 100;

    private final File file;
    private final File tmp;
    private final long initialRows;
    private final int rowBytes;
    private final byte[] row; // the reused value array of reads and writes
    private ChronicleMap<Long, byte[]> map;
    private long rows; // keys 0..rows-1 are in the map

    ChronicleLib(String name, Path dir, NdArray initial) throws IOException {
        super(name);
        this.file = dir.resolve("x.cmap").toFile();
        this.tmp = dir.resolve("x.cmap.tmp").toFile();
        this.initialRows = initial.shape()[0];
        this.rowBytes = Math.toIntExact(initial.rowBytes());
        this.row = new byte[rowBytes];
        this.map = create(file, initial);
        this.rows = initialRows;
    }

    private ChronicleMapBuilder<Long, byte[]> builder(long entries) {
        return ChronicleMap.of(Long.class, byte[].class)
                .name("numpack-bench-rows")
                .constantValueSizeBySample(new byte[rowBytes])
                .entries(entries)
                .maxBloatFactor(MAX_BLOAT);
    }

    /** @return a new map persisted to {@code f} holding {@code a}'s rows */
    private ChronicleMap<Long, byte[]> create(File f, NdArray a) throws IOException {
        long n = a.shape()[0];
        ChronicleMap<Long, byte[]> m = builder(n + APPEND_HEADROOM).createPersistedTo(f);
        try {
            ByteBuffer src = a.buffer();
            for (long i = 0; i < n; i++) {
                src.get(Math.toIntExact(i * rowBytes), row);
                m.put(i, row);
            }
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        return m;
    }

    @Override
    ByteBuffer fullLoad() {
        ByteBuffer dst = ByteBuffer.allocateDirect(Math.toIntExact(rows * rowBytes)).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < rows; i++) {
            dst.put(get(i));
        }
        return dst.flip();
    }

    @Override
    long lazyOpen() throws IOException {
        try (ChronicleMap<Long, byte[]> m = builder(rows + APPEND_HEADROOM).createPersistedTo(file)) {
            return m.longSize();
        }
    }

    @Override
    void gather(long[] indices, ByteBuffer dst) {
        for (long idx : indices) {
            dst.put(get(idx));
        }
    }

    @Override
    void replace(long[] indices, NdArray rows) {
        ByteBuffer src = rows.buffer();
        for (int i = 0; i < indices.length; i++) {
            src.get(i * rowBytes, row);
            map.put(indices[i], row);
        }
    }

    @Override
    void append(NdArray more) {
        ByteBuffer src = more.buffer();
        long k = more.shape()[0];
        for (int i = 0; i < k; i++) {
            src.get(i * rowBytes, row);
            map.put(rows + i, row);
        }
        rows += k;
    }

    @Override
    void truncateToInitial() {
        for (long i = initialRows; i < rows; i++) {
            map.remove(i);
        }
        rows = initialRows;
    }

    @Override
    void save(NdArray whole) throws IOException {
        Files.deleteIfExists(tmp.toPath());
        create(tmp, whole).close();
        map.close();
        map = null;
        Files.move(tmp.toPath(), file.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        map = builder(whole.shape()[0] + APPEND_HEADROOM).createPersistedTo(file);
        rows = whole.shape()[0];
    }

    @Override
    double stream(int chunkRows) {
        ByteBuffer chunk = ByteBuffer.allocateDirect(Math.multiplyExact(chunkRows, rowBytes))
                .order(ByteOrder.LITTLE_ENDIAN);
        double acc = 0;
        for (long first = 0; first < rows; first += chunkRows) {
            long end = Math.min(rows, first + chunkRows);
            chunk.clear();
            for (long i = first; i < end; i++) {
                chunk.put(get(i));
            }
            acc = sum(acc, chunk.flip());
        }
        return acc;
    }

    /** @return {@link #row}, holding row {@code i} */
    private byte[] get(long i) {
        byte[] v = map.getUsing(i, row);
        if (v == null) {
            throw new IndexOutOfBoundsException("no row " + i + " in the map");
        }
        if (v != row) {
            throw new IllegalStateException("row " + i + " is " + v.length + " bytes, expected " + rowBytes);
        }
        return v;
    }

    @Override
    public void close() {
        if (map != null) {
            map.close();
            map = null;
        }
    }
}
