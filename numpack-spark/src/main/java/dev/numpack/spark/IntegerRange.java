package dev.numpack.spark;

import dev.numpack.DType;

/** The values an integer (or bool) dtype holds, for the writer's range check. */
final class IntegerRange {
    private IntegerRange() {}

    /** @return the smallest value {@code d} holds (Long.MIN_VALUE for non-integer dtypes: no check) */
    static long min(DType d) {
        return switch (d) {
            case BOOL, UINT8, UINT16, UINT32, UINT64 -> 0;
            case INT8 -> Byte.MIN_VALUE;
            case INT16 -> Short.MIN_VALUE;
            case INT32 -> Integer.MIN_VALUE;
            default -> Long.MIN_VALUE;
        };
    }

    /** @return the largest value {@code d} holds that a Java long can give (Long.MAX_VALUE: no check) */
    static long max(DType d) {
        return switch (d) {
            case BOOL -> 1;
            case UINT8 -> 0xFF;
            case UINT16 -> 0xFFFF;
            case UINT32 -> 0xFFFF_FFFFL;
            case INT8 -> Byte.MAX_VALUE;
            case INT16 -> Short.MAX_VALUE;
            case INT32 -> Integer.MAX_VALUE;
            default -> Long.MAX_VALUE;
        };
    }
}
