package dev.numpack.bench;

import blue.strategic.parquet.Dehydrator;
import blue.strategic.parquet.Hydrator;
import blue.strategic.parquet.ParquetReader;
import blue.strategic.parquet.ParquetWriter;
import dev.numpack.NdArray;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * Peer: Parquet through parquet-floor ({@code blue.strategic.parquet}), a small record-at-a-time API over
 * parquet-column and parquet-hadoop that stubs out Hadoop.
 *
 * <p>Layout: {@code x.parquet} with one {@code REQUIRED FLOAT} column per array column ({@code c0} to
 * {@code c9}), one Parquet record per row. parquet-floor's writer writes exactly one value per field of
 * a record (its {@code ValueWriter.write(name, value)} opens and closes the field each time), and its
 * reader hands over flat primitive columns and string-keyed maps only, so a repeated {@code FLOAT}
 * field or a list cannot be written or read back with it: flat columns are the one layout it supports.
 * Its writer fixes the rest: SNAPPY compression, writer version {@code PARQUET_2_0}, and parquet-hadoop's
 * defaults for encodings (dictionary first, plain when that does not pay) and row-group (128 MiB) and
 * page sizes.
 *
 * <ul>
 *   <li>The lib's in-memory form is a {@code float[][]}: one {@code float[cols]} per row, what its
 *       {@link Hydrator} builds and its {@link Dehydrator} takes.
 *   <li>{@link #fullLoad}: {@link ParquetReader#spliterator(File, Hydrator, Function)} with a hydrator
 *       that sets column {@code cN} of a new {@code float[cols]} (values arrive boxed), every row into a
 *       {@code float[rows][]} sized from the footer's record count.
 *   <li>{@link #lazyOpen}: the same spliterator opened and closed: {@code ParquetFileReader.open} reads
 *       the footer (schema, row groups) and no page; returns the footer's record count. parquet-floor has
 *       no other lazy access: every read goes on row by row from the first row group.
 *   <li>{@link #stream}: the spliterator row by row, each row copied into a {@code float[chunkRows * cols]}
 *       that is summed with {@link Lib#sum(double, float[], int, int)} when full (and at the end).
 *       parquet-floor itself decodes one row group at a time (the whole array at these sizes).
 *   <li>{@link #prepareSave}: the array as {@code float[][]}; {@link #save} of that array writes it with
 *       {@link ParquetWriter#writeFile} and a dehydrator that writes {@code cN} = {@code row[N]}; any other
 *       array is converted first. It writes {@code x.parquet.tmp} and renames it over {@code x.parquet}
 *       (atomic move); no fsync (parquet-floor has none).
 *   <li>{@link #replace}, {@link #append}: {@link Lib#rewriteReplace rewrite} of the whole file;
 *       {@link #truncateToInitial}: a save of the initial array. No gather: rows can only be reached by
 *       reading from the start.
 * </ul>
 */
final class ParquetLib extends RewritingLib<float[][]> {
    private final File file;
    private final File tmp;
    private final int cols;
    private final String[] names;
    private final MessageType schema;
    private final Hydrator<float[], float[], Integer> hydrator;
    private final Dehydrator<float[]> dehydrator;
    private final Function<String[], Integer> columnOf;

    ParquetLib(String name, Path dir, NdArray initial) throws IOException {
        super(name, initial);
        if (initial.shape().length != 2) {
            throw new IllegalArgumentException("ParquetLib stores rows x cols arrays");
        }
        this.file = dir.resolve("x.parquet").toFile();
        this.tmp = dir.resolve("x.parquet.tmp").toFile();
        int c = Math.toIntExact(initial.shape()[1]);
        this.cols = c;
        this.names = new String[c];
        List<Type> fields = new ArrayList<>();
        for (int i = 0; i < c; i++) {
            names[i] = "c" + i;
            fields.add(Types.required(PrimitiveTypeName.FLOAT).named(names[i]));
        }
        this.schema = new MessageType("x", fields);
        this.hydrator = new Hydrator<>() {
            @Override
            public float[] start() {
                return new float[c];
            }

            @Override
            public float[] add(float[] row, Integer col, Object value) {
                row[col] = (Float) value;
                return row;
            }

            @Override
            public float[] finish(float[] row) {
                return row;
            }
        };
        this.dehydrator = (row, w) -> {
            for (int i = 0; i < c; i++) {
                w.write(names[i], row[i]);
            }
        };
        this.columnOf = path -> Integer.valueOf(path[path.length - 1].substring(1));
        save(initial);
    }

    @Override
    float[][] fullLoad() throws IOException {
        try (ParquetReader<float[], float[], Integer> r = ParquetReader.spliterator(file, hydrator, columnOf)) {
            float[][] rows = new float[Math.toIntExact(r.estimateSize())][];
            int[] n = {0};
            while (r.tryAdvance(row -> rows[n[0]++] = row)) {
                // each row into rows
            }
            if (n[0] != rows.length) {
                throw new IOException("read " + n[0] + " rows of " + rows.length);
            }
            return rows;
        }
    }

    @Override
    ByteBuffer bytesOf(Object loaded) {
        float[][] rows = (float[][]) loaded;
        ByteBuffer all = ByteBuffer.allocateDirect(rows.length * cols * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer f = all.asFloatBuffer();
        for (float[] row : rows) {
            f.put(row);
        }
        return all;
    }

    @Override
    long lazyOpen() throws IOException {
        try (ParquetReader<float[], float[], Integer> r = ParquetReader.spliterator(file, hydrator, columnOf)) {
            return r.estimateSize();
        }
    }

    @Override
    double stream(int chunkRows) throws IOException {
        float[] chunk = new float[Math.multiplyExact(chunkRows, cols)];
        int[] fill = {0};
        double[] acc = {0};
        try (ParquetReader<float[], float[], Integer> r = ParquetReader.spliterator(file, hydrator, columnOf)) {
            while (r.tryAdvance(row -> {
                System.arraycopy(row, 0, chunk, fill[0], cols);
                fill[0] += cols;
                if (fill[0] == chunk.length) {
                    acc[0] = sum(acc[0], chunk, 0, fill[0]);
                    fill[0] = 0;
                }
            })) {
                // row by row
            }
        }
        return sum(acc[0], chunk, 0, fill[0]);
    }

    @Override
    void write(NdArray whole, float[][] rows) throws IOException {
        Files.deleteIfExists(tmp.toPath());
        try (ParquetWriter<float[]> w = ParquetWriter.writeFile(schema, tmp, dehydrator)) {
            for (float[] row : rows) {
                w.write(row);
            }
        }
        Files.move(tmp.toPath(), file.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    float[][] toForm(NdArray whole) {
        FloatBuffer src = whole.buffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[][] rows = new float[Math.toIntExact(whole.shape()[0])][cols];
        for (float[] row : rows) {
            src.get(row);
        }
        return rows;
    }

    @Override
    public void close() {
        freePrepared();
    }
}
