package dev.numpack.checkpoint;

import ai.djl.ndarray.types.DataType;
import dev.numpack.DType;

/** DJL element types and the NumPack types a checkpoint stores them as. */
final class DTypes {
    private DTypes() {}

    /** @return the NumPack type holding {@code t}'s bytes unchanged, or {@code null} if there is none */
    static DType toNumPack(DataType t) {
        switch (t) {
            case FLOAT32:
                return DType.FLOAT32;
            case FLOAT64:
                return DType.FLOAT64;
            case FLOAT16:
                return DType.FLOAT16;
            case UINT8:
                return DType.UINT8;
            case INT8:
                return DType.INT8;
            case INT16:
                return DType.INT16;
            case INT32:
                return DType.INT32;
            case INT64:
                return DType.INT64;
            case UINT16:
                return DType.UINT16;
            case UINT32:
                return DType.UINT32;
            case UINT64:
                return DType.UINT64;
            case BOOLEAN:
                return DType.BOOL;
            default:
                return null;
        }
    }
}
