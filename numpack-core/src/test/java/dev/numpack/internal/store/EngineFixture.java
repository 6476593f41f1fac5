package dev.numpack.internal.store;

import dev.numpack.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/** Opens engine sessions on a test directory and writes and reads small int32 arrays through them. */
final class EngineFixture {
    private EngineFixture() {
    }

    /** @param dir store directory @return options of a writable store (no fsync: tests run faster) */
    static StoreOptions writable(Path dir) {
        return new StoreOptions(dir.toAbsolutePath().normalize(), false, true, false, false, Duration.ZERO, 1L << 28);
    }

    /** @param dir store directory @return options of a read-only store */
    static StoreOptions readOnly(Path dir) {
        return new StoreOptions(dir.toAbsolutePath().normalize(), true, false, false, false, Duration.ZERO, 1L << 28);
    }

    /** @param values one int32 per row @return them as rows to write */
    static RowSource ints(int... values) {
        return new RowSource() {
            @Override
            public long rows() {
                return values.length;
            }

            @Override
            public long rowBytes() {
                return 4;
            }

            @Override
            public void copy(long first, long count, ByteBuffer dst) {
                for (long i = first; i < first + count; i++) {
                    dst.order(ByteOrder.LITTLE_ENDIAN).putInt(values[(int) i]);
                }
            }
        };
    }

    /** Saves a 1-d int32 array in one commit of {@code s}. */
    static void save(StoreSession s, String name, int... values) {
        s.commits().run(null, c -> c.save(name, DType.INT32, new long[] {values.length}, ints(values)));
    }

    /** @return the rows of a mapped 1-d int32 array */
    static int[] read(MappedArray m) {
        int n = (int) m.entry().physicalRows();
        ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        m.data().copyRows(0, n, b);
        int[] out = new int[n];
        b.flip().asIntBuffer().get(out);
        return out;
    }

    /** @return the names of the files in {@code dir} that a write stages under a temporary name */
    static List<String> temps(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(StoreLayout::isTemp).toList();
        }
    }
}
