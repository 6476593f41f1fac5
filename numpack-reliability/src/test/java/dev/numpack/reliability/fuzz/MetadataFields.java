package dev.numpack.reliability.fuzz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Where each field of a valid {@code metadata.npkm} sits (layout in /work/shared/NUMPACK-FORMAT.md), so that the
 * fuzzer can set one field to an edge value and leave the others valid: damage that reaches past the parser.
 */
final class MetadataFields {
    /**
     * One fixed-width field.
     *
     * @param name the field, with its record's array ("a.shape[1]")
     * @param offset where it starts
     * @param width its bytes: 1, 4 or 8
     */
    record Field(String name, int offset, int width) {}

    /**
     * One length-prefixed string.
     *
     * @param name the field ("a.data_file")
     * @param lengthOffset where its u32 length starts; its bytes follow
     * @param length its length
     */
    record Text(String name, int lengthOffset, int length) {}

    /** A record's shape and size, for consistent shape changes. */
    record Shape(String array, int[] dimOffsets, int sizeOffset, int dtypeOffset) {}

    final List<Field> fields = new ArrayList<>();
    final List<Text> texts = new ArrayList<>();
    final List<Shape> shapes = new ArrayList<>();
    /** Where each record starts, and where the last one ends (one more entry than records). */
    final List<Integer> recordStarts = new ArrayList<>();

    /** @param meta a valid metadata file */
    MetadataFields(byte[] meta) {
        ByteBuffer b = ByteBuffer.wrap(meta).order(ByteOrder.LITTLE_ENDIAN);
        fields.add(new Field("magic", 0, 4));
        fields.add(new Field("version", 4, 4));
        fields.add(new Field("total_size", 8, 8));
        fields.add(new Field("array_count", 16, 4));
        int count = b.getInt(16);
        int p = 20;
        for (int r = 0; r < count; r++) {
            recordStarts.add(p);
            int nameLen = b.getInt(p);
            String name = new String(meta, p + 4, nameLen, java.nio.charset.StandardCharsets.UTF_8);
            texts.add(new Text(name + ".name", p, nameLen));
            fields.add(new Field(name + ".name_len", p, 4));
            p += 4 + nameLen;
            int ndim = b.getInt(p);
            fields.add(new Field(name + ".ndim", p, 4));
            p += 4;
            int[] dims = new int[ndim];
            for (int d = 0; d < ndim; d++) {
                dims[d] = p;
                fields.add(new Field(name + ".shape[" + d + "]", p, 8));
                p += 8;
            }
            int fileLen = b.getInt(p);
            texts.add(new Text(name + ".data_file", p, fileLen));
            fields.add(new Field(name + ".data_file_len", p, 4));
            p += 4 + fileLen;
            fields.add(new Field(name + ".last_modified", p, 8));
            fields.add(new Field(name + ".size_bytes", p + 8, 8));
            fields.add(new Field(name + ".dtype", p + 16, 1));
            fields.add(new Field(name + ".compression", p + 17, 1));
            fields.add(new Field(name + ".level", p + 18, 4));
            fields.add(new Field(name + ".original_size", p + 22, 8));
            fields.add(new Field(name + ".compressed_size", p + 30, 8));
            fields.add(new Field(name + ".has_block_info", p + 38, 1));
            shapes.add(new Shape(name, dims, p + 8, p + 16));
            p += 39;
            if (meta[p - 1] == 1) {
                int n = b.getInt(p + 17);
                fields.add(new Field(name + ".block_count", p + 17, 4));
                p += 21 + 24 * n;
            }
        }
        recordStarts.add(p);
    }
}
