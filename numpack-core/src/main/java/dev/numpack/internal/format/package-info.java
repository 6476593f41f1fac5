/**
 * The NumPack 0.7 on-disk formats as codecs over {@link java.nio.ByteBuffer}s: metadata, journal records,
 * {@code .npy} headers, segment manifests, deletion bitmaps, float16, and the small JSON they need. They
 * know no files: reading, writing, mapping and syncing are the engine's job.
 *
 * <p>Not exported. May depend on {@code java.base} without {@code java.io.File*}, {@code RandomAccessFile},
 * {@code MappedByteBuffer}, {@code java.nio.file} or {@code java.nio.channels}; of numpack-core, only on
 * {@code DType}, the exceptions and {@code dev.numpack.internal}. Never on {@code dev.numpack.internal.store}.
 */
package dev.numpack.internal.format;
