package dev.numpack.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.ArrayInfo;
import dev.numpack.InvalidArgumentException;
import dev.numpack.LazyArray;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.RowStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Compares a store with a model through every read path. */
public final class StoreChecks {
    private StoreChecks() {}

    /**
     * @param np a store
     * @return its observable state, read with {@code load} and {@code info}
     */
    public static TreeMap<String, Snap> read(NumPack np) {
        TreeMap<String, Snap> out = new TreeMap<>();
        for (String n : np.names()) {
            NdArray a = np.load(n);
            ArrayInfo info = np.info(n);
            out.put(n, new Snap(a.dtype(), a.shape(), info.deletedRows(), ArrayModel.bytes(a)));
        }
        return out;
    }

    /**
     * Asserts that the store equals the model: names, shapes, dtypes, infos and contents through load,
     * gather, lazy gather (both forms), slices, readRows and stream chunks.
     *
     * @param np the store
     * @param m the model
     * @param r picks indices and chunk sizes
     * @param ctx what happened last, for messages
     */
    public static void assertMatches(NumPack np, StoreModel m, Random r, String ctx) {
        assertEquals(new ArrayList<>(m.arrays.keySet()), new ArrayList<>(np.names()), "names after " + ctx);
        List<String> infoNames = new ArrayList<>();
        for (ArrayInfo i : np.infos()) {
            infoNames.add(i.name());
        }
        assertEquals(new ArrayList<>(m.arrays.keySet()), infoNames, "infos() after " + ctx);
        for (Map.Entry<String, ArrayModel> e : m.arrays.entrySet()) {
            String n = e.getKey();
            ArrayModel a = e.getValue();
            String where = n + " (" + a + ") after " + ctx;
            assertTrue(np.contains(n), where);
            assertEquals(a.dtype(), np.dtype(n), "dtype of " + where);
            assertArrayEquals(a.shape(), np.shape(n), "shape of " + where);
            ArrayInfo info = np.info(n);
            assertArrayEquals(a.shape(), info.shape(), "info shape of " + where);
            assertArrayEquals(a.physicalShape(), info.physicalShape(), "physical shape of " + where);
            assertEquals(a.deletedRows(), info.deletedRows(), "deleted rows of " + where);
            assertEquals((long) a.physicalRows() * a.rowBytes(), info.byteSize(), "byteSize of " + where);
            assertEquals(a.zeroD() ? 1 : a.liveRows(), info.rows(), "info rows of " + where);
            NdArray want = a.load();
            NdArray got = np.load(n);
            assertEquals(want.dtype(), got.dtype(), "load dtype of " + where);
            assertArrayEquals(want.shape(), got.shape(), "load shape of " + where);
            assertArrayEquals(ArrayModel.bytes(want), ArrayModel.bytes(got), "load content of " + where);
            if (a.zeroD()) {
                try (LazyArray l = np.lazy(n)) {
                    assertArrayEquals(new long[0], l.shape());
                    assertArrayEquals(ArrayModel.bytes(want), ArrayModel.bytes(l.load()), "lazy 0-d " + where);
                    assertThrows(InvalidArgumentException.class, () -> l.gather(0L), "gather on 0-d " + where);
                }
                continue;
            }
            checkRows(np, a, r, where);
        }
    }

