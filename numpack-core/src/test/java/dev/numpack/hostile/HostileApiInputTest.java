package dev.numpack.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.AlreadyClosedException;
import dev.numpack.ArrayNotFoundException;
import dev.numpack.BatchMode;
import dev.numpack.InvalidArgumentException;
import dev.numpack.LazyArray;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.NumPackException;
import dev.numpack.ReadOnlyStoreException;
import dev.numpack.RowStream;
import dev.numpack.DType;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input through the public API on a healthy store: hostile names, wrong dtypes and shapes, indices
 * out of range, small buffers, use after close. Each call raises a typed exception naming the store (and
 * array), and none changes the store: all arrays and all files are compared before and after.
 */
class HostileApiInputTest {
    @TempDir
    Path tmp;

    HostileFixture f;
    NumPack np;
    Map<String, byte[]> filesBefore;

    static final String[] HOSTILE_NAMES = {"../x", "a/b", "..", "", "a\u0000b", "a\nb", "n".repeat(300), "a\\b",
        "/abs", "../../canary/a.txt", "x.tmp-np1", "a\rb", "\u007f", "a:b"};

    @BeforeEach
    void open() {
        f = new HostileFixture(tmp).buildStandard();
        np = HostileFixture.builder(f.store).build();
        filesBefore = f.storeTree();
    }

    @AfterEach
    void close() {
        np.close();
    }

