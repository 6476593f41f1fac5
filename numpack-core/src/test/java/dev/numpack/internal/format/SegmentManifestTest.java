package dev.numpack.internal.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The segment manifest ({@code data_<name>.npkseg}) and the JSON reader under it. */
class SegmentManifestTest {

    static final String COMPACT = "{\"version\":1,\"segments\":["
            + "{\"file\":\"data_x_segments/seg_000000.npkd\",\"rows\":4,\"bytes\":64},"
            + "{\"file\":\"data_x_segments/seg_000001.npkd\",\"rows\":1,\"bytes\":16}]}";

    static void assertTwoSegments(SegmentManifest m) {
        assertEquals(2, m.segments().size());
        assertEquals("data_x_segments/seg_000000.npkd", m.segments().get(0).file());
        assertEquals(4, m.segments().get(0).rows());
        assertEquals(64, m.segments().get(0).bytes());
        assertEquals("data_x_segments/seg_000001.npkd", m.segments().get(1).file());
        assertEquals(1, m.segments().get(1).rows());
        assertEquals(16, m.segments().get(1).bytes());
        assertEquals(5, m.rows());
        m.check(16, 5);
    }

    @Test
    void encodesUpstreamCompactLayoutAndRoundTrips() {
        SegmentManifest m = new SegmentManifest(List.of(
                new SegmentManifest.Segment("data_x_segments/seg_000000.npkd", 4, 64),
                new SegmentManifest.Segment("data_x_segments/seg_000001.npkd", 1, 16)));
        assertEquals(COMPACT, m.encode());
        assertTwoSegments(SegmentManifest.decode(m.encode()));
    }

    @Test
    void emptyManifestRoundTrips() {
        SegmentManifest m = new SegmentManifest(List.of());
        assertEquals("{\"version\":1,\"segments\":[]}", m.encode());
        SegmentManifest back = SegmentManifest.decode(m.encode());
        assertEquals(0, back.segments().size());
        assertEquals(0, back.rows());
        back.check(8, 0);
    }

    @Test
    void segmentListIsImmutable() {
        SegmentManifest m = SegmentManifest.decode(COMPACT);
        assertThrows(UnsupportedOperationException.class, () -> m.segments().add(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // serde_json::to_string_pretty
        "{\n  \"version\": 1,\n  \"segments\": [\n    {\n      \"file\": \"data_x_segments/seg_000000.npkd\",\n"
                + "      \"rows\": 4,\n      \"bytes\": 64\n    },\n    {\n      \"file\": \"data_x_segments/seg_000001.npkd\",\n"
                + "      \"rows\": 1,\n      \"bytes\": 16\n    }\n  ]\n}",
        // Python json.dumps default separators, trailing newline
        "{\"version\": 1, \"segments\": [{\"file\": \"data_x_segments/seg_000000.npkd\", \"rows\": 4, \"bytes\": 64}, "
                + "{\"file\": \"data_x_segments/seg_000001.npkd\", \"rows\": 1, \"bytes\": 16}]}\n",
        // CRLF and tabs, leading whitespace
        "\r\n\t{\r\n\t\"version\"\t:\t1 ,\r\n\t\"segments\" : [ {\"file\" : \"data_x_segments/seg_000000.npkd\" , \"rows\":4,"
                + "\"bytes\":64} ,\r\n {\"file\":\"data_x_segments/seg_000001.npkd\",\"rows\":1,\"bytes\":16} ]\r\n}\r\n",
        // other key order, escaped slash, unicode escapes, extra keys
        "{\"segments\":[{\"bytes\":64,\"rows\":4,\"file\":\"data_x_segments\\/seg_000000.npkd\",\"crc\":null},"
                + "{\"rows\":1,\"file\":\"data_x_segments/seg_\\u0030\\u00300001.npkd\",\"bytes\":16,\"extra\":[true,false,{}]}],"
                + "\"version\":1,\"writer\":\"numpack 0.7\"}"
    })
    void acceptsWhitespaceAndOrderingVariants(String json) {
        assertTwoSegments(SegmentManifest.decode(json));
    }

    @Test
    void quotesFileNamesThatNeedEscaping() {
        String weird = "seg \"q\" \\ back\u0001ctl\n日本\uD83D\uDE00";
        SegmentManifest m = new SegmentManifest(List.of(new SegmentManifest.Segment(weird, 2, 8)));
        String json = m.encode();
        assertTrue(json.contains("\\u0001"), json);
        assertTrue(json.contains("\\u000a"), json);
        assertEquals(weird, SegmentManifest.decode(json).segments().get(0).file());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "   ",
        "[]",
        "1",
        "\"x\"",
        "null",
        "{}",
        "{\"version\":2,\"segments\":[]}",
        "{\"version\":\"1\",\"segments\":[]}",
        "{\"version\":1.0,\"segments\":[]}",
        "{\"version\":1}",
        "{\"version\":1,\"segments\":{}}",
        "{\"version\":1,\"segments\":null}",
        "{\"version\":1,\"segments\":[1]}",
        "{\"version\":1,\"segments\":[{\"file\":1,\"rows\":1,\"bytes\":1}]}",
        "{\"version\":1,\"segments\":[{\"file\":\"f\",\"rows\":\"1\",\"bytes\":1}]}",
        "{\"version\":1,\"segments\":[{\"file\":\"f\",\"rows\":1.5,\"bytes\":1}]}",
        "{\"version\":1,\"segments\":[{\"file\":\"f\",\"rows\":1}]}",
        "{\"version\":1,\"segments\":[{\"file\":\"f\",\"rows\":1,\"bytes\":99999999999999999999}]}",
        "{\"version\":1,\"segments\":[],}",
        "{\"version\":1,\"segments\":[,]}",
        "{\"version\":1,\"segments\":[]",
        "{\"version\":1,\"segments\":[]}}",
        "{\"version\":1,\"segments\":[]} x",
        "{\"version\" 1,\"segments\":[]}",
        "{version:1,\"segments\":[]}",
        "{'version':1,'segments':[]}",
        "{\"version\":1,\"segments\":[{\"file\":\"f\\x\",\"rows\":1,\"bytes\":1}]}",
        "{\"version\":1,\"segments\":[{\"file\":\"f\\u12\",\"rows\":1,\"bytes\":1}]}",
        "{\"version\":1,\"segments\":[{\"file\":\"f",
        "{\"version\":1,\"segments\":[{\"file\":\"f\\",
        "{\"version\":tru,\"segments\":[]}",
        "{\"version\":-,\"segments\":[]}",
    })
    void rejectsMalformedOrWrongManifests(String json) {
        assertThrows(FormatException.class, () -> SegmentManifest.decode(json), json);
    }

