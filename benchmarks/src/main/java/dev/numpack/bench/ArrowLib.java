package dev.numpack.bench;

import dev.numpack.NdArray;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Peer: Apache Arrow Java ({@code arrow-vector} with {@code arrow-memory-unsafe}), the IPC <em>file</em>
 * format ({@code x.arrow}: {@link ArrowFileWriter} / {@link ArrowFileReader}, uncompressed).
 *
 * <p>Layout: one non-nullable column {@code x} of type {@code FixedSizeList<float32 not null>[cols]}, one
 * list per row, written in record batches of {@value #BATCH_ROWS} rows (the last one shorter). The list's
 * child {@link Float4Vector} holds the floats of a batch back to back, so its data buffer <em>is</em> the
 * batch's rows in C order, little-endian: loading and saving move each batch with one bulk copy, and the
 * file body is the array's bytes plus validity bitmaps. (Ten float32 columns would store the array
 * transposed: every load and save would scatter or gather single floats. The fixed-size list is also the
 * storage type of Arrow's canonical {@code arrow.fixed_shape_tensor} extension type.)
 *
 * <ul>
 *   <li>{@link #fullLoad}: {@link ArrowFileReader#loadRecordBatch} for every block of the footer, each
 *       batch's vectors {@linkplain org.apache.arrow.vector.util.TransferPair transferred} (zero copy) into
 *       a {@link VectorSchemaRoot} of their own: the result is the list of batches, in a child allocator
 *       that {@link #release} closes.
 *   <li>{@link #lazyOpen}: {@link ArrowFileReader} on a new {@link FileChannel}, which reads the footer
 *       (schema and record-batch blocks) and no batch; returns the number of record batches. Arrow Java
 *       has no memory-mapped or otherwise lazily paged view of a file: opening the reader and reading the
 *       footer is its nearest lazy mode, and every access after that loads whole record batches.
 *   <li>{@link #gather}: the file format's random access to record batches. A reader opened on first use
 *       (like numpack's view) {@linkplain ArrowFileReader#loadRecordBatch loads} only the batches that
 *       hold the wanted rows, each once per call (indices are visited grouped by batch), and copies each
 *       row out of the batch's data buffer. At 1M rows a batch is 1/16 of the file, so 1000 random rows
 *       touch every batch: a gather then reads the whole file.
 *   <li>{@link #stream}: {@link ArrowFileReader#loadNextBatch} batch after batch into the reader's one
 *       root, summing each batch's data buffer ({@code ArrowBuf.nioBuffer}, no copy) with
 *       {@link Lib#sum(double, ByteBuffer)}. {@code chunkRows} does not change what is read: Arrow reads
 *       whole record batches, whose size was fixed when the file was written ({@value #BATCH_ROWS} rows,
 *       2.5 MiB); the sum runs over the rows in order, so the result is the same as with any chunking.
 *   <li>{@link #prepareSave}: the array as the list of record batches, Arrow's in-memory form;
 *       {@link #save} of that array writes them ({@link VectorUnloader} → {@link VectorLoader} into the
 *       writer's root, no copy, then {@link ArrowFileWriter#writeBatch}); any other array is first copied
 *       into batches. It writes {@code x.arrow.tmp} and renames it over {@code x.arrow} (atomic move); no
 *       fsync (Arrow's writer has none).
 *   <li>{@link #replace}, {@link #append}: {@link Lib#rewriteReplace rewrite} of the whole file (the IPC
 *       file format cannot be changed in place); {@link #truncateToInitial}: a save of the initial array.
 * </ul>
 *
 * <p>Runs with {@code --add-opens=java.base/java.nio=ALL-UNNAMED} (see {@link ColumnarPeers#JVM_FLAGS}).
 */
final class ArrowLib extends RewritingLib<ArrowLib.Batches> {
    /** Rows per record batch. */
    static final int BATCH_ROWS = 1 << 16;

    private final Path file;
    private final Path tmp;
    private final int cols;
    private final int rowBytes;
    private final Schema schema;
    private final BufferAllocator root = new RootAllocator();

    private FileChannel viewChannel; // for gather: opened on first use, closed when the file is replaced
    private ArrowFileReader view;

    /** What {@link #fullLoad} returns: the record batches, and the allocator that holds their buffers. */
    static final class Batches implements AutoCloseable {
        final BufferAllocator allocator;
        final List<VectorSchemaRoot> roots = new ArrayList<>();

        Batches(BufferAllocator allocator) {
            this.allocator = allocator;
        }

        @Override
        public void close() {
            roots.forEach(VectorSchemaRoot::close);
            roots.clear();
            allocator.close();
        }
    }

    ArrowLib(String name, Path dir, NdArray initial) throws IOException {
        super(name, initial);
        if (initial.shape().length != 2) {
            throw new IllegalArgumentException("ArrowLib stores rows x cols arrays");
        }
        this.file = dir.resolve("x.arrow");
        this.tmp = dir.resolve("x.arrow.tmp");
        this.cols = Math.toIntExact(initial.shape()[1]);
        this.rowBytes = Math.toIntExact(initial.rowBytes());
        FieldType floats = FieldType.notNullable(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE));
        Field item = new Field("item", floats, null);
        this.schema = new Schema(List.of(new Field("x", FieldType.notNullable(new ArrowType.FixedSizeList(cols)),
                List.of(item))));
        try {
            save(initial);
        } catch (IOException | RuntimeException e) {
            root.close();
            throw e;
        }
    }

    @Override
    Batches fullLoad() throws IOException {
        Batches loaded = new Batches(root.newChildAllocator("fullLoad", 0, Long.MAX_VALUE));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                ArrowFileReader reader = new ArrowFileReader(ch, loaded.allocator)) {
            VectorSchemaRoot src = reader.getVectorSchemaRoot();
            for (ArrowBlock block : reader.getRecordBlocks()) {
                reader.loadRecordBatch(block);
                VectorSchemaRoot dst = VectorSchemaRoot.create(src.getSchema(), loaded.allocator);
                loaded.roots.add(dst);
                for (int i = 0; i < src.getFieldVectors().size(); i++) {
                    src.getVector(i).makeTransferPair(dst.getVector(i)).transfer();
                }
                dst.setRowCount(src.getRowCount());
            }
        } catch (IOException | RuntimeException e) {
            loaded.close();
            throw e;
        }
        return loaded;
    }

    @Override
    ByteBuffer bytesOf(Object loaded) {
        List<VectorSchemaRoot> roots = ((Batches) loaded).roots;
        long rows = 0;
        for (VectorSchemaRoot r : roots) {
            rows += r.getRowCount();
        }
        ByteBuffer all = ByteBuffer.allocateDirect(Math.toIntExact(rows * rowBytes)).order(ByteOrder.LITTLE_ENDIAN);
        for (VectorSchemaRoot r : roots) {
            int n = r.getRowCount() * rowBytes;
            data(r).getBytes(0, all.slice(all.position(), n));
            all.position(all.position() + n);
        }
        return all.flip();
    }

    @Override
    void release(Object loaded) {
        ((Batches) loaded).close();
    }

    @Override
    long lazyOpen() throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                ArrowFileReader reader = new ArrowFileReader(ch, root)) {
            return reader.getRecordBlocks().size();
        }
    }

    @Override
    void gather(long[] indices, ByteBuffer dst) throws IOException {
        if (view == null) {
            viewChannel = FileChannel.open(file, StandardOpenOption.READ);
            view = new ArrowFileReader(viewChannel, root);
        }
        List<ArrowBlock> blocks = view.getRecordBlocks();
        VectorSchemaRoot r = view.getVectorSchemaRoot();
        int n = indices.length;
        // the positions 0..n-1 ordered by batch, so each batch is loaded once
        long[] order = new long[n];
        for (int i = 0; i < n; i++) {
            order[i] = (indices[i] / BATCH_ROWS) << 32 | i;
        }
        Arrays.sort(order);
        ByteBuffer out = dst.duplicate();
        int base = dst.position();
        int loadedBatch = -1;
        ArrowBuf data = null;
        for (long o : order) {
            int batch = (int) (o >>> 32);
            int i = (int) o;
            if (batch != loadedBatch) {
                if (batch >= blocks.size() || !view.loadRecordBatch(blocks.get(batch))) {
                    throw new IndexOutOfBoundsException("row " + indices[i] + " is past the end");
                }
                loadedBatch = batch;
                data = data(r);
            }
            int row = (int) (indices[i] - (long) batch * BATCH_ROWS);
            if (row >= r.getRowCount()) {
                throw new IndexOutOfBoundsException("row " + indices[i] + " is past the end");
            }
            int at = base + i * rowBytes;
            out.limit(at + rowBytes).position(at);
            data.getBytes((long) row * rowBytes, out);
        }
        dst.position(base + n * rowBytes);
    }

    @Override
    double stream(int chunkRows) throws IOException {
        double acc = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                ArrowFileReader reader = new ArrowFileReader(ch, root)) {
            VectorSchemaRoot r = reader.getVectorSchemaRoot();
            while (reader.loadNextBatch()) {
                acc = sum(acc, data(r).nioBuffer(0, r.getRowCount() * rowBytes));
            }
        }
        return acc;
    }

    @Override
    void free(Batches form) {
        form.close();
    }

    /** Writes the batches to {@link #tmp}, then renames it over {@link #file}. */
    @Override
    void write(NdArray whole, Batches batches) throws IOException {
        closeView();
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
                VectorSchemaRoot out = VectorSchemaRoot.create(schema, root);
                ArrowFileWriter writer = new ArrowFileWriter(out, null, ch)) {
            writer.start();
            VectorLoader loader = new VectorLoader(out);
            for (VectorSchemaRoot b : batches.roots) {
                try (ArrowRecordBatch rb = new VectorUnloader(b).getRecordBatch()) {
                    loader.load(rb);
                }
                writer.writeBatch();
            }
            writer.end();
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Copies {@code whole} into record batches of {@link #BATCH_ROWS} rows. */
    @Override
    Batches toForm(NdArray whole) {
        Batches b = new Batches(root.newChildAllocator("batches", 0, Long.MAX_VALUE));
        try {
            ByteBuffer src = whole.buffer();
            long rows = whole.shape()[0];
            for (long first = 0; first < rows; first += BATCH_ROWS) {
                int n = (int) Math.min(BATCH_ROWS, rows - first);
                VectorSchemaRoot r = VectorSchemaRoot.create(schema, b.allocator);
                b.roots.add(r);
                FixedSizeListVector list = (FixedSizeListVector) r.getVector(0);
                list.setInitialCapacity(n);
                list.allocateNew();
                Float4Vector child = (Float4Vector) list.getDataVector();
                child.getDataBuffer().setBytes(0, src, Math.toIntExact(first * rowBytes), n * rowBytes);
                setValid(list.getValidityBuffer(), n);
                setValid(child.getValidityBuffer(), n * cols);
                child.setValueCount(n * cols);
                r.setRowCount(n);
            }
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
        return b;
    }

    /** Sets the first {@code count} bits of a zeroed validity buffer. */
    private static void setValid(ArrowBuf validity, int count) {
        int full = count / 8;
        validity.setOne(0L, (long) full);
        for (int i = full * 8; i < count; i++) {
            BitVectorHelper.setBit(validity, i);
        }
    }

    /** @return the data buffer of the list's float child: the batch's rows, C order, little-endian */
    private static ArrowBuf data(VectorSchemaRoot r) {
        FieldVector child = ((FixedSizeListVector) r.getVector(0)).getDataVector();
        return ((Float4Vector) child).getDataBuffer();
    }

    private void closeView() throws IOException {
        if (view != null) {
            view.close();
            viewChannel.close();
            view = null;
            viewChannel = null;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            closeView();
            freePrepared();
        } finally {
            root.close();
        }
    }
}
