package dev.numpack;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The 14 element types of the NumPack format, with their on-disk codes (the {@code dtype} byte of a
 * metadata record), their size in bytes and their NumPy names.
 *
 * <p>All multi-byte types are stored little-endian. {@link #BOOL} is one byte holding 0 or 1;
 * {@link #FLOAT16} is IEEE 754 binary16; {@link #COMPLEX64} is two float32 (real, then imaginary)
 * and {@link #COMPLEX128} two float64.
 */
public enum DType {
    /** One byte, 0 or 1. Code 0, NumPy {@code bool}. */
    BOOL(0, 1, "bool", "|b1"),
    /** Unsigned 8-bit integer. Code 1. */
    UINT8(1, 1, "uint8", "|u1"),
    /** Unsigned 16-bit integer. Code 2. */
    UINT16(2, 2, "uint16", "<u2"),
    /** Unsigned 32-bit integer. Code 3. */
    UINT32(3, 4, "uint32", "<u4"),
    /** Unsigned 64-bit integer. Code 4. */
    UINT64(4, 8, "uint64", "<u8"),
    /** Signed 8-bit integer. Code 5. */
    INT8(5, 1, "int8", "|i1"),
    /** Signed 16-bit integer. Code 6. */
    INT16(6, 2, "int16", "<i2"),
    /** Signed 32-bit integer. Code 7. */
    INT32(7, 4, "int32", "<i4"),
    /** Signed 64-bit integer. Code 8. */
    INT64(8, 8, "int64", "<i8"),
    /** IEEE 754 half precision. Code 9. */
    FLOAT16(9, 2, "float16", "<f2"),
    /** IEEE 754 single precision. Code 10. */
    FLOAT32(10, 4, "float32", "<f4"),
    /** IEEE 754 double precision. Code 11. */
    FLOAT64(11, 8, "float64", "<f8"),
    /** Complex number of two float32, real part first. Code 12. */
    COMPLEX64(12, 8, "complex64", "<c8"),
    /** Complex number of two float64, real part first. Code 13. */
    COMPLEX128(13, 16, "complex128", "<c16");

    private static final DType[] BY_CODE = new DType[14];

    static {
        for (DType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;
    private final int itemSize;
    private final String numpyName;
    private final String npyDescr;

    DType(int code, int itemSize, String numpyName, String npyDescr) {
        this.code = code;
        this.itemSize = itemSize;
        this.numpyName = numpyName;
        this.npyDescr = npyDescr;
    }

    /** @return the code stored in the metadata record */
    public int code() {
        return code;
    }

    /** @return the size of one element in bytes */
    public int itemSize() {
        return itemSize;
    }

    /** @return the NumPy name of this type, for example {@code float32} */
    public String numpyName() {
        return numpyName;
    }

    /** @return the little-endian {@code .npy} descriptor, for example {@code <f4} */
    public String npyDescr() {
        return npyDescr;
    }

    /** @return the width of one scalar component: the item size, or half of it for complex types */
    public int componentSize() {
        return isComplex() ? itemSize / 2 : itemSize;
    }

    /** @return whether this is one of the two complex types */
    public boolean isComplex() {
        return this == COMPLEX64 || this == COMPLEX128;
    }

    /**
     * Decodes a metadata dtype code.
     *
     * @param code the stored byte, unsigned
     * @return the type
     * @throws InvalidArgumentException if the code is not one of the 14 known codes (upstream
     *     silently reads unknown codes as int32; we refuse them)
     */
    public static DType fromCode(int code) {
        if (code < 0 || code >= BY_CODE.length) {
            throw new InvalidArgumentException(null, null, "unknown dtype code " + code + " (known: 0-13)");
        }
        return BY_CODE[code];
    }

    /**
     * Looks a type up by its NumPy name, case-insensitive ({@code float32}, {@code uint8}, ...).
     *
     * @param name the NumPy name
     * @return the type
     * @throws InvalidArgumentException if no type has that name
     */
    public static DType fromNumpyName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (DType t : values()) {
            if (t.numpyName.equals(n)) {
                return t;
            }
        }
        throw new InvalidArgumentException(null, null, "unknown dtype name '" + name + "' (known: "
                + Arrays.stream(values()).map(DType::numpyName).collect(Collectors.joining(", "))
                + ")");
    }
}
