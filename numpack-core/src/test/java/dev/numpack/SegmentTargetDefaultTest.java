package dev.numpack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The segment size's default, resolved by {@link NumPack.Builder#build()} as NumPack 0.7 does:
 * {@code NUMPACK_SEGMENT_TARGET_BYTES}, else {@code NPK_SEGMENT_TARGET_BYTES}, else 256 MiB. The environment is
 * given as a map through the builder's package-private seam.
 */
class SegmentTargetDefaultTest {
    @TempDir
    Path dir;

    @Test
    void readsTheVariablesInUpstreamsOrder() {
        long dflt = NumPack.DEFAULT_SEGMENT_TARGET_BYTES;
        assertEquals(dflt, NumPack.Builder.segmentTargetFrom(Map.of()));
        assertEquals(64, NumPack.Builder.segmentTargetFrom(Map.of("NUMPACK_SEGMENT_TARGET_BYTES", "64")));
        assertEquals(32, NumPack.Builder.segmentTargetFrom(Map.of("NPK_SEGMENT_TARGET_BYTES", "32")));
        assertEquals(64, NumPack.Builder.segmentTargetFrom(Map.of("NUMPACK_SEGMENT_TARGET_BYTES", "64",
                "NPK_SEGMENT_TARGET_BYTES", "32")), "NUMPACK_ first");
        assertEquals(dflt, NumPack.Builder.segmentTargetFrom(Map.of("NUMPACK_SEGMENT_TARGET_BYTES", "64 MiB")),
                "an unparsable value means the default");
        assertEquals(dflt, NumPack.Builder.segmentTargetFrom(Map.of("NUMPACK_SEGMENT_TARGET_BYTES", "x",
                "NPK_SEGMENT_TARGET_BYTES", "32")), "even when the other variable is set");
        assertEquals(0, NumPack.Builder.segmentTargetFrom(Map.of("NPK_SEGMENT_TARGET_BYTES", "-5")));
    }

    private static NdArray rows(int n) {
        float[][] r = new float[n][4];
        return NdArray.of(r);
    }

    @Test
    void buildUsesTheEnvironmentUnlessTheSizeIsSet() {
        Map<String, String> env = Map.of("NUMPACK_SEGMENT_TARGET_BYTES", "64");
        try (NumPack np = NumPack.builder().setPath(dir.resolve("env")).build(env)) {
            np.save("x", rows(10)); // 160 bytes over 64-byte segments
            assertTrue(np.info("x").segmented());
            assertEquals(3, np.info("x").dataFiles());
        }
        try (NumPack np = NumPack.builder().setPath(dir.resolve("set")).optSegmentTargetBytes(1 << 20).build(env)) {
            np.save("x", rows(10));
            assertFalse(np.info("x").segmented(), "optSegmentTargetBytes wins over the environment");
        }
        try (NumPack np = NumPack.builder().setPath(dir.resolve("none")).build(Map.of())) {
            np.save("x", rows(10));
            assertFalse(np.info("x").segmented());
        }
    }
}
