package dev.numpack.hostile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.CorruptStoreException;
import dev.numpack.NumPack;
import dev.numpack.internal.format.SegmentManifest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Valid metadata, damaged array files: short or missing data files, bad deletion bitmaps, bad segment
 * manifests and segments. Each must raise {@link CorruptStoreException} naming the store and the array.
 */
class CorruptArrayFilesTest {
    @TempDir
    Path tmp;

    HostileFixture f;

    @BeforeEach
    void build() {
        f = new HostileFixture(tmp).buildStandard();
    }

    // ------------------------------------------------------------------ data files

    @Test
    void dataFileShorterThanTheMetadataSays() throws IOException {
        for (String array : new String[] {"a", "b", "c", "z"}) {
            f.restore();
            String file = "data_" + array + ".npkd";
            byte[] data = f.read(file);
            for (int cut : new int[] {data.length - 1, data.length / 2, 0}) {
                f.write(file, java.util.Arrays.copyOf(data, cut));
                f.expectArrayUnusableBoth(array, file);
                assertEquals(cut, Files.size(f.file(file)), "the short file was not extended");
            }
        }
    }

    @Test
    void missingDataFile() {
        for (String array : new String[] {"a", "c", "z"}) {
            f.restore();
            f.delete("data_" + array + ".npkd");
            f.expectArrayUnusableBoth(array, "missing");
            assertTrue(!Files.exists(f.file("data_" + array + ".npkd")), "nothing recreated it");
        }
    }

