package dev.numpack.io;

import dev.numpack.testkit.ChildJvm;
import dev.numpack.testkit.ChildResult;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.DType;
import dev.numpack.internal.format.NpyHeader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compressed {@code .npz} member and a gzipped IDX file, each several times larger than the heap, import
 * in a child JVM whose heap (and direct memory) is 16 MiB: the readers stream with a bounded window.
 */
class BoundedMemoryImportTest {
    private static final String HEAP = "16m";
    private static final int ROWS = 16_000;
    private static final int COLS = 1_000; // int32: 64 MB
    private static final int IDX_ROWS = 64_000; // uint8 rows of 1000: 64 MB

    @TempDir
    Path dir;

    /** Bytes with two bits of entropy each: deflate shrinks them about fourfold, as real data might. */
    private static final class Pattern {
        private long state = 0x9E3779B97F4A7C15L;

        void fill(byte[] b) {
            for (int i = 0; i < b.length; i++) {
                state = state * 6364136223846793005L + 1442695040888963407L;
                b[i] = (byte) (state >>> 62);
            }
        }
    }

    @Test
    void importsFilesLargerThanTheHeap() throws IOException, InterruptedException {
        Path npz = dir.resolve("big.npz");
        Path idx = dir.resolve("big-idx2-ubyte.gz");
        long npzCrc = writeNpz(npz);
        long idxCrc = writeIdx(idx);
        assertTrue(Files.size(npz) < ROWS * (long) COLS * 4 / 2, "the member is compressed");

        ChildResult child = ChildJvm.main(BoundedMemoryImportChild.class, npz.toString(), idx.toString(),
                dir.resolve("store").toString()).heap(HEAP).jvmArgs("-XX:MaxDirectMemorySize=" + HEAP)
                .run(Duration.ofMinutes(10));
        assertEquals(0, child.exitCode(), child.out() + child.err());
        String out = child.out();
        assertEquals(npzCrc + " " + idxCrc, out.strip());
    }

    /** Writes a deflated member "big" of int32 (ROWS, COLS); @return the CRC-32 of its data bytes */
    private static long writeNpz(Path npz) throws IOException {
        CRC32 crc = new CRC32();
        Pattern pattern = new Pattern();
        try (OutputStream out = Files.newOutputStream(npz); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.setLevel(Deflater.BEST_SPEED);
            zip.putNextEntry(new ZipEntry("big.npy"));
            ByteBuffer header = NpyHeader.encode(DType.INT32, new long[] {ROWS, COLS});
            zip.write(header.array(), 0, header.remaining());
            byte[] rows = new byte[COLS * 4 * 250];
            for (int r = 0; r < ROWS; r += 250) {
                pattern.fill(rows);
                crc.update(rows);
                zip.write(rows);
            }
            zip.closeEntry();
        }
        return crc.getValue();
    }

    /** Writes a gzipped IDX file of uint8 (IDX_ROWS, 1000); @return the CRC-32 of its data bytes */
    private static long writeIdx(Path idx) throws IOException {
        CRC32 crc = new CRC32();
        Pattern pattern = new Pattern();
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(idx), 1 << 16)) {
            out.write(ByteBuffer.allocate(12).put(new byte[] {0, 0, 8, 2}).putInt(IDX_ROWS).putInt(1000).array());
            byte[] rows = new byte[1000 * 1000];
            for (int r = 0; r < IDX_ROWS; r += 1000) {
                pattern.fill(rows);
                crc.update(rows);
                out.write(rows);
            }
        }
        return crc.getValue();
    }
}
