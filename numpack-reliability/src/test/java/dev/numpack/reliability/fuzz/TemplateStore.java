package dev.numpack.reliability.fuzz;

import dev.numpack.DType;
import dev.numpack.Durability;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

/**
 * The valid store every store case starts from, built once per fuzzing JVM through the public API and copied
 * into each case: a plain float32 matrix, an int64 vector with a deletion bitmap, a float64 matrix cut into
 * segments, a bool matrix, an empty uint8 array, a float16 cube and a scalar-row int32 vector. Its writer left a
 * cleared journal behind, as every writer does.
 */
final class TemplateStore {
    /** Segment size of the template: "s" (25 x 8 float64, 1600 bytes) becomes two segments. */
    static final long SEGMENT_TARGET = 1000;
    /** The template's arrays. */
    static final List<String> NAMES = List.of("a", "b", "s", "c", "u", "h", "i");

    private TemplateStore() {}

    /** Builds the template at {@code dir}. */
    static void build(Path dir) {
        try (NumPack np = NumPack.builder().setPath(dir).optDurability(Durability.NO_FSYNC)
                .optSegmentTargetBytes(SEGMENT_TARGET).build()) {
            np.save("a", filledArray(DType.FLOAT32, 6, 4));
            np.save("b", filledArray(DType.INT64, 10));
            np.delete("b", 2, 5);
            np.save("s", filledArray(DType.FLOAT64, 25, 8));
            np.save("c", filledArray(DType.BOOL, 5, 3));
            np.save("u", NdArray.zeros(DType.UINT8, 0, 3));
            np.save("h", filledArray(DType.FLOAT16, 3, 2, 2));
            np.save("i", filledArray(DType.INT32, 7));
        }
    }

    /**
     * @return an array of {@code dtype} and {@code shape} whose bytes are a simple pattern valid for every type
     *     (bool bytes are 0 or 1)
     */
    static NdArray filledArray(DType dtype, long... shape) {
        long n = dtype.itemSize();
        for (long d : shape) {
            n *= d;
        }
        ByteBuffer b = ByteBuffer.allocateDirect((int) n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.put(i, (byte) (dtype == DType.BOOL ? i & 1 : (i * 7 + 3) & 0x3F));
        }
        return NdArray.wrap(dtype, shape, b);
    }
}
