package dev.numpack.internal.format;

import dev.numpack.DType;
import dev.numpack.InvalidArgumentException;
import dev.numpack.internal.RowChecks;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Encodes and decodes {@code metadata.npkm} (NumPack 0.7 binary metadata, version 1).
 *
 * <p>Decoding trusts nothing: every count is checked against the bytes that remain before anything is
 * allocated, so a hostile file cannot make us allocate more than its own size, and every failure is a
 * {@link FormatException} saying which record and field is wrong.
 */
public final class MetadataCodec {
    /** {@code N P K B} read as a little-endian u32. */
    public static final int MAGIC = 0x424B504E;
    /** The only version NumPack 0.7 writes. */
    public static final int VERSION = 1;
    /** Rank limit; NumPy's is 64. */
    public static final int MAX_NDIM = 64;
    /** Longest name or path we accept, in bytes. */
    public static final int MAX_STRING_BYTES = 4096;

    private MetadataCodec() {}

    /**
     * @param records the arrays, in the order to write them
     * @return the file's bytes, little-endian, position 0
     */
    public static ByteBuffer encode(List<ArrayRecord> records) {
        List<byte[]> names = new ArrayList<>();
        List<byte[]> files = new ArrayList<>();
        long size = 4 + 4 + 8 + 4;
        long total = 0;
        for (ArrayRecord r : records) {
            byte[] n = r.name().getBytes(StandardCharsets.UTF_8);
            byte[] f = r.dataFile().getBytes(StandardCharsets.UTF_8);
            names.add(n);
            files.add(f);
            size += 4 + n.length + 4 + 8L * r.ndim() + 4 + f.length + 8 + 8 + 1 + 1 + 4 + 8 + 8 + 1;
            if (r.blockInfo() != null) {
                size += r.blockInfo().length;
            }
            total += r.sizeBytes();
        }
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(size)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(VERSION).putLong(total).putInt(records.size());
        for (int i = 0; i < records.size(); i++) {
            ArrayRecord r = records.get(i);
            b.putInt(names.get(i).length).put(names.get(i));
            b.putInt(r.ndim());
            for (long d : r.shape()) {
                b.putLong(d);
            }
            b.putInt(files.get(i).length).put(files.get(i));
            b.putLong(r.lastModifiedMicros());
            b.putLong(r.sizeBytes());
            b.put((byte) r.dtype().code());
            b.put((byte) r.compression());
            b.putInt((int) r.level());
            b.putLong(r.originalSize());
            b.putLong(r.compressedSize());
            if (r.blockInfo() == null) {
                b.put((byte) 0);
            } else {
                b.put((byte) 1).put(r.blockInfo());
            }
        }
        return b.flip();
    }

