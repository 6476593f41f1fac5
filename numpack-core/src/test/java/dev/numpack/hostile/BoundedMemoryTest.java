package dev.numpack.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.DType;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.testkit.ChildJvm;
import dev.numpack.testkit.ChildResult;
import dev.numpack.internal.format.JournalCodec;
import dev.numpack.internal.format.NpyHeader;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operations whose memory could be driven by a size the store records rather than by the data there is
 * run in a child JVM with a 64 MiB heap: each ends with its result or a typed error, never with
 * {@link OutOfMemoryError}.
 */
class BoundedMemoryTest {
    private static final String HEAP = "64m";
    /** Bytes per row of the wide arrays: far above the child's heap. */
    private static final long WIDE_ROW = 1_000_000_000L;

    @TempDir
    Path dir;

    /** Runs {@link BoundedMemoryChild} at {@link #HEAP}; @return the line it printed */
    private String child(Path store, String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of(store.toString()));
        all.addAll(List.of(args));
        ChildResult r = ChildJvm.main(BoundedMemoryChild.class, all.toArray(String[]::new)).heap(HEAP)
                .jvmArgs("-XX:MaxDirectMemorySize=" + HEAP).run(Duration.ofMinutes(2));
        assertEquals(0, r.exitCode(), r.out() + r.err());
        return r.out().strip();
    }

    private Path storeWithEmptyWideArray() {
        Path store = dir.resolve("store");
        try (NumPack np = NumPack.open(store)) {
            np.save("wide", NdArray.zeros(DType.UINT8, 0, WIDE_ROW));
        }
        return store;
    }

    @Test
    void outOfRangeGatherFailsBeforeAllocatingTheResult() throws Exception {
        String out = child(storeWithEmptyWideArray(), "gather", "wide", "5");
        assertTrue(out.startsWith("InvalidArgumentException") && out.contains("array=wide"), out);
    }

    @Test
    void exportOfAnEmptyArrayWithHugeRowsReservesNoBuffer() throws Exception {
        Path npy = dir.resolve("wide.npy");
        assertEquals("ok", child(storeWithEmptyWideArray(), "exportNpy", "wide", npy.toString()));
        assertTrue(Files.size(npy) < 1024, "header only: " + Files.size(npy));
    }

    /** A sparse file of {@code bytes} bytes that starts with {@code head}: big on paper, cheap on disk. */
    private static void sparse(Path file, ByteBuffer head, long bytes) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(0);
            f.getChannel().write(head.duplicate(), 0);
            f.setLength(bytes);
        }
    }

    @Test
    void aJournalFileOfAGigabyteIsReadOnlyAsFarAsItsRecordedLength() throws Exception {
        Path store = storeWithEmptyWideArray();
        Path journal = store.resolve("numpack.journal");
        // a committed journal (its one action deletes a file that is not there) with a gigabyte behind it
        sparse(journal, JournalCodec.encode(List.of(JournalCodec.Action.delete("absent.npkd"))), 1L << 30);
        assertEquals("ok", child(store, "open"));
        // a cleared journal (magic zeroed) of the same size
        sparse(journal, ByteBuffer.allocate(16), 1L << 30);
        assertEquals("ok", child(store, "open"));
    }

    @Test
    void aSegmentManifestLargerThanItsSegmentsAllowIsRefusedUnheld() throws Exception {
        Path store = dir.resolve("segmented");
        try (NumPack np = HostileFixture.builder(store).build()) {
            np.save("s", NdArray.zeros(DType.INT32, 100, 4)); // two segments
        }
        Path manifest = store.resolve("data_s.npkseg");
        ByteBuffer text = ByteBuffer.wrap(Files.readAllBytes(manifest));
        sparse(manifest, text, 48L << 20);
        String out = child(store, "gather", "s", "0");
        assertTrue(out.startsWith("CorruptStoreException") && out.contains("array=s")
                && out.contains("data_s.npkseg says more than"), out);
    }

    @Test
    void metadataGrownPastItsRecordsIsRefusedAfterReadingTheRecords() throws Exception {
        Path store = storeWithEmptyWideArray();
        Path meta = store.resolve("metadata.npkm");
        sparse(meta, ByteBuffer.wrap(Files.readAllBytes(meta)), 600L << 20);
        String out = child(store, "open");
        assertTrue(out.startsWith("CorruptStoreException") && out.contains("metadata.npkm")
                && out.contains("trailing bytes"), out);
    }
    @Test
    void deletingFromAnArrayWhoseBitmapExceedsTheMemoryIsATypedErrorAndChangesNothing() throws Exception {
        Path store = dir.resolve("many-rows");
        long rows = 1L << 31; // zero-byte rows: no data, but a bitmap of 256 MiB
        try (NumPack np = NumPack.open(store)) {
            np.save("e", NdArray.zeros(DType.FLOAT32, rows, 0));
        }
        String out = child(store, "delete", "e", "5");
        assertTrue(out.startsWith("InvalidArgumentException") && out.contains("array=e")
                && out.contains((rows / 8) + " bytes"), out);
        try (NumPack np = NumPack.open(store)) {
            assertEquals(rows, np.info("e").rows());
        }
        assertFalse(Files.exists(store.resolve("deleted_e.npkb")), "nothing is written");
    }

    @Test
    void loadingAValidArrayLargerThanTheMemoryNamesItAndTheBytesItNeeds() throws Exception {
        long rows = 80;
        long rowBytes = 1L << 20;
        Path npy = dir.resolve("big.npy");
        ByteBuffer header = NpyHeader.encode(DType.UINT8, new long[] {rows, rowBytes});
        sparse(npy, header, header.remaining() + rows * rowBytes);
        Path store = dir.resolve("big-store");
        try (NumPack np = NumPack.open(store)) {
            np.importNpy("big", npy);
        }
        String out = child(store, "load", "big");
        assertTrue(out.startsWith("OOM ") && out.contains("array 'big'")
                && out.contains("needs " + rows * rowBytes + " bytes"), out);
    }
}
