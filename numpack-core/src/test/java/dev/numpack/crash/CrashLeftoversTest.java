package dev.numpack.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.model.StoreFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deterministic reproductions of what the kill trials of numpack-reliability
 * ({@code dev.numpack.reliability.crash.KillNineCrashTest}) saw a {@code kill -9} leave in a store (the exact
 * files, recreated by hand), and what a writable open must clean up: the {@code Sweeper}
 * promises to remove "temporary files, unreferenced segment files, and bytes appended past an array's
 * committed end".
 */
class CrashLeftoversTest {
    @TempDir
    Path dir;

    private static NdArray rows(int n) {
        float[][] r = new float[n][4];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 4; j++) {
                r[i][j] = i * 4 + j;
            }
        }
        return NdArray.of(r);
    }

    @Test
    void writableOpenRemovesSegmentsOfANewArrayWhoseSaveWasKilled() throws Exception {
        try (NumPack np = NumPack.builder().setPath(dir).optSegmentTargetBytes(64).build()) {
            np.save("a", rows(2));
        }
        // a kill during np.save("b", <array over the segment target>) (or cloneArray(x, "b")) before its
        // commit leaves the new array's segment files, under their final names, and no journal
        Path segs = Files.createDirectories(dir.resolve("data_b_segments"));
        Files.write(segs.resolve("seg_000000.npkd"), new byte[64]);
        Files.write(segs.resolve("seg_000001.npkd"), new byte[40]);
        try (NumPack np = NumPack.builder().setPath(dir).optSegmentTargetBytes(64).build()) {
            assertEquals(Set.of("a"), np.names());
            assertEquals(List.of(), StoreFiles.leftovers(dir, np),
                    "files of the uncommitted array 'b' survive a writable open (never swept)");
        }
    }

    @Test
    void writableOpenRemovesTheSegmentDirectoryOfAPlainArrayWhoseSegmentedRewriteWasKilled() throws Exception {
        try (NumPack np = NumPack.builder().setPath(dir).optSegmentTargetBytes(64).build()) {
            np.save("a", rows(2)); // plain: 32 bytes
        }
        // a kill during a save / batch commit / compaction that rewrites 'a' as a segmented array, before its
        // commit: the segment directory exists (empty if the kill came right after creating it)
        Path segs = Files.createDirectories(dir.resolve("data_a_segments"));
        Files.write(segs.resolve("seg_000000.npkd"), new byte[64]);
        Files.createDirectories(dir.resolve("data_c_segments")); // and an empty one of a new array
        try (NumPack np = NumPack.builder().setPath(dir).optSegmentTargetBytes(64).build()) {
            assertEquals(rows(2), np.load("a"));
            assertEquals(List.of(), StoreFiles.leftovers(dir, np),
                    "segment directories of arrays that are not segmented in the committed state are never swept");
        }
    }

    @Test
    void writableOpenRemovesTempFilesAndStraySegmentsOfExistingArrays() throws Exception {
        try (NumPack np = NumPack.builder().setPath(dir).optSegmentTargetBytes(64).build()) {
            np.save("s", rows(10)); // 3 segments
            np.save("p", rows(2));
        }
        // leftovers of killed commits: a plain save's temp file, a temp journal, a stray segment of an
        // append or overwrite, and rows appended past the committed end of a plain file
        Files.write(dir.resolve("data_p.npkd.tmp-npdead-1"), new byte[32]);
        Files.write(dir.resolve("numpack.journal.tmp-npj"), new byte[10]);
        Files.write(dir.resolve("data_s_segments").resolve("seg_000003.npkd"), new byte[16]);
        Files.write(dir.resolve("data_s_segments").resolve("seg_000000_dead-2.npkd"), new byte[16]);
        Files.write(dir.resolve("data_p.npkd"), new byte[16], java.nio.file.StandardOpenOption.APPEND);
        try (NumPack np = NumPack.builder().setPath(dir).optSegmentTargetBytes(64).build()) {
            assertEquals(rows(10), np.load("s"));
            assertEquals(rows(2), np.load("p"));
            assertEquals(List.of(), StoreFiles.leftovers(dir, np));
            assertEquals(2 * 16, Files.size(dir.resolve("data_p.npkd")), "rows past the committed end");
        }
        assertFalse(StoreFiles.journalPending(dir));
    }
}
