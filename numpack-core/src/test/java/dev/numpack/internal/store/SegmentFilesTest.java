package dev.numpack.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.NdArray;
import dev.numpack.NumPack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segment files are made by one writer ({@link DataWriter#writeSegments}) for a new segmented array and for
 * rows appended to one: upstream's names while they are free, a unique name when a file is in the way, and
 * never a write into a file that is already there.
 */
class SegmentFilesTest {
    private static final byte[] STRAY = "not the store's".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private static NdArray rows(int first, int n) {
        float[][] r = new float[n][4]; // 16 bytes a row: 4 rows a 64-byte segment
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 4; j++) {
                r[i][j] = (first + i) * 4 + j;
            }
        }
        return NdArray.of(r);
    }

    private NumPack open() {
        return NumPack.builder().setPath(dir).optSegmentTargetBytes(64).build();
    }

    @Test
    void aSavedArrayTakesUpstreamSegmentNames() throws IOException {
        try (NumPack np = open()) {
            np.save("s", rows(0, 10));
            assertEquals(List.of("seg_000000.npkd", "seg_000001.npkd", "seg_000002.npkd"), names("data_s_segments"));
            assertEquals(rows(0, 10), np.load("s"));
        }
    }

    @Test
    void aSaveWritesAroundAFileInTheWayOfItsFirstSegment() throws IOException {
        try (NumPack np = open()) {
            Path stray = Files.createDirectories(dir.resolve("data_s_segments")).resolve("seg_000000.npkd");
            Files.write(stray, STRAY); // after the open: no sweep removed it
            np.save("s", rows(0, 10));
            assertArrayEquals(STRAY, Files.readAllBytes(stray));
            List<String> names = names("data_s_segments");
            assertEquals(4, names.size(), names.toString());
            assertTrue(names.get(1).matches("seg_000000_.+\\.npkd"), names.toString());
            assertEquals(List.of("seg_000001.npkd", "seg_000002.npkd"), names.subList(2, 4));
            assertEquals(rows(0, 10), np.load("s"));
        }
    }

    @Test
    void anAppendFillsTheLastSegmentThenWritesAroundAFileInTheWay() throws IOException {
        try (NumPack np = open()) {
            np.save("s", rows(0, 10)); // segments of 4, 4 and 2 rows
            Path stray = dir.resolve("data_s_segments").resolve("seg_000003.npkd");
            Files.write(stray, STRAY);
            np.append("s", rows(10, 7)); // 2 rows fill segment 2, then segments 3 (4 rows) and 4 (1 row)
            assertArrayEquals(STRAY, Files.readAllBytes(stray));
            List<String> names = names("data_s_segments");
            assertEquals(6, names.size(), names.toString());
            assertTrue(names.get(4).matches("seg_000003_.+\\.npkd"), names.toString());
            assertEquals("seg_000004.npkd", names.get(5));
            assertEquals(64, Files.size(dir.resolve("data_s_segments").resolve("seg_000002.npkd")));
            assertEquals(rows(0, 17), np.load("s"));
        }
    }

    private List<String> names(String segmentDir) throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve(segmentDir))) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