    private static void checkRows(NumPack np, ArrayModel a, Random r, String where) {
        String n = where.substring(0, where.indexOf(" ("));
        int live = a.liveRows();
        int rb = a.rowBytes();
        // gather with random (negative, repeated) indices
        int k = live == 0 ? 0 : r.nextInt(6);
        long[] idx = new long[k];
        List<byte[]> expect = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            int li = r.nextInt(live);
            idx[i] = r.nextBoolean() ? li : li - (long) live;
            expect.add(a.row(li));
        }
        NdArray rows = np.gather(n, idx);
        assertArrayEquals(a.withRows(k), rows.shape(), "gather shape of " + where);
        assertArrayEquals(ArrayModel.concat(expect, rb), ArrayModel.bytes(rows), "gather of " + where);
        try (LazyArray l = np.lazy(n)) {
            assertEquals(live, l.rows(), "lazy rows of " + where);
            assertEquals(rb, l.rowBytes());
            assertArrayEquals(a.shape(), l.shape());
            assertEquals(a.dtype(), l.dtype());
            assertArrayEquals(ArrayModel.bytes(rows), ArrayModel.bytes(l.gather(idx)), "lazy.gather of " + where);
            // gather into a heap buffer at an offset
            ByteBuffer heap = ByteBuffer.allocate(3 + k * rb + 5);
            heap.position(3);
            l.gather(idx, heap);
            assertEquals(3 + k * rb, heap.position(), "gather must advance the buffer");
            byte[] got = new byte[k * rb];
            heap.position(3);
            heap.get(got);
            assertArrayEquals(ArrayModel.concat(expect, rb), got, "gather(long[], heap) of " + where);
            // slice
            int s0 = r.nextInt(live + 1);
            int s1 = s0 + r.nextInt(live - s0 + 1);
            NdArray sl = l.readRows(s0, s1 - s0);
            assertArrayEquals(a.withRows(s1 - s0), sl.shape(), "slice shape of " + where);
            assertArrayEquals(ArrayModel.concat(a.logicalRows().subList(s0, s1), rb), ArrayModel.bytes(sl),
                    "slice [" + s0 + "," + s1 + ") of " + where);
            // readRows into a direct buffer
            ByteBuffer direct = ByteBuffer.allocateDirect((s1 - s0) * rb);
            l.readRows(s0, s1 - s0, direct);
            byte[] rd = new byte[(s1 - s0) * rb];
            direct.flip();
            direct.get(rd);
            assertArrayEquals(ArrayModel.bytes(sl), rd, "readRows of " + where);
        }
        // stream in chunks
        int chunk = 1 + r.nextInt(Math.max(1, live) + 2);
        List<byte[]> streamed = new ArrayList<>();
        long total = 0;
        try (RowStream st = np.stream(n, chunk)) {
            assertEquals(live, st.rows());
            for (NdArray c : st) {
                assertTrue(c.rows() <= chunk && c.rows() > 0, "chunk of " + c.rows() + " rows for chunkRows " + chunk);
                assertArrayEquals(a.withRows(c.rows()), c.shape());
                streamed.add(ArrayModel.bytes(c));
                total += c.rows();
            }
            assertThrows(dev.numpack.StoreStateException.class, st::iterator, "a second pass over a RowStream of " + where);
        }
        assertEquals(live, total, "streamed rows of " + where);
        int len = 0;
        for (byte[] b : streamed) {
            len += b.length;
        }
        byte[] all = new byte[len];
        int p = 0;
        for (byte[] b : streamed) {
            System.arraycopy(b, 0, all, p, b.length);
            p += b.length;
        }
        assertArrayEquals(a.logicalBytes(), all, "stream content of " + where);
    }

    /**
     * Asserts what every open lazy view must show: its generation's rows that were live when it opened.
     *
     * @param s the session
     * @param ctx what happened last
     */
    public static void assertViews(StoreSession s, String ctx) {
        for (StoreSession.View v : s.views) {
            ArrayModel a = v.shapeOf;
            int rb = a.rowBytes();
            List<byte[]> rows = new ArrayList<>();
            for (int p : v.livePhysical) {
                rows.add(v.gen.row(p));
            }
            String where = "view of " + v.lazy.name() + " after " + ctx;
            if (a.zeroD()) {
                assertArrayEquals(rows.get(0), ArrayModel.bytes(v.lazy.load()), where);
                continue;
            }
            assertEquals(rows.size(), v.lazy.rows(), "rows of " + where);
            assertArrayEquals(a.withRows(rows.size()), v.lazy.shape(), "shape of " + where);
            assertArrayEquals(ArrayModel.concat(rows, rb), ArrayModel.bytes(v.lazy.load()), "content of " + where);
        }
    }
}
