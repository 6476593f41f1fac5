package dev.numpack.io;

import dev.numpack.AlreadyClosedException;
import dev.numpack.DType;
import dev.numpack.InvalidArgumentException;
import dev.numpack.LazyArray;
import dev.numpack.NdArray;
import dev.numpack.NumPackException;
import dev.numpack.ProgressListener;
import dev.numpack.StoreStateException;
import dev.numpack.internal.format.NpyHeader;
import dev.numpack.internal.format.ZipDirectory;
import dev.numpack.internal.format.ZipEncoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * Writes a NumPy {@code .npz} archive, as {@code numpy.savez} does (stored members, zip64 where a member or
 * the archive passes 4 GiB), atomically: members stream into a temporary file beside the target, and
 * {@link #commit()} syncs it and renames it onto the target. Until then the target is untouched;
 * {@link #close()} without a commit deletes the temporary file. {@code numpy.load} reads the result.
 *
 * <pre>{@code
 * try (NpzWriter w = NpzWriter.create(Path.of("data.npz"))) {
 *     w.add("labels", labels);                        // an NdArray
 *     w.add("images", np.lazy("images"));             // streamed from a store, memory bounded
 *     w.begin("x", DType.FLOAT32, new long[] {n, 128});
 *     for (ByteBuffer rows : chunks) {
 *         w.write(rows);                              // little-endian, C-order rows
 *     }
 *     w.commit();
 * }
 * }</pre>
 *
 * <p>A writer is meant for one thread. A failed write abandons it: the temporary file is deleted.
 */
public final class NpzWriter implements AutoCloseable {
    private static final String NPY = ".npy";

    /** A member whose bytes are all written, for the central directory. */
    private record Written(byte[] name, long crc, long size, long offset) {}

    private final Path target;
    private final AtomicFile file;
    private final boolean forceZip64;
    private final List<Written> written = new ArrayList<>();
    private final Set<String> names = new LinkedHashSet<>();
    private long position;

    // The member being written, if any.
    private String member;
    private byte[] memberName;
    private long memberOffset;
    private long memberSize;
    private long memberRemaining;
    private final CRC32 crc = new CRC32();

    private NpzWriter(AtomicFile file, boolean forceZip64) {
        this.target = file.target();
        this.file = file;
        this.forceZip64 = forceZip64;
    }

    /**
     * Starts an archive: creates {@code <target>.tmp-<random>} beside the target.
     *
     * @param target the file to create or replace on {@link #commit()}
     * @return the writer, with no members yet
     * @throws InvalidArgumentException if the target has no file name
     * @throws NumPackException if the temporary file cannot be created
     */
    public static NpzWriter create(Path target) {
        return create(target, false);
    }

    /** As {@link #create(Path)}; with {@code forceZip64}, every record uses zip64 fields, to test them. */
    static NpzWriter create(Path target, boolean forceZip64) {
        return new NpzWriter(AtomicFile.create(target, ".npz"), forceZip64);
    }

    /** @return the file this writer creates or replaces on commit */
    public Path target() {
        return target;
    }

    /** @return the names of the members begun so far, in order */
    public List<String> members() {
        return new ArrayList<>(names);
    }

    /**
     * Adds an in-memory array as member {@code <name>.npy}.
     *
     * @param name the array's name in the archive ({@code numpy.load(f)[name]})
     * @param array the array
     * @throws InvalidArgumentException if the name is unsafe (empty, absolute, with {@code ..} or control
     *     characters) or already taken
     * @throws StoreStateException if another member is still incomplete
     * @throws NumPackException if writing fails; the writer is then abandoned
     */
    public void add(String name, NdArray array) {
        begin(name, array.dtype(), array.shape());
        if (memberRemaining > 0) {
            write(array.buffer());
        }
    }

    /**
     * Adds an array of a store as member {@code <name>.npy}, streamed: memory stays bounded whatever its size.
     *
     * @param name the array's name in the archive
     * @param array the array's live rows
     * @throws InvalidArgumentException if the name is unsafe or already taken, or a row is over 1 GiB
     * @throws StoreStateException if another member is still incomplete
     * @throws NumPackException if reading or writing fails; the writer is then abandoned
     */
    public void add(String name, LazyArray array) {
        add(name, array, ProgressListener.NONE);
    }

    /**
     * As {@link #add(String, LazyArray)}, reporting the rows written.
     *
     * @param name the array's name in the archive
     * @param array the array's live rows
     * @param progress told the rows written so far, of the array's rows
     */
    public void add(String name, LazyArray array, ProgressListener progress) {
        begin(name, array.dtype(), array.shape());
        long rows = array.rows();
        if (memberRemaining > 0) {
            long rowBytes = array.rowBytes();
            long[] done = {0};
            array.scanRows(0, rows, piece -> {
                done[0] += piece.remaining() / rowBytes;
                write(piece);
                progress.update(done[0], rows);
            });
        } else {
            progress.update(rows, rows);
        }
    }

    /**
     * Starts member {@code <name>.npy}, to be filled by {@link #write}; it is complete once its shape's bytes
     * are written (at once for an empty array).
     *
     * @param name the array's name in the archive
     * @param dtype the element type
     * @param shape the shape, empty for a 0-d array
     * @throws InvalidArgumentException if the name is unsafe or taken, a dimension is negative or the size
     *     overflows
     * @throws StoreStateException if the writer was committed or another member is still incomplete
     * @throws AlreadyClosedException if the writer was closed
     * @throws NumPackException if writing fails; the writer is then abandoned
     */
    public void begin(String name, DType dtype, long[] shape) {
        ensureOpen();
        if (member != null) {
            throw new StoreStateException(target, member, "member '" + member + "' still needs " + memberRemaining
                    + " bytes: write them before beginning '" + name + "'");
        }
        String problem = ZipDirectory.nameProblem(name); // checked before the suffix, which hides an empty name
        if (problem != null) {
            throw new InvalidArgumentException(target, name, "member name '" + name + "' is refused: " + problem);
        }
        byte[] raw;
        ByteBuffer header;
        try {
            raw = ZipEncoder.nameBytes(name + NPY);
            header = NpyHeader.encode(dtype, shape);
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException(target, name, e.getMessage(), e);
        }
        if (names.contains(name)) {
            throw new InvalidArgumentException(target, name, "the archive already has a member '" + name + "'");
        }
        long data = dtype.itemSize();
        for (long d : shape) {
            data *= d; // cannot overflow: encode checked the product of the nonzero dimensions
        }
        long size = header.remaining() + data;
        if (size < 0) {
            throw new InvalidArgumentException(target, name, "shape " + Arrays.toString(shape) + " is too large");
        }
        boolean zip64 = ZipEncoder.needsZip64(size, position, forceZip64);
        names.add(name);
        member = name;
        memberName = raw;
        memberOffset = position;
        memberSize = size;
        memberRemaining = data;
        crc.reset();
        try {
            put(ZipEncoder.localHeader(raw, size, zip64));
            crc.update(header.duplicate());
            put(header);
        } catch (IOException e) {
            throw file.abandon("cannot write member '" + name + "'", e);
        }
        if (memberRemaining == 0) {
            finishMember();
        }
    }

    /**
     * Appends data to the member begun last: elements in C order, little-endian.
     *
     * @param data the bytes from its position to its limit; its position is advanced to its limit
     * @throws InvalidArgumentException if the bytes would exceed what the member's shape calls for (nothing
     *     is written then)
     * @throws StoreStateException if no member is incomplete, or the writer was committed
     * @throws AlreadyClosedException if the writer was closed
     * @throws NumPackException if writing fails; the writer is then abandoned
     */
    public void write(ByteBuffer data) {
        ensureOpen();
        if (member == null) {
            throw new StoreStateException(target, null, "no member to write to: begin one first");
        }
        if (data.remaining() > memberRemaining) {
            throw new InvalidArgumentException(target, member, "writing " + data.remaining() + " bytes would "
                    + "exceed the member's shape: only " + memberRemaining + " data bytes remain");
        }
        int n = data.remaining();
        crc.update(data.duplicate());
        try {
            put(data);
        } catch (IOException e) {
            throw file.abandon("cannot write member '" + member + "'", e);
        }
        memberRemaining -= n;
        if (memberRemaining == 0) {
            finishMember();
        }
    }

    /** @return the data bytes the member begun last still needs, 0 when it is complete */
    public long remainingBytes() {
        return memberRemaining;
    }

    private void put(ByteBuffer bytes) throws IOException {
        position += bytes.remaining();
        file.write(bytes);
    }

    /** The member is complete: its CRC-32 is known now, so patch it into the local header. */
    private void finishMember() {
        ByteBuffer value = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, (int) crc.getValue());
        try {
            while (value.hasRemaining()) {
                file.channel().write(value, memberOffset + ZipEncoder.CRC_OFFSET + value.position());
            }
        } catch (IOException e) {
            throw file.abandon("cannot write member '" + member + "'", e);
        }
        written.add(new Written(memberName, crc.getValue(), memberSize, memberOffset));
        member = null;
        memberName = null;
    }

    /**
     * Makes the archive durable and visible: writes the central directory, syncs the file, renames it
     * atomically onto the target (replacing any file there) and syncs the directory.
     *
     * @throws InvalidArgumentException if a member is incomplete (the writer stays open so that the rest
     *     can be written)
     * @throws StoreStateException if the writer was already committed
     * @throws AlreadyClosedException if the writer was closed
     * @throws NumPackException if writing, syncing or renaming fails; the writer is then abandoned unless the
     *     rename happened and only the directory sync failed
     */
    public void commit() {
        ensureOpen();
        if (member != null) {
            throw new InvalidArgumentException(target, member, "cannot commit: member '" + member + "' still "
                    + "needs " + memberRemaining + " data bytes");
        }
        try {
            long directoryOffset = position;
            for (Written w : written) {
                put(ZipEncoder.centralHeader(w.name(), w.crc(), w.size(), w.offset(),
                        ZipEncoder.needsZip64(w.size(), w.offset(), forceZip64)));
            }
            put(ZipEncoder.end(written.size(), directoryOffset, position - directoryOffset, forceZip64));
        } catch (IOException e) {
            throw file.abandon("cannot write the .npz directory", e);
        }
        file.commit();
    }

    /** Deletes the temporary file after a failure and returns the exception to throw. */
    private void ensureOpen() {
        file.ensureOpen(".npz writer",
                () -> new StoreStateException(target, null, "the .npz writer was already committed"));
    }

    /**
     * Closes the writer. Without a {@link #commit()}, deletes the temporary file and leaves the target as it
     * was. Closing twice, or after a commit, has no effect.
     *
     * @throws NumPackException if the temporary file cannot be deleted
     */
    @Override
    public void close() {
        file.close();
    }

    @Override
    public String toString() {
        return "NpzWriter(" + target + ", " + written.size() + " members" + (member == null ? ""
                : ", writing '" + member + "'") + ")";
    }
}
