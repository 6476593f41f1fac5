package dev.numpack.internal.format;

import dev.numpack.DType;

import java.util.Arrays;

/**
 * One array's record in {@code metadata.npkm}, exactly the fields NumPack 0.7 stores. The shape is the
 * physical one: its first dimension counts deleted rows too.
 *
 * <p>Fields this project does not use (compression, block info) are kept verbatim so that a record read
 * from an upstream store is written back unchanged.
 */
public final class ArrayRecord {
    private final String name;
    private final long[] shape;
    private final String dataFile;
    private final long lastModifiedMicros;
    private final DType dtype;
    private final int compression;
    private final long level;
    private final long originalSize;
    private final long compressedSize;
    private final byte[] blockInfo; // raw bytes after has_block_info == 1, or null

    /**
     * @param name array name
     * @param shape physical shape
     * @param dataFile data file path relative to the store
     * @param lastModifiedMicros microseconds since the epoch
     * @param dtype element type
     * @param compression compression code (0 = none)
     * @param level compression level
     * @param originalSize uncompressed size as recorded
     * @param compressedSize compressed size as recorded
     * @param blockInfo the raw block-info bytes (after the has_block_info flag), or {@code null}
     */
    public ArrayRecord(String name, long[] shape, String dataFile, long lastModifiedMicros, DType dtype,
            int compression, long level, long originalSize, long compressedSize, byte[] blockInfo) {
        this.name = name;
        this.shape = shape.clone();
        this.dataFile = dataFile;
        this.lastModifiedMicros = lastModifiedMicros;
        this.dtype = dtype;
        this.compression = compression;
        this.level = level;
        this.originalSize = originalSize;
        this.compressedSize = compressedSize;
        this.blockInfo = blockInfo == null ? null : blockInfo.clone();
    }

    /**
     * A plain uncompressed record, as this project writes them.
     *
     * @param name array name
     * @param shape physical shape
     * @param dataFile data file path relative to the store
     * @param dtype element type
     * @param lastModifiedMicros microseconds since the epoch
     * @return the record
     */
    public static ArrayRecord plain(String name, long[] shape, String dataFile, DType dtype, long lastModifiedMicros) {
        return new ArrayRecord(name, shape, dataFile, lastModifiedMicros, dtype, 0, 0, 0, 0, null);
    }

    /** @return the array name */
    public String name() {
        return name;
    }

    /** @return a copy of the physical shape */
    public long[] shape() {
        return shape.clone();
    }

    /** @return the number of dimensions */
    public int ndim() {
        return shape.length;
    }

    /** @return the physical row count (1 for a 0-d array, which is stored as one row of one element) */
    public long physicalRows() {
        return shape.length == 0 ? 1 : shape[0];
    }

    /** @return bytes of one row */
    public long rowBytes() {
        long n = dtype.itemSize();
        for (int i = 1; i < shape.length; i++) {
            n *= shape[i];
        }
        return n;
    }

    /** @return product(shape) times the item size */
    public long sizeBytes() {
        return physicalRows() * rowBytes();
    }

    /** @return the data file path relative to the store */
    public String dataFile() {
        return dataFile;
    }

    /** @return microseconds since the Unix epoch */
    public long lastModifiedMicros() {
        return lastModifiedMicros;
    }

    /** @return the element type */
    public DType dtype() {
        return dtype;
    }

    /** @return the compression code; 0 means none */
    public int compression() {
        return compression;
    }

    long level() {
        return level;
    }

    long originalSize() {
        return originalSize;
    }

    long compressedSize() {
        return compressedSize;
    }

    byte[] blockInfo() {
        return blockInfo;
    }

    /**
     * @param newShape the new physical shape
     * @param newDataFile the new data file
     * @param micros the modification time
     * @return a copy with those fields replaced
     */
    public ArrayRecord with(long[] newShape, String newDataFile, long micros) {
        return new ArrayRecord(name, newShape, newDataFile, micros, dtype, compression, level, originalSize,
                compressedSize, blockInfo);
    }

    @Override
    public String toString() {
        return "ArrayRecord(" + name + ", " + dtype.numpyName() + Arrays.toString(shape) + ", " + dataFile + ")";
    }
}