    /**
     * @param bytes the whole file (from position to limit)
     * @return the records in file order
     * @throws FormatException if the bytes are not a valid version-1 metadata file; a
     *     {@link TruncatedException} when they end before the records do (so a reader given only the
     *     file's first bytes knows to read more)
     */
    public static List<ArrayRecord> decode(ByteBuffer bytes) {
        ByteBuffer b = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        need(b, 20, "header");
        int magic = b.getInt();
        if (magic != MAGIC) {
            throw new FormatException(String.format("bad magic 0x%08X (expected 0x%08X 'NPKB')", magic, MAGIC));
        }
        int version = b.getInt();
        if (version != VERSION) {
            throw new FormatException("unsupported metadata version " + Integer.toUnsignedString(version));
        }
        b.getLong(); // total_size
        long count = Integer.toUnsignedLong(b.getInt());
        // smallest possible record: empty name, 0-d, empty path, fixed fields
        long minRecord = 4 + 4 + 4 + 8 + 8 + 1 + 1 + 4 + 8 + 8 + 1;
        if (count * minRecord > b.remaining()) {
            throw new TruncatedException("array_count " + count + " cannot fit in the " + b.remaining()
                    + " bytes that follow");
        }
        List<ArrayRecord> out = new ArrayList<>((int) count);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < count; i++) {
            ArrayRecord r = decodeRecord(b, i);
            if (!seen.add(r.name())) {
                throw new FormatException("array '" + r.name() + "' is recorded twice");
            }
            out.add(r);
        }
        if (b.hasRemaining()) {
            throw new FormatException(b.remaining() + " unexpected trailing bytes after " + count + " records");
        }
        // total_size is redundant (upstream maintains it incrementally and it can drift): the records'
        // own size_bytes, checked against their shapes above, are what reads rely on.
        return out;
    }

    private static ArrayRecord decodeRecord(ByteBuffer b, int index) {
        String where = "record " + index;
        String name = string(b, where + " name");
        where = "record " + index + " ('" + name + "')";
        need(b, 4, where + " ndim");
        int ndim = b.getInt();
        if (ndim < 0 || ndim > MAX_NDIM) {
            throw new FormatException(where + ": ndim " + Integer.toUnsignedString(ndim) + " exceeds " + MAX_NDIM);
        }
        need(b, 8L * ndim, where + " shape");
        long[] shape = new long[ndim];
        for (int d = 0; d < ndim; d++) {
            shape[d] = b.getLong();
            if (shape[d] < 0) {
                throw new FormatException(where + ": dimension " + d + " is " + Long.toUnsignedString(shape[d]));
            }
        }
        String dataFile = string(b, where + " data_file");
        need(b, 8 + 8 + 1 + 1 + 4 + 8 + 8 + 1, where + " fields");
        long modified = b.getLong();
        long sizeBytes = b.getLong();
        int code = b.get() & 0xFF;
        DType dtype;
        try {
            dtype = DType.fromCode(code);
        } catch (InvalidArgumentException e) {
            throw new FormatException(where + ": " + e.getMessage());
        }
        // zero dimensions are skipped, as NumPy does: the other dimensions' product must fit even in an empty
        // array, else a row's bytes (a partial product) would wrap when the array is read or grown
        long expected;
        try {
            expected = RowChecks.shapeBytes(null, null, dtype.itemSize(), dtype.numpyName(), shape);
        } catch (InvalidArgumentException e) {
            throw new FormatException(where + ": shape overflows 64 bits");
        }
        if (sizeBytes != expected) {
            throw new FormatException(where + ": size_bytes " + Long.toUnsignedString(sizeBytes)
                    + " disagrees with shape and dtype (" + expected + ")");
        }
        int compression = b.get() & 0xFF;
        long level = Integer.toUnsignedLong(b.getInt());
        long originalSize = b.getLong();
        long compressedSize = b.getLong();
        int hasBlocks = b.get() & 0xFF;
        byte[] blockInfo = null;
        if (hasBlocks == 1) {
            int start = b.position();
            need(b, 1 + 8 + 8 + 4, where + " block info");
            b.position(start + 1 + 8 + 8);
            long n = Integer.toUnsignedLong(b.getInt());
            need(b, n * 24, where + " block entries");
            b.position((int) (b.position() + n * 24));
            blockInfo = new byte[b.position() - start];
            b.get(start, blockInfo);
        } else if (hasBlocks != 0) {
            throw new FormatException(where + ": has_block_info is " + hasBlocks);
        }
        return new ArrayRecord(name, shape, dataFile, modified, dtype, compression, level, originalSize,
                compressedSize, blockInfo);
    }

    private static String string(ByteBuffer b, String what) {
        need(b, 4, what + " length");
        long len = Integer.toUnsignedLong(b.getInt());
        if (len > MAX_STRING_BYTES) {
            throw new FormatException(what + ": length " + len + " exceeds " + MAX_STRING_BYTES);
        }
        need(b, len, what);
        ByteBuffer s = b.slice(b.position(), (int) len);
        b.position(b.position() + (int) len);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(s).toString();
        } catch (CharacterCodingException e) {
            throw new FormatException(what + ": not valid UTF-8");
        }
    }

    private static void need(ByteBuffer b, long n, String what) {
        if (n > b.remaining()) {
            throw new TruncatedException("truncated at " + what + ": needs " + n + " bytes, " + b.remaining() + " left");
        }
    }
}
