package dev.numpack.internal.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.testkit.Python;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IEEE binary16 conversions: exhaustive round trip, known values, and NumPy as the reference. */
class Float16Test {
    @TempDir
    Path dir;

    private static int h(float f) {
        return Float16.fromFloat(f) & 0xFFFF;
    }

    private static boolean isNaNHalf(int bits) {
        return (bits & 0x7C00) == 0x7C00 && (bits & 0x3FF) != 0;
    }

    @Test
    void everyHalfRoundTripsThroughFloat() {
        int nanCount = 0;
        for (int bits = 0; bits < 65536; bits++) {
            float f = Float16.toFloat((short) bits);
            int back = h(f);
            if (isNaNHalf(bits)) {
                nanCount++;
                assertTrue(Float.isNaN(f), () -> Integer.toHexString(bitsOf(f)));
                assertTrue(isNaNHalf(back), "NaN stays NaN");
                assertEquals(bits & 0x8000, back & 0x8000, "NaN sign");
                if ((bits & 0x200) != 0) {
                    assertEquals(bits, back, "quiet NaN payload survives: " + Integer.toHexString(bits));
                }
            } else {
                assertEquals(bits, back, "half 0x" + Integer.toHexString(bits) + " -> " + f);
            }
        }
        assertEquals(2 * 1023, nanCount);
    }

    private static int bitsOf(float f) {
        return Float.floatToRawIntBits(f);
    }

    @Test
    void toFloatKnownValues() {
        assertEquals(0f, Float16.toFloat((short) 0));
        assertEquals(0x80000000, bitsOf(Float16.toFloat((short) 0x8000)), "-0 keeps its sign");
        assertEquals(1f, Float16.toFloat((short) 0x3C00));
        assertEquals(-2f, Float16.toFloat((short) 0xC000));
        assertEquals(65504f, Float16.toFloat((short) 0x7BFF));
        assertEquals(6.1035156e-05f, Float16.toFloat((short) 0x0400));
        assertEquals(0x1p-24f, Float16.toFloat((short) 0x0001));
        assertEquals(0x3FFp-24f, Float16.toFloat((short) 0x03FF));
        assertEquals(Float.POSITIVE_INFINITY, Float16.toFloat((short) 0x7C00));
        assertEquals(Float.NEGATIVE_INFINITY, Float16.toFloat((short) 0xFC00));
        assertTrue(Float.isNaN(Float16.toFloat((short) 0x7E00)));
        assertEquals(0.333251953125f, Float16.toFloat((short) 0x3555));
    }

    @Test
    void fromFloatKnownValues() {
        assertEquals(0x0000, h(0f));
        assertEquals(0x8000, h(-0f));
        assertEquals(0x3C00, h(1f));
        assertEquals(0x7BFF, h(65504f));
        assertEquals(0xFBFF, h(-65504f));
        assertEquals(0x0400, h(6.1035156e-05f), "smallest normal");
        assertEquals(0x0001, h(0x1p-24f), "smallest subnormal");
        assertEquals(0x03FF, h(0x3FFp-24f), "largest subnormal");
        assertEquals(0x7C00, h(Float.POSITIVE_INFINITY));
        assertEquals(0xFC00, h(Float.NEGATIVE_INFINITY));
        assertTrue(isNaNHalf(h(Float.NaN)));
        assertTrue(isNaNHalf(h(Float.intBitsToFloat(0x7F800001))), "NaN with only low payload bits stays NaN");
        assertTrue(isNaNHalf(h(Float.intBitsToFloat(0xFFFFFFFF))));
        assertEquals(0x8000, h(Float.intBitsToFloat(0xFFFFFFFF)) & 0x8000);
    }

    @Test
    void fromFloatOverflowAndUnderflow() {
        assertEquals(0x7BFF, h(65519.996f), "just below the rounding boundary");
        assertEquals(0x7C00, h(65520f), "the boundary ties to even: infinity");
        assertEquals(0x7C00, h(1e6f));
        assertEquals(0x7C00, h(Float.MAX_VALUE));
        assertEquals(0xFC00, h(-Float.MAX_VALUE));
        assertEquals(0x0000, h(0x1p-25f), "half the smallest subnormal ties to even: zero");
        assertEquals(0x0001, h(Math.nextUp(0x1p-25f)), "just above half rounds up");
        assertEquals(0x0000, h(Math.nextDown(0x1p-25f)));
        assertEquals(0x0000, h(Float.MIN_VALUE));
        assertEquals(0x8000, h(-Float.MIN_VALUE), "negative underflow keeps the sign");
        assertEquals(0x0000, h(1e-30f));
    }

