package dev.numpack.internal.store;

import dev.numpack.DType;
import dev.numpack.internal.format.ArrayRecord;
import dev.numpack.internal.format.DeletionBitmap;
import dev.numpack.internal.format.MetadataCodec;
import dev.numpack.internal.format.SegmentManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes store files with the format codecs alone, no {@code NumPack} facade, so that the engine's unit
 * tests control every byte: a plain array is {@code data_<name>.npkd}, a segmented one a manifest plus
 * one file per segment, each byte of an array's data holding {@code (offset * 7 + seed) & 0xFF}.
 */
final class EngineStore {
    final Path root;
    final StoreLayout layout;

    /** @param dir the store directory, created if missing */
    EngineStore(Path dir) {
        this.root = dir.toAbsolutePath().normalize();
        this.layout = new StoreLayout(root);
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return {@code n} bytes of the pattern that starts at byte {@code from} of an array with {@code seed} */
    static byte[] pattern(int seed, long from, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ((from + i) * 7 + seed);
        }
        return b;
    }

    /** Writes {@code data_<name>.npkd} with the pattern (seed = the name's hash). @return its record */
    ArrayRecord plain(String name, DType dtype, long... shape) {
        ArrayRecord r = ArrayRecord.plain(name, shape, StoreLayout.dataFile(name), dtype, 1);
        write(StoreLayout.dataFile(name), pattern(name.hashCode(), 0, (int) r.sizeBytes()));
        return r;
    }

    /**
     * Writes a segmented int32 array of {@code cols} columns, one segment file {@code seg_<i>} per entry of
     * {@code segmentRows}, and its manifest; the bytes run on across segments as in one file.
     *
     * @return its record
     */
    ArrayRecord segmented(String name, int cols, long... segmentRows) {
        long rowBytes = 4L * cols;
        List<SegmentManifest.Segment> segs = new ArrayList<>();
        long row = 0;
        for (int i = 0; i < segmentRows.length; i++) {
            String file = StoreLayout.segmentDir(name) + "/seg_" + i;
            long bytes = segmentRows[i] * rowBytes;
            write(file, pattern(name.hashCode(), row * rowBytes, (int) bytes));
            segs.add(new SegmentManifest.Segment(file, segmentRows[i], bytes));
            row += segmentRows[i];
        }
        manifest(name, new SegmentManifest(segs));
        return ArrayRecord.plain(name, new long[] {row, cols}, StoreLayout.manifestFile(name), DType.INT32, 1);
    }

    /** Writes {@code data_<name>.npkseg}. */
    void manifest(String name, SegmentManifest m) {
        write(StoreLayout.manifestFile(name), m.encode().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Writes {@code deleted_<name>.npkb}. */
    void bitmap(String name, DeletionBitmap b) {
        write(StoreLayout.bitmapFile(name), bytes(b.encode()));
    }

    /** Writes {@code metadata.npkm} listing {@code records}. */
    void metadata(ArrayRecord... records) {
        write(StoreLayout.METADATA, bytes(MetadataCodec.encode(List.of(records))));
    }

    /** Writes a file below the store, creating its directory. @return its path */
    Path write(String relative, byte[] content) {
        Path p = root.resolve(relative);
        try {
            Files.createDirectories(p.getParent());
            return Files.write(p, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return a file's bytes */
    byte[] read(String relative) {
        try {
            return Files.readAllBytes(root.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** Makes a FIFO with {@code mkfifo}. @return its path */
    Path fifo(String relative) throws IOException, InterruptedException {
        Path p = root.resolve(relative);
        Process pr = new ProcessBuilder("mkfifo", p.toString()).redirectErrorStream(true).start();
        String out = new String(pr.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (pr.waitFor() != 0) {
            throw new IOException("mkfifo " + p + " failed: " + out);
        }
        return p;
    }
}
