package dev.numpack.internal.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.DType;
import dev.numpack.testkit.Python;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

public class NpyHeaderTest {
    private static final List<long[]> SHAPES = List.of(
            new long[] {}, new long[] {7}, new long[] {2, 3, 4}, new long[] {0, 5}, new long[] {123456789012L});

    // ---------------------------------------------------------------- encode / decode round trip

    @ParameterizedTest
    @EnumSource(DType.class)
    void roundTripsEveryDtypeAndRank(DType dtype) {
        for (long[] shape : SHAPES) {
            ByteBuffer encoded = NpyHeader.encode(dtype, shape);
            int length = encoded.remaining();
            assertEquals(0, length % 64, "data must start on a 64-byte boundary");
            assertEquals('\n', encoded.get(length - 1));
            assertEquals(length, NpyHeader.totalHeaderLength(encoded));

            NpyHeader h = NpyHeader.decode(encoded);
            assertEquals(dtype, h.dtype());
            assertArrayEquals(shape, h.shape());
            assertFalse(h.fortranOrder());
            assertFalse(h.bigEndian());
            assertEquals(1, h.version());
            assertEquals(length, h.headerLength());
            assertEquals(Arrays.stream(shape).reduce(dtype.itemSize(), Math::multiplyExact), h.dataLength());
            assertEquals(0, encoded.position(), "decode must not move the buffer");
        }
    }

    @Test
    void encodesExactlyWhatNumpyWrites() {
        // numpy.save(f, numpy.zeros((3, 4), numpy.float32)): 21 - len("3") spaces of growth room, then
        // padding to 128 bytes.
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }" + " ".repeat(20);
        String expected = "\u0093NUMPY\u0001\u0000\u0076\u0000" + dict
                + " ".repeat(128 - 10 - dict.length() - 1) + "\n";
        assertEquals(expected, latin1(NpyHeader.encode(DType.FLOAT32, new long[] {3, 4})));