    @Test
    void rejectsDeepNestingWithoutStackOverflow() {
        for (int depth : new int[] {34, 100, 10_000, 1_000_000}) {
            String json = "[".repeat(depth) + "]".repeat(depth);
            FormatException e = assertThrows(FormatException.class, () -> SegmentManifest.decode(json));
            assertTrue(e.getMessage().contains("deep"), e.getMessage());
            String objs = "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
            assertThrows(FormatException.class, () -> SegmentManifest.decode(objs));
        }
        // shallow nesting is fine for the parser (but not a manifest)
        assertEquals(List.of(List.of()), Json.parse("[[]]"));
        String ok = "[".repeat(32) + "]".repeat(32);
        Json.parse(ok);
    }

    @Test
    void parsesLargeInputsInLinearTime() {
        StringBuilder sb = new StringBuilder("{\"version\":1,\"segments\":[");
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"file\":\"s").append(i).append("\",\"rows\":1,\"bytes\":8}");
        }
        sb.append("]}");
        long t0 = System.nanoTime();
        SegmentManifest m = SegmentManifest.decode(sb.toString());
        assertEquals(n, m.segments().size());
        m.check(8, n);
        String spaces = " ".repeat(20_000_000) + "{\"version\":1,\"segments\":[]}";
        assertEquals(0, SegmentManifest.decode(spaces).segments().size());
        String digits = "{\"version\":" + "9".repeat(5_000_000) + ",\"segments\":[]}";
        assertThrows(FormatException.class, () -> SegmentManifest.decode(digits));
        assertTrue(System.nanoTime() - t0 < 20_000_000_000L, "parsing took too long");
    }

    @Test
    void jsonValueTypes() {
        Object v = Json.parse("{\"a\":[1,-2,3.5,1e3,true,false,null,\"s\"]}");
        assertTrue(v instanceof Map);
        List<?> l = (List<?>) ((Map<?, ?>) v).get("a");
        assertEquals(1L, l.get(0));
        assertEquals(-2L, l.get(1));
        assertEquals(3.5, l.get(2));
        assertEquals(1000.0, l.get(3));
        assertEquals(Boolean.TRUE, l.get(4));
        assertEquals(Boolean.FALSE, l.get(5));
        assertEquals(null, l.get(6));
        assertEquals("s", l.get(7));
    }

    // ------------------------------------------------------------------ check

    @Test
    void checkAcceptsAnySegmentSizesThatAddUp() {
        SegmentManifest m = new SegmentManifest(List.of(
                new SegmentManifest.Segment("a", 0, 0),
                new SegmentManifest.Segment("b", 7, 56),
                new SegmentManifest.Segment("c", 1, 8),
                new SegmentManifest.Segment("d", 0, 0)));
        m.check(8, 8);
        assertEquals(8, m.rows());
    }

    @Test
    void checkRejectsRowsAndBytesThatDisagree() {
        assertThrows(FormatException.class, () -> manifest(4, 63).check(16, 4));
        assertThrows(FormatException.class, () -> manifest(4, 65).check(16, 4));
        assertThrows(FormatException.class, () -> manifest(-1, -16).check(16, -1));
        assertThrows(FormatException.class, () -> manifest(4, 64).check(16, 5));
        assertThrows(FormatException.class, () -> manifest(4, 64).check(16, 3));
        assertThrows(FormatException.class, () -> manifest(1, 8).check(0, 1));
        // rows x rowBytes overflows to the recorded bytes
        long rows = (1L << 62) + 1;
        assertThrows(FormatException.class, () -> manifest(rows, 4).check(4, rows));
        // zero-width rows: any row count, zero bytes
        manifest(1000, 0).check(0, 1000);
        FormatException e = assertThrows(FormatException.class, () -> manifest(4, 63).check(16, 4));
        assertTrue(e.getMessage().contains("segment 0"), e.getMessage());
    }

    @Test
    void checkRejectsRowCountsThatOverflowWhenSummed() {
        // three zero-width segments whose row counts wrap around to 0 when added in 64 bits
        SegmentManifest m = new SegmentManifest(List.of(
                new SegmentManifest.Segment("a", Long.MAX_VALUE, 0),
                new SegmentManifest.Segment("b", Long.MAX_VALUE, 0),
                new SegmentManifest.Segment("c", 2, 0)));
        assertThrows(FormatException.class, () -> m.check(0, 0),
                "segments totalling 2^64 rows must not pass as 0 rows");
    }

    private static SegmentManifest manifest(long rows, long bytes) {
        return new SegmentManifest(List.of(new SegmentManifest.Segment("s", rows, bytes)));
    }
}
