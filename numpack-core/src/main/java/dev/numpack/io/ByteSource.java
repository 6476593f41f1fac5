package dev.numpack.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;

/**
 * The bytes of one array file as its reader sees them: a {@code .npy} file, an {@code .npz} member, an IDX
 * file, each numbered from its own first byte. Either a range of a file read in place ({@link FileBytes}),
 * or a stream decompressed on the way ({@link StreamedBytes}), which reads forwards and starts over to go
 * back. Damaged bytes (a checksum mismatch, a broken compressed stream) surface as a
 * {@link dev.numpack.CorruptStoreException} naming the file and member.
 */
interface ByteSource extends Closeable {
    /** @return how many bytes the source holds */
    long length();

    /**
     * Reads bytes until {@code dst} is full or the source ends.
     *
     * @param offset the first byte to read
     * @param dst receives the bytes from its position, which is advanced past them
     * @return how many bytes were read: fewer than {@code dst} had room for only at the end of the source
     * @throws IOException if the file cannot be read
     */
    int read(long offset, ByteBuffer dst) throws IOException;

    /** @return whether {@link #map} works: the bytes lie in a file as they are */
    boolean mappable();

    /**
     * Maps bytes for reading in place.
     *
     * @param offset the first byte
     * @param size how many
     * @return a read-only mapping
     * @throws IOException if the mapping fails
     * @throws UnsupportedOperationException if the source is not {@link #mappable()}
     */
    MappedByteBuffer map(long offset, long size) throws IOException;

    /**
     * Gives the same bytes as a source that can be mapped: this one if it can, else a copy in a temporary
     * file, in which case this source is closed.
     *
     * @return a {@link #mappable()} source
     * @throws IOException if the copy cannot be written
     */
    default ByteSource inPlace() throws IOException {
        return this;
    }

    /**
     * Reads through whatever bytes a checksum covers and no read has passed over in order yet, so that damage
     * shows now: a reader that will jump around (mapping windows) calls this first.
     *
     * @throws IOException if the file cannot be read
     */
    default void verify() throws IOException {
    }
}