    @Test
    void dataFileThatIsADirectory() throws IOException {
        f.delete("data_a.npkd");
        Files.createDirectory(f.file("data_a.npkd"));
        // read-only: refused at open or when mapped; never an untyped exception
        Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> {
            try (NumPack np = f.openReadOnly()) {
                np.load("a");
            }
        });
        f.assertTyped(t, dev.numpack.NumPackException.class, "a", "read-only load");
        Throwable w = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> {
            try (NumPack np = f.openWritable()) {
                np.load("a");
            }
        });
        f.assertTyped(w, dev.numpack.NumPackException.class, null, "writable open");
        assertTrue(Files.isDirectory(f.file("data_a.npkd")));
        f.assertOutsideUntouched();
    }

    @Test
    void longerDataFileIsReadCorrectly() throws IOException {
        byte[] data = f.read("data_a.npkd");
        byte[] longer = java.util.Arrays.copyOf(data, data.length + 100);
        java.util.Arrays.fill(longer, data.length, longer.length, (byte) 0x7F);
        f.write("data_a.npkd", longer);
        try (NumPack np = f.openReadOnly()) {
            assertEquals(f.contents().get("a"), np.load("a"));
        }
        assertArrayEquals(longer, f.read("data_a.npkd"), "a reader does not touch the file");
        f.assertStoreIntact();
        f.assertOutsideUntouched();
    }

    // ------------------------------------------------------------------ deletion bitmaps

    private ByteBuffer bitmap() {
        return ByteBuffer.wrap(f.read("deleted_c.npkb")).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void bitmapOfWrongSize() {
        byte[] bm = f.read("deleted_c.npkb"); // 100 rows: 16 + 2 x 8 bytes
        assertEquals(32, bm.length);
        for (int size : new int[] {0, 1, 8, 15, 17, 24, 31, 33, 40, 4096}) {
            byte[] b = java.util.Arrays.copyOf(bm, size);
            f.write("deleted_c.npkb", b);
            f.expectArrayUnusableBoth("c", "deleted_c.npkb");
        }
    }

    @Test
    void bitmapWithWrongHeader() {
        ByteBuffer total = bitmap();
        total.putLong(0, 101);
        f.write("deleted_c.npkb", total.array());
        f.expectArrayUnusableBoth("c", "deleted_c.npkb");
        ByteBuffer count = bitmap();
        count.putLong(8, 4);
        f.write("deleted_c.npkb", count.array());
        f.expectArrayUnusableBoth("c", "deleted");
        ByteBuffer huge = bitmap();
        huge.putLong(0, Long.MAX_VALUE).putLong(8, Long.MAX_VALUE);
        f.write("deleted_c.npkb", huge.array());
        f.expectArrayUnusableBoth("c");
    }

    @Test
    void bitmapWithBitsPastTheEnd() {
        byte[] orig = f.read("deleted_c.npkb");
        for (int bit : new int[] {36, 40, 63}) { // 100 rows: word 1 holds rows 64..99 in bits 0..35
            ByteBuffer b = ByteBuffer.wrap(orig.clone()).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(24, b.getLong(24) | (1L << bit));
            f.write("deleted_c.npkb", b.array());
            f.expectArrayUnusableBoth("c", "past");
            // the legacy layout (words only) too
            byte[] legacy = java.util.Arrays.copyOfRange(b.array(), 16, 32);
            f.write("deleted_c.npkb", legacy);
            f.expectArrayUnusableBoth("c", "past");
        }
    }

    @Test
    void legacyBitmapLayoutIsRead() {
        byte[] legacy = java.util.Arrays.copyOfRange(f.read("deleted_c.npkb"), 16, 32);
        f.write("deleted_c.npkb", legacy);
        f.assertStoreIntact();
    }

    @Test
    void bitmapForAnArrayWithoutRowsOrForA0dArray() {
        f.write("deleted_z.npkb", f.read("deleted_c.npkb"));
        f.expectArrayUnusableBoth("z", "deleted_z.npkb");
        f.delete("deleted_z.npkb");
        f.write("deleted_z.npkb", new byte[0]);
        f.expectArrayUnusableBoth("z");
    }

    @Test
    void bitmapThatIsADirectory() throws IOException {
        f.delete("deleted_c.npkb");
        Files.createDirectory(f.file("deleted_c.npkb"));
        f.expectArrayUnusableBoth("c");
    }

    // ------------------------------------------------------------------ segments

    private SegmentManifest manifest() {
        return SegmentManifest.decode(new String(f.read("data_s.npkseg"), StandardCharsets.UTF_8));
    }

    private static String json(List<SegmentManifest.Segment> segs) {
        return new SegmentManifest(segs).encode();
    }

    private List<SegmentManifest.Segment> segs() {
        return new ArrayList<>(manifest().segments());
    }

    @Test
    void standardManifestHasTwoSegments() {
        List<SegmentManifest.Segment> s = segs();
        assertEquals(2, s.size());
        assertEquals(100, s.get(0).rows() + s.get(1).rows());
        assertTrue(s.get(0).file().startsWith("data_s_segments/"), s.get(0).file());
    }

    @Test
    void segmentPathsThatLeaveTheStore() throws IOException {
        List<SegmentManifest.Segment> orig = segs();
        SegmentManifest.Segment first = orig.get(0);
        // a file outside the store, big enough that an unchecked path would open fine
        Files.write(f.base.resolve("seg.npkd"), new byte[(int) first.bytes()]);
        f.remember();
        String abs = f.base.resolve("seg.npkd").toAbsolutePath().toString();
        for (String path : new String[] {"../seg.npkd", "data_s_segments/../../seg.npkd", abs, "/etc/passwd",
                "C:\\seg.npkd", "data_s_segments\\..\\..\\seg.npkd", "./data_s_segments/" + name(first), "",
                "data_s_segments//" + name(first), "data_s_segments/" + name(first) + "/", "..", "."}) {
            List<SegmentManifest.Segment> s = segs();
            s.set(0, new SegmentManifest.Segment(path, first.rows(), first.bytes()));
            f.write("data_s.npkseg", json(s));
            f.expectArrayUnusableBoth("s");
        }
    }

    /** A NUL in a segment path is refused like any other bad path, not with an InvalidPathException. */
    @Test
    void segmentPathWithNulCharacter() {
        List<SegmentManifest.Segment> orig = segs();
        SegmentManifest.Segment first = orig.get(0);
        for (String path : new String[] {"data_s_segments/seg\u0000.npkd", "\u0000"}) {
            List<SegmentManifest.Segment> s = segs();
            s.set(0, new SegmentManifest.Segment(path, first.rows(), first.bytes()));
            f.write("data_s.npkseg", json(s));
            f.expectArrayUnusableBoth("s");
        }
    }

    private static String name(SegmentManifest.Segment s) {
        return s.file().substring(s.file().lastIndexOf('/') + 1);
    }

    @Test
    void segmentRowsAndBytesThatDisagree() {
        List<SegmentManifest.Segment> orig = segs();
        SegmentManifest.Segment a = orig.get(0);
        SegmentManifest.Segment b = orig.get(1);
        List<List<SegmentManifest.Segment>> bad = List.of(
                List.of(new SegmentManifest.Segment(a.file(), a.rows(), a.bytes() + 1), b),
                List.of(new SegmentManifest.Segment(a.file(), a.rows() + 1, a.bytes()), b),
                List.of(new SegmentManifest.Segment(a.file(), a.rows() + 1, a.bytes() + 16), b),
                List.of(a),
                List.of(a, b, new SegmentManifest.Segment(b.file(), 1, 16)),
                List.of(new SegmentManifest.Segment(a.file(), -a.rows(), -a.bytes()), b),
                List.of(new SegmentManifest.Segment(a.file(), Long.MAX_VALUE, Long.MAX_VALUE), b),
                List.of(new SegmentManifest.Segment(a.file(), a.rows() + (1L << 62), a.bytes()), b),
                List.of());
        for (List<SegmentManifest.Segment> s : bad) {
            f.write("data_s.npkseg", json(s));
            f.expectArrayUnusableBoth("s", "data_s.npkseg");
        }
    }

    @Test
    void segmentShorterThanTheManifestSays() {
        SegmentManifest.Segment a = segs().get(0);
        byte[] data = f.read(a.file());
        f.write(a.file(), java.util.Arrays.copyOf(data, data.length - 1));
        f.expectArrayUnusableBoth("s", a.file());
    }

    @Test
    void missingSegment() {
        SegmentManifest.Segment b = segs().get(1);
        f.delete(b.file());
        f.expectArrayUnusableBoth("s", "missing");
    }

    @Test
    void missingManifest() {
        f.delete("data_s.npkseg");
        f.expectArrayUnusableBoth("s", "missing");
    }

    @Test
    void malformedManifests() {
        String good = new String(f.read("data_s.npkseg"), StandardCharsets.UTF_8);
        for (String bad : new String[] {"", "{", "[]", "null", good.substring(0, good.length() - 1), good + "x",
                good.replace("\"version\":1", "\"version\":2"), good.replace("\"rows\"", "\"r\"")}) {
            f.write("data_s.npkseg", bad);
            f.expectArrayUnusableBoth("s", "data_s.npkseg");
        }
        f.write("data_s.npkseg", new byte[] {(byte) 0xFF, (byte) 0xFE, 0, 0});
        f.expectArrayUnusableBoth("s");
    }

    @Test
    void deeplyNestedJson() {
        for (int depth : new int[] {40, 10_000, 5_000_000}) {
            String s = "{\"version\":1,\"segments\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
            f.write("data_s.npkseg", s);
            f.expectArrayUnusableBoth("s", "data_s.npkseg");
        }
    }

    @Test
    void hugeJsonFileIsRefusedWithoutReadingIt() throws IOException {
        // sparse: 200 MiB by size, a few bytes on disk
        try (RandomAccessFile r = new RandomAccessFile(f.file("data_s.npkseg").toFile(), "rw")) {
            r.setLength(200L << 20);
            r.seek(0);
            r.write("{\"version\":1,\"segments\":[".getBytes(StandardCharsets.UTF_8));
        }
        f.expectArrayUnusableBoth("s", "data_s.npkseg");
        assertEquals(200L << 20, Files.size(f.file("data_s.npkseg")));
    }

    @Test
    void largeButLegalJsonIsParsedInTime() {
        // 30 MB of whitespace around a valid manifest: accepted, within the time limit
        String good = new String(f.read("data_s.npkseg"), StandardCharsets.UTF_8);
        f.write("data_s.npkseg", " ".repeat(30_000_000) + good + "\n".repeat(1000));
        f.assertStoreIntact();
    }

    @Test
    void manyTinySegmentEntries() {
        // 400 000 entries that do not add up: refused quickly, without one file check per entry first
        SegmentManifest.Segment a = segs().get(0);
        StringBuilder sb = new StringBuilder("{\"version\":1,\"segments\":[");
        for (int i = 0; i < 400_000; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"file\":\"").append(a.file()).append("\",\"rows\":0,\"bytes\":0}");
        }
        sb.append("]}");
        f.write("data_s.npkseg", sb.toString());
        f.expectArrayUnusableBoth("s", "data_s.npkseg");
    }
}
