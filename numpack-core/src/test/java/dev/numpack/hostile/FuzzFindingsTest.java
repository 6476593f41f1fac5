package dev.numpack.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.CorruptStoreException;
import dev.numpack.Durability;
import dev.numpack.InvalidArgumentException;
import dev.numpack.NumPack;
import dev.numpack.io.NpyWriter;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regressions of what the mutation fuzzer of numpack-reliability found (each test names the fuzz case it
 * reproduces), and the open points of issue 12 fixed beside it: a directory appearing between staging and
 * commit, a NO_FSYNC close over a data file replaced by a directory, and lock timeouts past 292 years.
 */
class FuzzFindingsTest {
    @TempDir
    Path tmp;

    HostileFixture f;

    @BeforeEach
    void build() {
        f = new HostileFixture(tmp).buildStandard();
    }

    /** Fuzz SYMLINK, "data_a.npkd -> symlink to bait/dir", write drop a: the refusal named the store only. */
    @Test
    void aCommitRefusedForALinkedDataFileNamesTheArray() throws Exception {
        for (String array : new String[] {"a", "c"}) {
            f.restore();
            Path data = f.file("data_" + array + ".npkd");
            Files.delete(data);
            Files.createSymbolicLink(data, f.canary.resolve("target.bin"));
            Map<String, byte[]> before = f.storeTree();
            Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> {
                try (NumPack np = f.openWritable()) {
                    np.drop(array);
                }
            });
            f.assertTyped(t, CorruptStoreException.class, array, "drop of an array whose data file is a link",
                    "data_" + array + ".npkd", "link");
            f.assertStoreUnchanged(before, "refused drop");
            f.assertOutsideUntouched();
        }
    }

    /**
     * Fuzz NPY, "npy v1 |i1 (2, 3, 1), shape -> (1, 1, ..., 1)" (5000 dimensions), importNpy: the import
     * committed a record the metadata codec refuses on reading (at most 64 dimensions), and the store no longer
     * opened. Such a shape is refused before anything is written, by save and import alike.
     */
    @Test
    void aShapeOfMoreDimensionsThanTheMetadataHoldsIsRefusedBeforeWriting() throws Exception {
        long[] ones = new long[65];
        java.util.Arrays.fill(ones, 1);
        dev.numpack.NdArray wide = dev.numpack.NdArray.zeros(dev.numpack.DType.INT8, ones);
        Path npy = tmp.resolve("wide.npy");
        NpyWriter.write(npy, wide);
        f.remember();
        Map<String, byte[]> before = f.storeTree();
        for (String op : new String[] {"save", "importNpy", "batch save"}) {
            Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> {
                try (NumPack np = f.openWritable()) {
                    switch (op) {
                        case "save" -> np.save("w", wide);
                        case "importNpy" -> np.importNpy("w", npy);
                        default -> np.batchMode(b -> b.save("w", wide));
                    }
                }
            });
            f.assertTyped(t, InvalidArgumentException.class, "w", op + " of a 65-dimensional array", "65 dimensions");
            f.assertStoreUnchanged(before, "refused " + op);
        }
        f.assertOutsideUntouched();
        f.assertStoreIntact();
    }

    /** Fuzz SPARSE, "metadata.npkm -> sparse, 1099511627776 bytes": every open read the whole TiB to stamp it. */
    @Test
    void aHugeSparseMetadataFileIsRefusedWithoutReadingIt() throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(f.file("metadata.npkm").toFile(), "rw")) {
            raf.setLength(1L << 40);
        }
        for (boolean writable : new boolean[] {false, true}) { // the fixture's byte comparison would read the TiB
            Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> {
                try (NumPack np = writable ? f.openWritable() : f.openReadOnly()) {
                    np.names();
                }
            });
            f.assertTyped(t, CorruptStoreException.class, null, writable ? "writable open" : "read-only open",
                    "metadata.npkm");
            assertEquals(1L << 40, Files.size(f.file("metadata.npkm")), "the file is left as it was");
        }
        f.assertOutsideUntouched();
    }

    /**
     * Open point (a): a directory put in place of an array's data file after the commit checked its target,
     * here from the import's progress callback (which runs while the rows are staged). The commit is refused
     * before its commit point with a CorruptStoreException naming the store and the array, nothing changes,
     * and the store still opens.
     */
    @Test
    void aDirectoryAppearingBetweenStagingAndCommitIsRefusedNamed() throws Exception {
        Path npy = tmp.resolve("in.npy");
        NpyWriter.write(npy, HostileFixture.floats(6, 3, 100));
        f.remember();
        Map<String, byte[]> before = f.storeTree();
        Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> {
            try (NumPack np = f.openWritable()) {
                np.importNpy("a", npy, (done, total) -> {
                    try {
                        Path data = f.file("data_a.npkd");
                        if (Files.isRegularFile(data)) {
                            Files.delete(data);
                            Files.createDirectory(data);
                        }
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            }
        });
        f.assertTyped(t, CorruptStoreException.class, "a", "import onto a directory that appeared while staging",
                "data_a.npkd", "directory");
        before.remove("data_a.npkd");
        Map<String, byte[]> now = f.storeTree();
        now.remove("data_a.npkd");
        HostileFixture.assertTreesEqual(before, now, "store after a refused import");
        f.assertOutsideUntouched();
        try (NumPack np = f.openReadOnly()) {
            assertNotNull(problemOf(np, "a"), "a is reported broken");
            assertEquals(f.contents().get("b"), np.load("b"));
        }
    }

    /**
     * Open point (b): a NO_FSYNC store fsyncs its committed files at close; one that became a directory (or a
     * pipe, or a link) since is no longer the committed file: it is skipped, the close succeeds and releases
     * the lock, and the array reads as damaged at the next open.
     */
    @Test
    void aNoFsyncCloseSkipsADataFileReplacedByADirectory() throws Exception {
        NumPack np = HostileFixture.builder(f.store).optDurability(Durability.NO_FSYNC).build();
        assertEquals(f.contents().get("a"), np.load("a"));
        Files.delete(f.file("data_a.npkd"));
        Files.createDirectory(f.file("data_a.npkd"));
        Files.delete(f.file("data_s_segments/seg_000000.npkd"));
        HostileFixture.mkfifo(f.file("data_s_segments/seg_000000.npkd"));
        Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, np::close);
        if (t != null) {
            throw new AssertionError("close failed: " + t, t);
        }
        try (NumPack again = f.openWritable()) { // the lock was released
            assertNotNull(problemOf(again, "a"), "a is reported broken");
            assertEquals(f.contents().get("c"), again.load("c"));
        }
        f.assertOutsideUntouched();
    }

    /** Open point (c): a lock timeout past what long nanoseconds hold is clamped; a negative one is refused. */
    @Test
    void lockTimeoutsPastLongNanosecondsAreClampedAndNegativeOnesRefused() {
        for (Duration d : new Duration[] {Duration.ofDays(365L * 300), Duration.ofSeconds(Long.MAX_VALUE),
            Duration.ofNanos(Long.MAX_VALUE)}) {
            try (NumPack np = HostileFixture.builder(f.store).optLockTimeout(d).build()) {
                assertTrue(np.names().contains("a"), d.toString());
            }
        }
        InvalidArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidArgumentException.class,
                () -> HostileFixture.builder(f.store).optLockTimeout(Duration.ofSeconds(-1)));
        assertTrue(e.getMessage().contains(f.store.toString()) && e.getMessage().contains("lock timeout"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(InvalidArgumentException.class,
                () -> HostileFixture.builder(f.store).optLockTimeout(null));
    }

    private static String problemOf(NumPack np, String array) {
        return np.infos().stream().filter(i -> i.name().equals(array)).findFirst().orElseThrow().problem();
    }
}