        assertTrue(latin1(NpyHeader.encode(DType.BOOL, new long[] {5}))
                .contains("{'descr': '|b1', 'fortran_order': False, 'shape': (5,), }"));
        assertTrue(latin1(NpyHeader.encode(DType.COMPLEX64, new long[] {}))
                .contains("{'descr': '<c8', 'fortran_order': False, 'shape': (), }"));
    }

    @Test
    void headersMatchNumpyByteForByte() {
        Python.assumeAvailable();
        StringBuilder cases = new StringBuilder();
        StringBuilder ours = new StringBuilder();
        for (DType dtype : DType.values()) {
            for (long[] shape : List.of(new long[] {}, new long[] {7}, new long[] {2, 3, 4}, new long[] {0, 5},
                    new long[] {1000000, 1}, new long[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1})) {
                cases.append(dtype.numpyName()).append(' ')
                        .append(Arrays.toString(shape).replaceAll("[\\[\\] ]", "")).append(';');
                ours.append(HexFormat.of().formatHex(bytes(NpyHeader.encode(dtype, shape)))).append(';');
            }
        }
        String theirs = Python.run(String.join("\n",
                "import io, sys, numpy",
                "out = []",
                "for case in sys.argv[1].split(';')[:-1]:",
                "    name, dims = case.split(' ')",
                "    shape = tuple(int(d) for d in dims.split(',') if d)",
                "    f = io.BytesIO()",
                "    numpy.lib.format.write_array_header_1_0(",
                "        f, numpy.lib.format.header_data_from_array_1_0(numpy.empty(shape, name)))",
                "    out.append(f.getvalue().hex())",
                "print(';'.join(out) + ';', end='')"), cases.toString());
        assertEquals(theirs, ours.toString());
    }

    @Test
    void switchesToVersion2WhenTheHeaderOutgrows16Bits() {
        long[] shape = new long[30000]; // "1, " per dimension: 90000 bytes
        Arrays.fill(shape, 1);
        ByteBuffer encoded = NpyHeader.encode(DType.INT16, shape);
        assertEquals(2, encoded.get(6));
        assertEquals(0, encoded.remaining() % 64);
        NpyHeader h = NpyHeader.decode(encoded);
        assertEquals(2, h.version());
        assertArrayEquals(shape, h.shape());
        assertEquals(2, h.dataLength());
    }

    // ---------------------------------------------------------------- tolerant decoding

    @Test
    void acceptsAnyKeyOrderQuotingAndSpacing() {
        NpyHeader h = decode(1, "{ \"shape\" : ( 3 ,4 ) ,'fortran_order':True,  \"descr\":'>i4'}");
        assertEquals(DType.INT32, h.dtype());
        assertArrayEquals(new long[] {3, 4}, h.shape());
        assertTrue(h.fortranOrder());
        assertTrue(h.bigEndian());
        assertEquals(48, h.dataLength());

        assertArrayEquals(new long[] {5}, decode(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (5,)}").shape());
        assertArrayEquals(new long[] {}, decode(1, "{'descr': '<f8', 'fortran_order': False, 'shape': ()}").shape());
        assertArrayEquals(new long[] {2, 3},
                decode(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3,),}").shape());
        // Python 2 NumPy wrote long literals with an L suffix.
        assertArrayEquals(new long[] {3, 4},
                decode(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3L, 4L), }").shape());
    }

    @Test
    void acceptsEveryByteOrderSpelling() {
        assertDescr("<u2", DType.UINT16, false);
        assertDescr(">u2", DType.UINT16, true);
        assertDescr("=u2", DType.UINT16, false);
        assertDescr("u2", DType.UINT16, false);
        assertDescr(">c16", DType.COMPLEX128, true);
        assertDescr("<c8", DType.COMPLEX64, false);
        assertDescr(">f2", DType.FLOAT16, true);
        assertDescr("|b1", DType.BOOL, false);
        assertDescr("?", DType.BOOL, false);
        assertDescr("|?", DType.BOOL, false);
        assertDescr("|u1", DType.UINT8, false);
        assertDescr(">u1", DType.UINT8, false); // one byte has no byte order
        assertDescr("<i1", DType.INT8, false);
        assertDescr(">i8", DType.INT64, true);
        assertDescr(">u8", DType.UINT64, true);
        assertDescr(">u4", DType.UINT32, true);
        assertDescr(">i2", DType.INT16, true);
        assertDescr(">f4", DType.FLOAT32, true);
        assertDescr(">f8", DType.FLOAT64, true);
    }

    @Test
    void acceptsHeadersAlignedTo16BytesAsOldNumpyWrote() {
        ByteBuffer b = header(1, dict("'<i2'", "(3,)"), 16);
        assertEquals(80, b.remaining());
        NpyHeader h = NpyHeader.decode(b);
        assertEquals(80, h.headerLength());
        assertArrayEquals(new long[] {3}, h.shape());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void readsVersions2And3(int version) {
        NpyHeader h = decode(version, "{'descr': '<i8', 'fortran_order': False, 'shape': (6,), }");
        assertEquals(version, h.version());
        assertEquals(DType.INT64, h.dtype());
        assertEquals(48, h.dataLength());
        assertEquals(0, h.headerLength() % 64);
    }

    // ---------------------------------------------------------------- rejection

    @Test
    void rejectsBadMagic() {
        ByteBuffer b = NpyHeader.encode(DType.FLOAT32, new long[] {3});
        b.put(1, (byte) 'X');
        assertMessage(() -> NpyHeader.decode(b), "bad magic");
        assertMessage(() -> NpyHeader.totalHeaderLength(ByteBuffer.wrap("PK\u0003\u0004zipfile".getBytes(
                StandardCharsets.ISO_8859_1))), "bad magic");
    }

    @Test
    void rejectsUnsupportedVersions() {
        for (int[] v : new int[][] {{0, 0}, {1, 1}, {4, 0}, {255, 0}}) {
            ByteBuffer b = NpyHeader.encode(DType.FLOAT32, new long[] {3});
            b.put(6, (byte) v[0]).put(7, (byte) v[1]);
            assertMessage(() -> NpyHeader.decode(b), "version " + v[0] + "." + v[1]);
        }
    }

    @Test
    void rejectsTruncatedHeaders() {
        ByteBuffer full = NpyHeader.encode(DType.FLOAT32, new long[] {3, 4});
        assertMessage(() -> NpyHeader.totalHeaderLength(full.duplicate().limit(5)), "truncated");
        assertMessage(() -> NpyHeader.totalHeaderLength(full.duplicate().limit(9)), "truncated");
        assertEquals(128, NpyHeader.totalHeaderLength(full.duplicate().limit(10)), "10 bytes suffice for v1");
        assertMessage(() -> NpyHeader.decode(full.duplicate().limit(100)), "truncated");
        assertMessage(() -> NpyHeader.decode(header(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,")),
                "end of the header");
    }

    @Test
    void rejectsAbsurdHeaderLengths() {
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(Integer.MAX_VALUE).flip();
        assertMessage(() -> NpyHeader.totalHeaderLength(b), "exceeds the limit");
    }

    @Test
    void rejectsMalformedDicts() {
        assertMessage(() -> decode(1, "['descr', 'fortran_order', 'shape']"), "not a dict");
        assertMessage(() -> decode(1, "{'descr': '<f4' 'fortran_order': False, 'shape': (3,), }"), "expected ','");
        assertMessage(() -> decode(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), } junk"),
                "after the dict");
        assertMessage(() -> decode(1, "{'descr': '<f4', 'fortran_order': False}"), "exactly the keys");
        assertMessage(() -> decode(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'x': 1}"),
                "exactly the keys");
        assertMessage(() -> decode(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (3,)}"),
                "duplicate key");
        assertMessage(() -> decode(1, "{'descr': '<f4', 'fortran_order': 0, 'shape': (3,)}"), "fortran_order");
        assertMessage(() -> decode(1, "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (3,)}"), "'Maybe'");
        assertMessage(() -> decode(1, "{'descr': '<f4', 'fortran_order': False, 'shape': [3, 4]}"), "tuple");
        assertMessage(() -> decode(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3)}"), "tuple");
        assertMessage(() -> decode(1, "{'descr': '<f4', 'fortran_order': False, 'shape': ('3',)}"), "dimension");
        assertMessage(() -> decode(1, "{'descr': 'it\\'s', 'fortran_order': False, 'shape': ()}"), "escape");
    }

    @Test
    void rejectsUnsupportedDescrs() {
        assertMessage(() -> decode(1, dict("'<U3'", "(2,)")), "'<U3'");
        assertMessage(() -> decode(1, dict("'|S5'", "(2,)")), "string");
        assertMessage(() -> decode(1, dict("'|O'", "(2,)")), "object");
        assertMessage(() -> decode(1, dict("'O'", "(2,)")), "object");
        assertMessage(() -> decode(1, dict("'<M8[ns]'", "(2,)")), "datetime");
        assertMessage(() -> decode(1, dict("'<f16'", "(2,)")), "'<f16'");
        assertMessage(() -> decode(1, dict("'|f4'", "(2,)")), "one-byte");
        assertMessage(() -> decode(1, dict("[('x', '<f4'), ('y', '<i4')]", "(2,)")), "structured");
        assertMessage(() -> decode(1, dict("('<f4', (2,))", "(2,)")), "subarray");
        assertMessage(() -> decode(1, dict("7", "(2,)")), "must be a string");
    }

    @Test
    void rejectsAbsurdShapes() {
        assertMessage(() -> decode(1, dict("'<f4'", "(3, -1)")), "-1");
        assertMessage(() -> decode(1, dict("'<f4'", "(4611686018427387904, 2)")), "bytes");
        assertMessage(() -> decode(1, dict("'<f4'", "(99999999999999999999,)")), "out of range");
        // Empty, yet its rows would be too large to size.
        assertMessage(() -> decode(1, dict("'<f4'", "(0, 4611686018427387904, 2)")), "bytes");
        assertThrows(IllegalArgumentException.class, () -> NpyHeader.encode(DType.INT8, new long[] {-1}));
        assertThrows(IllegalArgumentException.class,
                () -> NpyHeader.encode(DType.INT64, new long[] {Long.MAX_VALUE / 4}));
    }

    @Test
    void rejectsInvalidUtf8InVersion3() {
        ByteBuffer b = header(3, dict("'<f4'", "(2,)"));
        b.put(b.limit() - 2, (byte) 0xC3); // a lone lead byte in the padding
        assertMessage(() -> NpyHeader.decode(b), "UTF-8");
    }

    // ---------------------------------------------------------------- helpers

    private static String dict(String descr, String shape) {
        return "{'descr': " + descr + ", 'fortran_order': False, 'shape': " + shape + ", }";
    }

    private static void assertDescr(String descr, DType dtype, boolean bigEndian) {
        NpyHeader h = decode(1, "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (2,), }");
        assertEquals(dtype, h.dtype(), descr);
        assertEquals(bigEndian, h.bigEndian(), descr);
    }

    private static NpyHeader decode(int version, String dict) {
        return NpyHeader.decode(header(version, dict));
    }

    /** Builds a header by hand (not with encode, which is under test) around the given dict text. */
    public static ByteBuffer header(int version, String dict) {
        return header(version, dict, 64);
    }

    private static ByteBuffer header(int version, String dict, int alignment) {
        byte[] text = dict.getBytes(version == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int prefix = version == 1 ? 10 : 12;
        int padded = text.length + 1;
        padded += (alignment - (prefix + padded) % alignment) % alignment;
        ByteBuffer b = ByteBuffer.allocate(prefix + padded).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
        if (version == 1) {
            b.putShort((short) padded);
        } else {
            b.putInt(padded);
        }
        b.put(text);
        while (b.remaining() > 1) {
            b.put((byte) ' ');
        }
        return b.put((byte) '\n').flip();
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String expected) {
        FormatException e = assertThrows(FormatException.class, call);
        assertTrue(e.getMessage().contains(expected),
                "message should mention \"" + expected + "\": " + e.getMessage());
    }

    private static String latin1(ByteBuffer b) {
        return new String(bytes(b), StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