    /** Runs a call that must fail with {@code type} naming the store (and array) and change nothing. */
    private <T extends NumPackException> T refused(Class<T> type, String array, String what, Executable call) {
        Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, call::execute);
        if (t == null) {
            throw new AssertionError(what + ": accepted");
        }
        T e = f.assertTyped(t, type, array, what);
        assertUnchanged(what);
        return e;
    }

    private void assertUnchanged(String what) {
        f.assertStoreUnchanged(filesBefore, what);
        for (Map.Entry<String, NdArray> en : f.contents().entrySet()) {
            assertEquals(en.getValue(), np.load(en.getKey()), what + ": array " + en.getKey());
        }
        assertEquals(f.contents().keySet(), np.names(), what + ": names");
        f.assertOutsideUntouched();
    }

    // ------------------------------------------------------------------ names

    @Test
    void hostileNamesAreRefusedBySave() {
        NdArray x = NdArray.of(new float[] {1, 2, 3});
        for (String name : HOSTILE_NAMES) {
            String shown = name.replace("\u0000", "\\0");
            refused(InvalidArgumentException.class, name, "save '" + shown + "'", () -> np.save(name, x));
            refused(InvalidArgumentException.class, name, "save map '" + shown + "'",
                    () -> np.save(Map.of("ok", x, name, x)));
            refused(InvalidArgumentException.class, name, "cloneArray to '" + shown + "'", () -> np.cloneArray("a", name));
            refused(InvalidArgumentException.class, name, "importNpy '" + shown + "'",
                    () -> np.importNpy(name, f.base.resolve("missing.npy")));
            assertFalse(np.contains("ok"), "the valid name of a refused multi-save was not saved");
        }
    }

    @Test
    void hostileNamesAreRefusedInABatch() {
        NdArray x = NdArray.of(new float[] {1, 2, 3});
        for (String name : HOSTILE_NAMES) {
            refused(InvalidArgumentException.class, name, "batch save of '" + name + "'", () -> np.batchMode(b -> {
                b.save("fine", x);
                b.save(name, x);
            }));
            // try-with-resources commits what the batch staged before the refused call (documented), but
            // never the hostile name
            Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> {
                try (BatchMode b = np.batchMode()) {
                    b.save("fine", x);
                    b.save(name, x);
                }
            });
            f.assertTyped(t, InvalidArgumentException.class, name, "batch save");
            assertEquals(x, np.load("fine"));
            assertFalse(np.contains(name));
            np.drop("fine");
            f.assertOutsideUntouched();
        }
        assertUnchanged("batches");
    }

    @Test
    void hostileNamesAreNotFoundByReadsAndWrites() {
        NdArray row = NdArray.of(new long[] {1});
        for (String name : HOSTILE_NAMES) {
            String shown = "'" + name.replace("\u0000", "\\0") + "'";
            for (Object[] c : new Object[][] {
                {"load", (Executable) () -> np.load(name)},
                {"lazy", (Executable) () -> np.lazy(name)},
                {"shape", (Executable) () -> np.shape(name)},
                {"info", (Executable) () -> np.info(name)},
                {"gather", (Executable) () -> np.gather(name, 0)},
                {"append", (Executable) () -> np.append(name, row)},
                {"replace", (Executable) () -> np.replace(name, row, 0)},
                {"delete", (Executable) () -> np.delete(name, 0)},
                {"drop", (Executable) () -> np.drop(name)},
                {"compact", (Executable) () -> np.compact(name)},
                {"cloneArray from", (Executable) () -> np.cloneArray(name, "copy")},
                {"exportNpy", (Executable) () -> np.exportNpy(name, f.base.resolve("out.npy"))},
            }) {
                refused(NumPackException.class, null, c[0] + " " + shown, (Executable) c[1]);
            }
            assertFalse(np.contains(name));
        }
        assertFalse(Files.exists(f.base.resolve("out.npy")));
    }

    @Test
    void dropOfSeveralIsAllOrNothing() {
        refused(ArrayNotFoundException.class, "nope", "drop a and a missing array", () -> np.drop("a", "nope"));
        assertTrue(np.contains("a"));
    }

    // ------------------------------------------------------------------ dtype and shape

    @Test
    void appendWithWrongDtypeOrShape() {
        refused(InvalidArgumentException.class, "a", "append float64 to float32",
                () -> np.append("a", NdArray.of(new double[][] {{1, 2, 3}})));
        refused(InvalidArgumentException.class, "a", "append wrong row width",
                () -> np.append("a", HostileFixture.floats(2, 4, 0)));
        refused(InvalidArgumentException.class, "a", "append 1-d to 2-d",
                () -> np.append("a", NdArray.of(new float[] {1, 2, 3})));
        refused(InvalidArgumentException.class, "a", "append 3-d to 2-d",
                () -> np.append("a", NdArray.zeros(DType.FLOAT32, 1, 3, 1)));
        refused(InvalidArgumentException.class, "z", "append to 0-d",
                () -> np.append("z", NdArray.zeros(DType.FLOAT64, 1)));
        refused(InvalidArgumentException.class, "s", "append int64 to int32 (segmented)",
                () -> np.append("s", NdArray.zeros(DType.INT64, 1, 4)));
        refused(InvalidArgumentException.class, "b", "append uint64 to int64",
                () -> np.append("b", NdArray.zeros(DType.UINT64, 2)));
        refused(InvalidArgumentException.class, "c", "append int8 to uint8 (bitmap)",
                () -> np.append("c", NdArray.zeros(DType.INT8, 1, 2)));
        refused(InvalidArgumentException.class, "a", "append 0-d scalar",
                () -> np.append("a", NdArray.zeros(DType.FLOAT32)));
        // several arrays in one call: one bad entry refuses the whole call
        refused(InvalidArgumentException.class, null, "append map with one bad entry",
                () -> np.append(Map.of("b", NdArray.of(new long[] {5}), "a", NdArray.of(new float[] {1}))));
    }

    @Test
    void replaceWithWrongDtypeShapeOrCount() {
        refused(InvalidArgumentException.class, "a", "replace with float64",
                () -> np.replace("a", NdArray.of(new double[][] {{1, 2, 3}}), 0));
        refused(InvalidArgumentException.class, "a", "replace with wrong width",
                () -> np.replace("a", HostileFixture.floats(1, 2, 0), 0));
        refused(InvalidArgumentException.class, "a", "replace 2 rows at 1 index",
                () -> np.replace("a", HostileFixture.floats(2, 3, 0), 0));
        refused(InvalidArgumentException.class, "a", "replace 1 row at 2 indices",
                () -> np.replace("a", HostileFixture.floats(1, 3, 0), 0, 1));
        refused(InvalidArgumentException.class, "a", "replace 1 row at no index",
                () -> np.replace("a", HostileFixture.floats(1, 3, 0)));
        refused(InvalidArgumentException.class, "z", "replace in 0-d",
                () -> np.replace("z", NdArray.zeros(DType.FLOAT64, 1), 0));
        refused(InvalidArgumentException.class, "s", "replace in segmented with int64",
                () -> np.replace("s", NdArray.zeros(DType.INT64, 1, 4), 0));
    }

    // ------------------------------------------------------------------ indices

    @Test
    void outOfRangeAndNegativeIndices() {
        long[] bad = {10, 11, -11, Long.MAX_VALUE, Long.MIN_VALUE, -Long.MAX_VALUE, 1L << 40};
        for (long i : bad) {
            refused(InvalidArgumentException.class, "a", "gather a[" + i + "]", () -> np.gather("a", i));
            refused(InvalidArgumentException.class, "a", "gather a[0," + i + "]", () -> np.gather("a", 0, i));
            refused(InvalidArgumentException.class, "a", "replace a[" + i + "]",
                    () -> np.replace("a", HostileFixture.floats(1, 3, 0), i));
            refused(InvalidArgumentException.class, "a", "replace a[0," + i + "]",
                    () -> np.replace("a", HostileFixture.floats(2, 3, 0), 0, i));
            refused(InvalidArgumentException.class, "a", "delete a[" + i + "]", () -> np.delete("a", i));
            refused(InvalidArgumentException.class, "a", "delete a[0," + i + "]", () -> np.delete("a", 0, i));
        }
        // c has 97 live rows of 100 physical: logical 97 is out of range although physical 97 exists
        for (long i : new long[] {97, 99, -98, 100}) {
            refused(InvalidArgumentException.class, "c", "gather c[" + i + "]", () -> np.gather("c", i));
            refused(InvalidArgumentException.class, "c", "delete c[" + i + "]", () -> np.delete("c", i));
        }
        // s is segmented: an index past the last segment
        refused(InvalidArgumentException.class, "s", "gather s[100]", () -> np.gather("s", 100));
        refused(InvalidArgumentException.class, "z", "gather of 0-d", () -> np.gather("z", 0));
        refused(InvalidArgumentException.class, "z", "delete in 0-d", () -> np.delete("z", 0));
        refused(InvalidArgumentException.class, "a", "stream 0 rows", () -> np.stream("a", 0));
        refused(InvalidArgumentException.class, "a", "stream negative rows", () -> np.stream("a", -5));
    }

    @Test
    void negativeIndicesInRangeCountFromTheEnd() {
        assertEquals(np.gather("a", 9), np.gather("a", -1));
        assertEquals(np.gather("c", 0), np.gather("c", -97));
        assertUnchanged("negative reads");
    }

    /** Like {@link #refused}, but records a wrong outcome in {@code problems} instead of stopping. */
    private void check(List<String> problems, Class<? extends NumPackException> type, String array, String what,
            Executable call) {
        try {
            refused(type, array, what, call);
        } catch (AssertionError e) {
            problems.add(e.getMessage().split("\n")[0]);
        }
    }

    @Test
    void lazyViewRangeChecks() {
        List<String> problems = new ArrayList<>();
        try (LazyArray a = np.lazy("a")) {
            long rb = a.rowBytes();
            ByteBuffer dst = ByteBuffer.allocate((int) rb * 4);
            for (long[] r : new long[][] {{-1, 1}, {0, -1}, {9, 2}, {10, 1}, {0, 11}, {Long.MAX_VALUE, 1},
                    {1, Long.MAX_VALUE}, {Long.MAX_VALUE, Long.MAX_VALUE}, {5, Long.MIN_VALUE}}) {
                check(problems, InvalidArgumentException.class, "a", "a.readRows(" + r[0] + ", " + r[1] + ")",
                        () -> a.readRows(r[0], r[1], dst));
                if (dst.position() != 0) {
                    problems.add("a.readRows(" + r[0] + ", " + r[1] + ") moved the buffer to " + dst.position());
                    dst.clear();
                }
            }
            for (long[] r : new long[][] {{5, 6}, {5, -1}, {-1, 2}, {0, 11}, {Long.MIN_VALUE, 0}, {0, Long.MAX_VALUE},
                    {Long.MAX_VALUE - 1, Long.MAX_VALUE}, {-5, Long.MAX_VALUE}, {11, 0}}) {
                check(problems, InvalidArgumentException.class, "a", "a.readRows(" + r[0] + ", " + r[1] + ")",
                        () -> a.readRows(r[0], r[1]));
            }
            check(problems, InvalidArgumentException.class, "a", "a.gather(10)", () -> a.gather(10));
            check(problems, InvalidArgumentException.class, "a", "a.gather(MIN)", () -> a.gather(Long.MIN_VALUE));
        }
        try (LazyArray c = np.lazy("c")) {
            ByteBuffer dst = ByteBuffer.allocate(1000);
            check(problems, InvalidArgumentException.class, "c", "c.readRows(96, 2)", () -> c.readRows(96, 2, dst));
            check(problems, InvalidArgumentException.class, "c", "c.readRows(MAX, 1)",
                    () -> c.readRows(Long.MAX_VALUE, 1, dst));
        }
        try (LazyArray s = np.lazy("s")) {
            ByteBuffer dst = ByteBuffer.allocate(1000);
            check(problems, InvalidArgumentException.class, "s", "s.readRows(MAX, 1)",
                    () -> s.readRows(Long.MAX_VALUE, 1, dst));
            check(problems, InvalidArgumentException.class, "s", "s.readRows(0, MAX)", () -> s.readRows(0, Long.MAX_VALUE));
        }
        assertTrue(problems.isEmpty(), problems.size() + " wrong outcomes:\n  " + String.join("\n  ", problems));
    }

    /** WritableArray range checks; the batch is aborted, so the store must be unchanged afterwards. */
    @Test
    void writableArrayRangeChecks() {
        List<String> problems = new ArrayList<>();
        try (dev.numpack.WritableBatchMode wb = np.writableBatchMode()) {
            dev.numpack.WritableArray a = wb.open("a");
            ByteBuffer buf = ByteBuffer.allocate((int) a.rowBytes() * 2);
            for (long[] r : new long[][] {{-1, 1}, {0, -1}, {9, 2}, {10, 1}, {Long.MAX_VALUE, 1},
                    {1, Long.MAX_VALUE}, {Long.MAX_VALUE, Long.MAX_VALUE}}) {
                check(problems, InvalidArgumentException.class, "a", "w.readRows(" + r[0] + ", " + r[1] + ")",
                        () -> a.readRows(r[0], r[1], buf));
                buf.clear();
                check(problems, InvalidArgumentException.class, "a", "w.writeRows(" + r[0] + ", " + r[1] + ")",
                        () -> a.writeRows(r[0], r[1], buf));
                buf.clear();
            }
            ByteBuffer small = ByteBuffer.allocate(10);
            check(problems, InvalidArgumentException.class, "a", "w.readRows(0, 2) into 10 bytes",
                    () -> a.readRows(0, 2, small));
            check(problems, InvalidArgumentException.class, "a", "w.writeRows(0, 2) from 10 bytes",
                    () -> a.writeRows(0, 2, small));
            check(problems, InvalidArgumentException.class, "a", "w.chunk(-1)", () -> a.chunk(-1));
            check(problems, InvalidArgumentException.class, "a", "w.chunk(99)", () -> a.chunk(99));
            refused(InvalidArgumentException.class, "c", "open c (has deleted rows)", () -> wb.open("c"));
            wb.abort();
        }
        assertUnchanged("aborted writable batch");
        assertTrue(problems.isEmpty(), problems.size() + " wrong outcomes:\n  " + String.join("\n  ", problems));
    }

    @Test
    void gatherIntoATooSmallBuffer() {
        try (LazyArray a = np.lazy("a")) {
            long rb = a.rowBytes();
            for (ByteBuffer dst : new ByteBuffer[] {ByteBuffer.allocate((int) (2 * rb - 1)),
                    ByteBuffer.allocateDirect((int) (2 * rb - 1)), ByteBuffer.allocate(0),
                    ByteBuffer.allocate((int) (3 * rb)).position((int) (rb + 1))}) {
                int pos = dst.position();
                refused(InvalidArgumentException.class, "a", "gather 2 rows into " + dst.remaining() + " bytes",
                        () -> a.gather(new long[] {0, 1}, dst));
                assertEquals(pos, dst.position(), "a refused gather leaves the buffer position alone");
                refused(InvalidArgumentException.class, "a", "readRows 2 rows into " + dst.remaining() + " bytes",
                        () -> a.readRows(0, 2, dst));
                assertEquals(pos, dst.position());
            }
            ByteBuffer ro = ByteBuffer.allocate((int) rb).asReadOnlyBuffer();
            Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> a.gather(new long[] {0}, ro));
            assertTrue(t != null, "gather into a read-only buffer must fail");
            if (!(t instanceof InvalidArgumentException)) {
                throw new AssertionError("gather into a read-only buffer raised " + t, t);
            }
            // the exact size works
            ByteBuffer exact = ByteBuffer.allocate((int) (2 * rb));
            a.gather(new long[] {0, -1}, exact);
            assertEquals(2 * rb, exact.position());
        }
        assertUnchanged("gathers");
    }

    @Test
    void gatherIntoSlotsChecksEverySlotAndTheirCount() {
        try (LazyArray a = np.lazy("a")) {
            ByteBuffer dst = ByteBuffer.allocate((int) a.rowBytes() * 2); // room for slots 0 and 1
            for (int[] slots : new int[][] {{0, 2}, {-1, 0}, {1, Integer.MAX_VALUE}, {Integer.MIN_VALUE, 1}}) {
                InvalidArgumentException e = refused(InvalidArgumentException.class, "a",
                        "gather into slots " + slots[0] + ", " + slots[1], () -> a.gather(new long[] {0, 1}, slots, dst));
                assertTrue(e.getMessage().contains("outside a buffer of 2 rows"), e.getMessage());
            }
            InvalidArgumentException e = refused(InvalidArgumentException.class, "a", "gather 2 indices into 1 slot",
                    () -> a.gather(new long[] {0, 1}, new int[] {0}, dst));
            assertTrue(e.getMessage().contains("2 indices for 1 slots"), e.getMessage());
            a.gather(new long[] {0, -1}, new int[] {1, 0}, dst); // in range: works
            int rb = (int) a.rowBytes();
            assertEquals(np.gather("a", -1).buffer(), dst.duplicate().limit(rb), "slot 0 holds the last row");
            assertEquals(np.gather("a", 0).buffer(), dst.duplicate().position(rb), "slot 1 holds the first row");
        }
        InvalidArgumentException e = refused(InvalidArgumentException.class, "a", "batch replace of 2 rows at 1 index",
                () -> np.batchMode(b -> b.replace("a", HostileFixture.floats(2, 3, 0), 0)));
        assertTrue(e.getMessage().contains("1 indices for 2 rows"), e.getMessage());
    }

    // ------------------------------------------------------------------ use after close

    @Test
    void useAfterClose() {
        LazyArray view = np.lazy("a");
        RowStream stream = np.stream("s", 7);
        NdArray x = NdArray.of(new float[] {1});
        np.close();
        np.close(); // idempotent
        List<Executable> calls = new ArrayList<>(List.of(
                () -> np.names(), () -> np.contains("a"), () -> np.load("a"), () -> np.lazy("a"),
                () -> np.shape("a"), () -> np.info("a"), () -> np.infos(), () -> np.gather("a", 0),
                () -> np.save("n", x), () -> np.append("a", x), () -> np.replace("a", x, 0), () -> np.delete("a", 0),
                () -> np.drop("a"), () -> np.compact("a"), () -> np.cloneArray("a", "n"), () -> np.reset(),
                () -> np.refresh(), () -> np.verify(), () -> np.batchMode(), () -> np.writableBatchMode(),
                () -> np.stream("a", 1), () -> np.exportNpy("a", f.base.resolve("o.npy")),
                () -> view.gather(0), () -> view.readRows(0, 1, ByteBuffer.allocate(12)), () -> view.load(),
                () -> stream.iterator().next()));
        for (int i = 0; i < calls.size(); i++) {
            int k = i;
            Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, calls.get(i)::execute);
            if (!(t instanceof AlreadyClosedException)) {
                throw new AssertionError("call " + k + " after close: expected AlreadyClosedException, got " + t, t);
            }
            f.assertTyped(t, AlreadyClosedException.class, null, "call " + k + " after close");
        }
        f.assertStoreUnchanged(filesBefore, "use after close");
        assertFalse(Files.exists(f.base.resolve("o.npy")));
        f.assertStoreIntact();
        f.assertOutsideUntouched();
    }

    @Test
    void closedViewOnAnOpenStore() {
        LazyArray view = np.lazy("a");
        view.close();
        refused(AlreadyClosedException.class, "a", "gather on closed view", () -> view.gather(0));
        refused(AlreadyClosedException.class, "a", "readRows on closed view",
                () -> view.readRows(0, 1, ByteBuffer.allocate(12)));
    }

    @Test
    void batchAfterCloseAndAbort() {
        BatchMode b = np.batchMode();
        b.save("tmp", NdArray.of(new float[] {1}));
        b.abort();
        b.close();
        assertFalse(np.contains("tmp"));
        Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> b.save("tmp2", NdArray.of(new float[] {1})));
        f.assertTyped(t, AlreadyClosedException.class, null, "save on a closed batch");
        assertUnchanged("aborted batch");
    }

    @Test
    void writesOnAReadOnlyStore() {
        try (NumPack ro = NumPack.openReadOnly(f.store)) {
            NdArray x = NdArray.of(new float[] {1});
            for (Executable c : List.<Executable>of(() -> ro.save("n", x), () -> ro.append("a", HostileFixture.floats(1, 3, 0)),
                    () -> ro.replace("a", HostileFixture.floats(1, 3, 0), 0), () -> ro.delete("a", 0), () -> ro.drop("a"),
                    () -> ro.compact("c"), () -> ro.cloneArray("a", "n"), () -> ro.reset(), () -> ro.batchMode(),
                    () -> ro.writableBatchMode())) {
                refused(ReadOnlyStoreException.class, null, "write on read-only store", c);
            }
        }
    }
}