    @Test
    void fromFloatTiesToEven() {
        // between 1 (0x3C00) and 1+2^-10 (0x3C01): the midpoint goes to the even 0x3C00
        assertEquals(0x3C00, h(1f + 0x1p-11f));
        // between 0x3C01 and 0x3C02: the midpoint goes to the even 0x3C02
        assertEquals(0x3C02, h(1f + 3 * 0x1p-11f));
        assertEquals(0x3C01, h(Math.nextUp(1f + 0x1p-11f)));
        assertEquals(0x3C01, h(Math.nextDown(1f + 3 * 0x1p-11f)));
        // subnormal ties: 1.5 x 2^-24 -> 2 (even), 2.5 x 2^-24 -> 2 (even)
        assertEquals(0x0002, h(1.5f * 0x1p-24f));
        assertEquals(0x0002, h(2.5f * 0x1p-24f));
        assertEquals(0x0003, h(Math.nextUp(2.5f * 0x1p-24f)));
        // a tie that carries from the largest subnormal into the smallest normal
        assertEquals(0x0400, h(0x3FFp-24f + 0x1p-25f));
        // a tie that carries into the next binade: 2047.5 / 2 -> 2048 (0x6800)
        assertEquals(0x6800, h(2047f + 0.5f));
        assertEquals(0x67FE, h(2046f + 0.5f) , "2046.5 ties to even 2046");
    }

    @Test
    void fromFloatIsMonotonic() {
        int prev = -1;
        for (float f = 0f; f < 70000f; f = f < 1e-3f ? Math.nextUp(f) * 1.01f : f * 1.0001f + 1e-7f) {
            int b = h(f);
            assertTrue(b >= prev, "fromFloat is monotonic at " + f);
            prev = b;
        }
    }

    // ------------------------------------------------------------------ NumPy as the reference

    private static List<Integer> probeFloats() {
        List<Integer> bits = new ArrayList<>();
        for (int hb = 0; hb < 0x7C00; hb++) { // every finite positive half, its neighbours and the midpoints
            float f = Float16.toFloat((short) hb);
            float next = Float16.toFloat((short) (hb + 1));
            float mid = (f + next) / 2; // exact in float: halves have 11 significant bits
            for (float x : new float[] {f, mid, Math.nextUp(mid), Math.nextDown(mid), Math.nextUp(f), Math.nextDown(f)}) {
                bits.add(bitsOf(x));
                bits.add(bitsOf(-x));
            }
        }
        Random rnd = new Random(7);
        for (int i = 0; i < 300_000; i++) {
            bits.add(rnd.nextInt());
        }
        for (float f : new float[] {65504f, 65519f, 65519.996f, 65520f, 65536f, 1e10f, Float.MAX_VALUE, Float.MIN_VALUE,
                Float.MIN_NORMAL, 0x1p-25f, 0x1p-26f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            bits.add(bitsOf(f));
            bits.add(bitsOf(-f));
        }
        return bits;
    }

    @Test
    void fromFloatMatchesNumpy() throws IOException {
        Python.assumeAvailable();
        List<Integer> in = probeFloats();
        ByteBuffer b = ByteBuffer.allocate(4 * in.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : in) {
            b.putInt(v);
        }
        Path src = dir.resolve("in.f32");
        Path out = dir.resolve("out.f16");
        Files.write(src, b.array());
        Python.run("import sys, numpy as np, warnings\n"
                + "warnings.simplefilter('ignore')\n"
                + "a = np.fromfile(sys.argv[1], dtype='<f4')\n"
                + "a.astype('<f2').tofile(sys.argv[2])\n", src.toString(), out.toString());
        ByteBuffer ref = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(2 * in.size(), ref.remaining());
        int mismatches = 0;
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < in.size(); i++) {
            float f = Float.intBitsToFloat(in.get(i));
            int want = ref.getShort(2 * i) & 0xFFFF;
            int got = h(f);
            boolean ok = Float.isNaN(f) ? isNaNHalf(got) && isNaNHalf(want) && (got & 0x8000) == (want & 0x8000)
                    : got == want;
            if (!ok) {
                if (mismatches++ < 10) {
                    first.append(String.format("%n  float 0x%08X (%s): numpy 0x%04X, ours 0x%04X", in.get(i), f, want, got));
                }
            }
        }
        assertEquals(0, mismatches, "fromFloat disagrees with numpy on " + mismatches + " of " + in.size() + first);
    }

    @Test
    void toFloatMatchesNumpy() throws IOException {
        Python.assumeAvailable();
        ByteBuffer b = ByteBuffer.allocate(2 * 65536).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 65536; i++) {
            b.putShort((short) i);
        }
        Path src = dir.resolve("all.f16");
        Path out = dir.resolve("all.f32");
        Files.write(src, b.array());
        Python.run("import sys, numpy as np\n"
                + "np.fromfile(sys.argv[1], dtype='<f2').astype('<f4').tofile(sys.argv[2])\n",
                src.toString(), out.toString());
        ByteBuffer ref = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 65536; i++) {
            int want = ref.getInt(4 * i);
            int got = bitsOf(Float16.toFloat((short) i));
            if (isNaNHalf(i)) {
                assertTrue(Float.isNaN(Float.intBitsToFloat(want)) && Float.isNaN(Float.intBitsToFloat(got)));
                assertEquals(want >>> 31, got >>> 31, "NaN sign of half 0x" + Integer.toHexString(i));
            } else {
                assertEquals(want, got, "half 0x" + Integer.toHexString(i));
            }
        }
    }
}
