package dev.numpack.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.numpack.AlreadyClosedException;
import dev.numpack.ArrayNotFoundException;
import dev.numpack.BatchMode;
import dev.numpack.InvalidArgumentException;
import dev.numpack.LazyArray;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.NumPackException;
import dev.numpack.WritableArray;
import dev.numpack.WritableBatchMode;
import dev.numpack.DType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Interprets {@link Step}s as operations on a store and on its {@link StoreModel}. Deterministic: the same
 * step on the same model state gives the same operation and data, so a crashed child's sequence can be
 * replayed by the parent. Valid steps never throw on a correct store; {@link Step.Kind#INVALID} steps assert
 * the exception that an invalid call must raise.
 */
public final class OpFactory {
    /** Sizes, names, dtypes and which checks to run. */
    public static final class Config {
        /** Array names used. */
        public String[] names = {"a", "b", "c", "d", "e f", "\u00fcn\u00ef"};
        /** Dtypes used. */
        public DType[] dtypes = DType.values();
        /** Row shapes (trailing dims); {@code null} means a 0-d array. */
        public long[][] rowShapes = {{}, {3}, {2, 2}, {5}, null, {0}, {1}};
        /** Most rows of a small array or append. */
        public int smallRows = 12;
        /** Most rows of a big one. */
        public int bigRows = 80;
        /** Arrays with more physical rows than this are re-saved small instead of appended to. */
        public int capRows = 400;
        /** Segment targets a reopen picks from (0: default). */
        public long[] reopenSegmentTargets = {0, 64, 256, 1024};
        /** Whether to assert what batches and views observe while running (property tests). */
        public boolean checks = true;

        /** @return the settings of the property tests */
        public static Config properties() {
            return new Config();
        }

        /** @return the settings of the crash child: valid operations, bigger arrays, no in-op checks */
        public static Config crash() {
            Config c = new Config();
            c.names = new String[] {"a", "b", "c", "d", "e"};
            c.dtypes = new DType[] {DType.FLOAT32, DType.INT64, DType.UINT8, DType.FLOAT64, DType.INT16,
                DType.COMPLEX64, DType.BOOL};
            c.rowShapes = new long[][] {{}, {3}, {2, 2}, {4}, {3}, {}, null};
            c.smallRows = 40;
            c.bigRows = 1500;
            c.capRows = 6000;
            c.reopenSegmentTargets = new long[] {0};
            c.checks = false;
            return c;
        }
    }

    private final Config cfg;

    /** @param cfg settings */
    public OpFactory(Config cfg) {
        this.cfg = cfg;
    }

    /**
     * @param s the step
     * @param m the model state it runs on (not changed here)
     * @return the operation
     */
    public Op make(Step s, StoreModel m) {
        switch (s.kind()) {
            case SAVE_NEW: return saveNew(s, m);
            case SAVE_OVERWRITE: return saveOverwrite(s, m);
            case SAVE_MULTI: return saveMulti(s, m);
            case APPEND: return append(s, m, false);
            case APPEND_BIG: return append(s, m, true);
            case APPEND_MULTI: return appendMulti(s, m);
            case REPLACE: return replace(s, m);
            case DELETE: return delete(s, m);
            case COMPACT: return compact(s, m);
            case COMPACT_ALL: return compactAll();
            case DROP: return drop(s, m);
            case CLONE: return cloneArray(s, m);
            case BATCH: return batch(s, m);
            case WBATCH: return writableBatch(s, m);
            case REOPEN: return reopen(s);
            case VIEW_OPEN: return viewOpen(s, m);
            case INVALID: return invalid(s, m);
            default: throw new AssertionError(s.kind());
        }
    }

    // ------------------------------------------------------------------ data helpers

    /** @param r random @param t dtype @param shape shape @return an array of random content */
    public static NdArray data(Random r, DType t, long[] shape) {
        long n = t.itemSize();
        for (long d : shape) {
            n *= d;
        }
        byte[] b = new byte[(int) n];
        r.nextBytes(b);
        if (t == DType.BOOL) {
            for (int i = 0; i < b.length; i++) {
                b[i] &= 1;
            }
        }
        return NdArray.copyOf(t, shape, ByteBuffer.wrap(b));
    }

    static List<byte[]> split(NdArray rows) {
        byte[] all = ArrayModel.bytes(rows);
        int n = (int) rows.rows();
        int rb = (int) rows.rowBytes();
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Arrays.copyOfRange(all, i * rb, i * rb + rb));
        }
        return out;
    }

    private int size(int b) {
        int k = Math.floorMod(b, 10);
        if (k < 7) {
            return Math.floorMod(b / 10, cfg.smallRows + 1);
        }
        if (k == 7) {
            return 0;
        }
        return Math.floorMod(b / 10, cfg.bigRows + 1);
    }

    private static int mod(int x, int n) {
        return Math.floorMod(x, n);
    }

    private static String pick(StoreModel m, int a, Predicate<ArrayModel> ok) {
        List<String> c = new ArrayList<>();
        for (Map.Entry<String, ArrayModel> e : m.arrays.entrySet()) {
            if (ok.test(e.getValue())) {
                c.add(e.getKey());
            }
        }
        return c.isEmpty() ? null : c.get(mod(a, c.size()));
    }

    private String fresh(StoreModel m, int a) {
        for (int i = 0; i < cfg.names.length; i++) {
            String n = cfg.names[mod(a + i, cfg.names.length)];
            if (!m.arrays.containsKey(n)) {
                return n;
            }
        }
        return null;
    }

    private String missing(StoreModel m, int a) {
        String f = fresh(m, a);
        return f != null ? f : "missing_" + mod(a, 3);
    }

    private long[] shapeFor(int c, int rows) {
        long[] rs = cfg.rowShapes[mod(c / cfg.dtypes.length, cfg.rowShapes.length)];
        if (rs == null) {
            return new long[0];
        }
        long[] s = new long[rs.length + 1];
        s[0] = rows;
        System.arraycopy(rs, 0, s, 1, rs.length);
        return s;
    }

    private DType dtypeFor(int c) {
        return cfg.dtypes[mod(c, cfg.dtypes.length)];
    }

    private static NdArray rowsFor(ArrayModel a, int n, Random r) {
        return data(r, a.dtype(), a.withRows(n));
    }

    /** @return an index for logical row {@code i} of {@code n}: as is or negative, at random */
    private static long alias(int i, int n, Random r) {
        return r.nextBoolean() ? i : i - (long) n;
    }

    private static DType otherDtype(DType t, Random r) {
        DType[] all = DType.values();
        DType o;
        do {
            o = all[r.nextInt(all.length)];
        } while (o == t);
        return o;
    }

    private static final Predicate<ArrayModel> ANY = a -> true;
    private static final Predicate<ArrayModel> ROWS = a -> !a.zeroD();
    private static final Predicate<ArrayModel> LIVE = a -> !a.zeroD() && a.liveRows() > 0;

    // ------------------------------------------------------------------ valid operations

    private Op saveNew(Step s, StoreModel m) {
        String fresh = fresh(m, s.a());
        String name = fresh != null ? fresh : cfg.names[mod(s.a(), cfg.names.length)];
        NdArray arr = data(new Random(s.seed()), dtypeFor(s.c()), shapeFor(s.c(), size(s.b())));
        return new Op("save " + name + " " + arr, true, ss -> ss.np.save(name, arr),
                mm -> mm.arrays.put(name, ArrayModel.of(arr)));
    }

    private Op saveOverwrite(Step s, StoreModel m) {
        String name = pick(m, s.a(), ANY);
        if (name == null) {
            return saveNew(s, m);
        }
        NdArray arr = data(new Random(s.seed()), dtypeFor(s.c()), shapeFor(s.c(), size(s.b())));
        return new Op("overwrite " + name + " (" + m.get(name) + ") with " + arr, true, ss -> ss.np.save(name, arr),
                mm -> mm.arrays.put(name, ArrayModel.of(arr)));
    }

    private Op saveMulti(Step s, StoreModel m) {
        String n1 = cfg.names[mod(s.a(), cfg.names.length)];
        String n2 = cfg.names[mod(s.a() + 1 + mod(s.b(), cfg.names.length - 1), cfg.names.length)];
        Random r = new Random(s.seed());
        NdArray a1 = data(r, dtypeFor(s.c()), shapeFor(s.c(), size(s.b())));
        NdArray a2 = data(r, dtypeFor(s.c() + 1), shapeFor(s.c() + 3, size(s.b() / 3)));
        Map<String, NdArray> map = new LinkedHashMap<>();
        map.put(n1, a1);
        map.put(n2, a2);
        return new Op("save {" + n1 + "=" + a1 + ", " + n2 + "=" + a2 + "}", true, ss -> ss.np.save(map), mm -> {
            mm.arrays.put(n1, ArrayModel.of(a1));
            mm.arrays.put(n2, ArrayModel.of(a2));
        });
    }

    private Op append(Step s, StoreModel m, boolean big) {
        String name = pick(m, s.a(), ROWS);
        if (name == null) {
            return saveNew(s, m);
        }
        ArrayModel a = m.get(name);
        if (a.physicalRows() > cfg.capRows) {
            NdArray arr = data(new Random(s.seed()), a.dtype(), a.withRows(size(s.b()) % (cfg.smallRows + 1)));
            return new Op("shrink " + name + " to " + arr, true, ss -> ss.np.save(name, arr),
                    mm -> mm.arrays.put(name, ArrayModel.of(arr)));
        }
        int n = big ? cfg.bigRows / 2 + mod(s.b(), cfg.bigRows / 2 + 1) : size(s.b());
        NdArray rows = rowsFor(a, n, new Random(s.seed()));
        return new Op("append " + name + " (" + a + ") " + rows, true, ss -> ss.np.append(name, rows),
                mm -> mm.get(name).appendRows(split(rows)));
    }

    private Op appendMulti(Step s, StoreModel m) {
        String n1 = pick(m, s.a(), ROWS);
        String n2 = pick(m, s.a() + 1, ROWS);
        if (n1 == null || n1.equals(n2) || m.get(n1).physicalRows() > cfg.capRows
                || m.get(n2).physicalRows() > cfg.capRows) {
            return append(s, m, false);
        }
        Random r = new Random(s.seed());
        NdArray r1 = rowsFor(m.get(n1), size(s.b()), r);
        NdArray r2 = rowsFor(m.get(n2), size(s.b() / 7), r);
        Map<String, NdArray> map = new LinkedHashMap<>();
        map.put(n1, r1);
        map.put(n2, r2);
        return new Op("append {" + n1 + "+=" + r1 + ", " + n2 + "+=" + r2 + "}", true, ss -> ss.np.append(map), mm -> {
            mm.get(n1).appendRows(split(r1));
            mm.get(n2).appendRows(split(r2));
        });
    }

    private Op replace(Step s, StoreModel m) {
        String name = pick(m, s.a(), LIVE);
        if (name == null) {
            return append(s, m, false);
        }
        ArrayModel a = m.get(name);
        int live = a.liveRows();
        Random r = new Random(s.seed());
        int k = 1 + mod(s.b(), Math.min(live, 5));
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < live; i++) {
            all.add(i);
        }
        Collections.shuffle(all, r);
        long[] idx = new long[k];
        for (int i = 0; i < k; i++) {
            idx[i] = alias(all.get(i), live, r);
        }
        NdArray rows = rowsFor(a, k, r);
        List<byte[]> split = split(rows);
        return new Op("replace " + name + " (" + a + ") rows " + Arrays.toString(idx), true,
                ss -> ss.np.replace(name, rows, idx), mm -> {
                    ArrayModel x = mm.get(name);
                    int[] phys = new int[k];
                    for (int i = 0; i < k; i++) {
                        phys[i] = x.physical(x.normalize(idx[i]));
                    }
                    for (int i = 0; i < k; i++) {
                        x.gen.phys.set(phys[i], split.get(i));
                    }
                });
    }

    private Op delete(Step s, StoreModel m) {
        String name = pick(m, s.a(), LIVE);
        if (name == null) {
            return append(s, m, false);
        }
        ArrayModel a = m.get(name);
        int live = a.liveRows();
        Random r = new Random(s.seed());
        int k = 1 + mod(s.b(), Math.min(live, 4));
        long[] idx = new long[k];
        for (int i = 0; i < k; i++) {
            idx[i] = alias(r.nextInt(live), live, r);
        }
        return new Op("delete " + name + " (" + a + ") rows " + Arrays.toString(idx), true,
                ss -> ss.np.delete(name, idx), mm -> {
                    ArrayModel x = mm.get(name);
                    int[] phys = new int[k];
                    for (int i = 0; i < k; i++) {
                        phys[i] = x.physical(x.normalize(idx[i]));
                    }
                    for (int p : phys) {
                        x.deleted.set(p);
                    }
                });
    }

    private Op compact(Step s, StoreModel m) {
        String name = pick(m, s.a(), a -> a.hasDeleted());
        if (name == null) {
            name = pick(m, s.a(), ANY);
        }
        if (name == null) {
            return saveNew(s, m);
        }
        String n = name;
        return new Op("compact " + n + " (" + m.get(n) + ")", true, ss -> ss.np.compact(n), mm -> {
            if (mm.get(n).hasDeleted()) {
                mm.arrays.put(n, mm.get(n).rewritten());
            }
        });
    }

    private Op compactAll() {
        return new Op("compactAll", true, ss -> ss.np.compactAll(), mm -> {
            for (Map.Entry<String, ArrayModel> e : mm.arrays.entrySet()) {
                if (e.getValue().hasDeleted()) {
                    e.setValue(e.getValue().rewritten());
                }
            }
        });
    }

    private Op drop(Step s, StoreModel m) {
        String name = pick(m, s.a(), ANY);
        if (name == null) {
            return saveNew(s, m);
        }
        if (mod(s.c(), cfg.checks ? 10 : 25) == 9) {
            return new Op("reset", true, ss -> ss.np.reset(), mm -> mm.arrays.clear());
        }
        String other = pick(m, s.a() + 1, ANY);
        if (mod(s.c(), 3) == 0 && other != null && !other.equals(name)) {
            return new Op("drop " + name + ", " + other, true, ss -> ss.np.drop(name, other), mm -> {
                mm.arrays.remove(name);
                mm.arrays.remove(other);
            });
        }
        return new Op("drop " + name, true, ss -> ss.np.drop(name), mm -> mm.arrays.remove(name));
    }

    private Op cloneArray(Step s, StoreModel m) {
        String src = pick(m, s.a(), ANY);
        if (src == null) {
            return saveNew(s, m);
        }
        String dst = cfg.names[mod(s.b(), cfg.names.length)];
        return new Op("clone " + src + " (" + m.get(src) + ") -> " + dst, true, ss -> ss.np.cloneArray(src, dst),
                mm -> mm.arrays.put(dst, mm.get(src).rewritten()));
    }

    private Op reopen(Step s) {
        long seg = cfg.reopenSegmentTargets[mod(s.c(), cfg.reopenSegmentTargets.length)];
        return new Op("reopen (segment target " + seg + ")", false, ss -> ss.reopen(seg), mm -> { });
    }

    private Op viewOpen(Step s, StoreModel m) {
        String name = pick(m, s.a(), ANY);
        if (name == null) {
            return saveNew(s, m);
        }
        ArrayModel a = m.get(name);
        return new Op("open view of " + name + " (" + a + ")", false, ss -> {
            LazyArray v = ss.np.lazy(name);
            ss.views.add(new StoreSession.View(v, a));
            if (ss.views.size() > 4) {
                StoreSession.View old = ss.views.remove(0);
                old.lazy.close();
                assertThrows(AlreadyClosedException.class, old.lazy::load, "a closed view must refuse reads");
            }
        }, mm -> { });
    }

    // ------------------------------------------------------------------ batches

    /** One operation inside a batch: on the batch, and on the batch's own model. */
    private interface BatchOp {
        void run(BatchMode b);
    }

    private Op batch(Step s, StoreModel m) {
        Random r = new Random(s.seed());
        TreeMap<String, ArrayModel> local = new TreeMap<>();
        for (Map.Entry<String, ArrayModel> e : m.arrays.entrySet()) {
            local.put(e.getKey(), e.getValue().rewritten());
        }
        // arrays this batch only deletes rows from: the physical rows of the committed array still live in
        // the batch's view; such arrays commit as NumPack.delete does (the bitmap), not as a new file
        Map<String, List<Integer>> deleteOnly = new HashMap<>();
        Set<String> touched = new HashSet<>();
        List<BatchOp> ops = new ArrayList<>();
        List<String> descs = new ArrayList<>();
        List<Map<String, NdArray>> expectAfter = new ArrayList<>();
        int n = 2 + mod(s.b(), 4);
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(5);
            StoreModel view = new StoreModel();
            view.arrays.putAll(local);
            String name = kind == 0 ? null : kind == 4 ? pick(view, r.nextInt(100), ANY)
                    : pick(view, r.nextInt(100), kind == 1 ? ROWS : LIVE);
            if (name == null) {
                kind = 0;
            }
            switch (kind) {
                case 0: {
                    String nm = cfg.names[r.nextInt(cfg.names.length)];
                    int c = r.nextInt(1000);
                    NdArray arr = data(r, dtypeFor(c), shapeFor(c, r.nextInt(cfg.smallRows + 1)));
                    ops.add(b -> b.save(nm, arr));
                    deleteOnly.remove(nm);
                    descs.add("save " + nm + " " + arr);
                    local.put(nm, ArrayModel.of(arr));
                    touched.add(nm);
                    break;
                }
                case 1: {
                    ArrayModel a = local.get(name);
                    NdArray rows = rowsFor(a, r.nextInt(cfg.smallRows + 1), r);
                    ops.add(b -> b.append(name, rows));
                    deleteOnly.remove(name);
                    descs.add("append " + name + " " + rows);
                    a.appendRows(split(rows));
                    touched.add(name);
                    break;
                }
                case 2: {
                    ArrayModel a = local.get(name);
                    int live = a.liveRows();
                    int k = 1 + r.nextInt(Math.min(live, 3));
                    List<Integer> all = new ArrayList<>();
                    for (int j = 0; j < live; j++) {
                        all.add(j);
                    }
                    Collections.shuffle(all, r);
                    long[] idx = new long[k];
                    for (int j = 0; j < k; j++) {
                        idx[j] = alias(all.get(j), live, r);
                    }
                    NdArray rows = rowsFor(a, k, r);
                    List<byte[]> sp = split(rows);
                    ops.add(b -> b.replace(name, rows, idx));
                    deleteOnly.remove(name);
                    descs.add("replace " + name + " " + Arrays.toString(idx));
                    for (int j = 0; j < k; j++) {
                        a.gen.phys.set(a.normalize(idx[j]), sp.get(j));
                    }
                    touched.add(name);
                    break;
                }
                case 3: {
                    ArrayModel a = local.get(name);
                    int live = a.liveRows();
                    int k = 1 + r.nextInt(Math.min(live, 3));
                    long[] idx = new long[k];
                    BitSet gone = new BitSet();
                    for (int j = 0; j < k; j++) {
                        int li = r.nextInt(live);
                        idx[j] = alias(li, live, r);
                        gone.set(li);
                    }
                    ops.add(b -> b.delete(name, idx));
                    descs.add("delete " + name + " " + Arrays.toString(idx));
                    if (!touched.contains(name) && m.arrays.containsKey(name)) {
                        ArrayModel c = m.get(name);
                        List<Integer> live0 = new ArrayList<>();
                        for (int j = 0; j < c.liveRows(); j++) {
                            live0.add(c.physical(j));
                        }
                        deleteOnly.put(name, live0);
                    }
                    List<Integer> still = deleteOnly.get(name);
                    if (still != null) {
                        for (int j = live - 1; j >= 0; j--) {
                            if (gone.get(j)) {
                                still.remove(j);
                            }
                        }
                    }
                    List<byte[]> keep = new ArrayList<>();
                    for (int j = 0; j < live; j++) {
                        if (!gone.get(j)) {
                            keep.add(a.gen.phys.get(j));
                        }
                    }
                    local.put(name, new ArrayModel(a.dtype(), a.rowShape(), keep));
                    touched.add(name);
                    break;
                }
                case 4: {
                    ops.add(b -> b.drop(name));
                    deleteOnly.remove(name);
                    descs.add("drop " + name);
                    local.remove(name);
                    touched.add(name);
                    break;
                }
                default:
                    throw new AssertionError(kind);
            }
            Map<String, NdArray> exp = new TreeMap<>();
            for (Map.Entry<String, ArrayModel> e : local.entrySet()) {
                exp.put(e.getKey(), e.getValue().load());
            }
            expectAfter.add(exp);
        }
        int mode = mod(s.c(), 8);
        boolean abort = mode == 0;
        boolean viaConsumer = mode == 2 || mode == 3;
        boolean checks = cfg.checks;
        Set<String> before = new HashSet<>(m.arrays.keySet());
        Consumer<BatchMode> work = b -> {
            for (int i = 0; i < ops.size(); i++) {
                ops.get(i).run(b);
                if (checks) {
                    Map<String, NdArray> exp = expectAfter.get(i);
                    assertEquals(exp.keySet(), b.names(), "batch names after " + descs.get(i));
                    for (Map.Entry<String, NdArray> e : exp.entrySet()) {
                        NdArray want = e.getValue();
                        assertArrayEquals(want.shape(), b.shape(e.getKey()), "batch shape of " + e.getKey());
                        assertEquals(want.dtype(), b.dtype(e.getKey()));
                        assertEquals(want, b.load(e.getKey()), "batch content of " + e.getKey() + " after " + descs.get(i));
                    }
                }
            }
            if (abort) {
                b.abort();
            }
        };
        String desc = (abort ? "aborted " : "") + "batch " + descs;
        return new Op(desc, !abort, ss -> {
            if (viaConsumer) {
                ss.np.batchMode(work);
            } else {
                try (BatchMode b = ss.np.batchMode()) {
                    work.accept(b);
                    if (checks) {
                        for (String t : touched) {
                            if (!before.contains(t)) {
                                assertFalse(ss.np.contains(t), "the store must not see a batch before it commits");
                            }
                        }
                    }
                }
            }
        }, mm -> {
            if (abort) {
                return;
            }
            for (String t : touched) {
                ArrayModel a = local.get(t);
                ArrayModel committed = mm.get(t);
                if (a == null) {
                    mm.arrays.remove(t);
                } else if (deleteOnly.containsKey(t) && committed != null) {
                    Set<Integer> keep = new HashSet<>(deleteOnly.get(t));
                    List<Integer> livePhysical = new ArrayList<>();
                    for (int j = 0; j < committed.liveRows(); j++) {
                        livePhysical.add(committed.physical(j));
                    }
                    for (int p : livePhysical) {
                        if (!keep.contains(p)) {
                            committed.deleted.set(p); // a logical delete, as NumPack.delete commits it
                        }
                    }
                } else {
                    mm.arrays.put(t, committed == null ? a.rewritten() : committed.committedByBatch(a));
                }
            }
        });
    }

    /** One edit of a writable array: rows [start, start+count) get {@code bytes}. */
    private static final class Edit {
        final int start;
        final int count;
        final byte[] bytes;

        Edit(int start, int count, byte[] bytes) {
            this.start = start;
            this.count = count;
            this.bytes = bytes;
        }

        @Override
        public String toString() {
            return "[" + start + "+" + count + ")";
        }
    }

    private Op writableBatch(Step s, StoreModel m) {
        Random r = new Random(s.seed());
        List<String> names = new ArrayList<>();
        String n1 = pick(m, s.a(), a -> !a.hasDeleted());
        if (n1 == null) {
            return saveNew(s, m);
        }
        names.add(n1);
        String n2 = pick(m, s.a() + 1, a -> !a.hasDeleted());
        if (mod(s.b(), 2) == 1 && n2 != null && !n2.equals(n1)) {
            names.add(n2);
        }
        Map<String, List<Edit>> edits = new LinkedHashMap<>();
        Map<String, NdArray> old = new LinkedHashMap<>();
        Map<String, byte[]> edited = new LinkedHashMap<>();
        for (String n : names) {
            ArrayModel a = m.get(n);
            old.put(n, a.load());
            int rows = a.physicalRows();
            int rb = a.rowBytes();
            List<Edit> list = new ArrayList<>();
            byte[] now = a.logicalBytes();
            int k = r.nextInt(4);
            for (int i = 0; i < k; i++) {
                int start = 0;
                int count = 1;
                if (!a.zeroD()) {
                    start = rows == 0 ? 0 : r.nextInt(rows);
                    count = rows == 0 ? 0 : r.nextInt(Math.min(rows - start, 4) + 1);
                }
                byte[] b = ArrayModel.bytes(data(r, a.dtype(), a.zeroD() ? new long[0] : a.withRows(count)));
                list.add(new Edit(start, count, b));
                System.arraycopy(b, 0, now, start * rb, count * rb);
            }
            edits.put(n, list);
            edited.put(n, now);
        }
        boolean abort = mod(s.c(), 6) == 0;
        boolean viaChunks = mod(s.c() / 6, 2) == 1;
        boolean checks = cfg.checks;
        String desc = (abort ? "aborted " : "") + "writable batch " + edits + (viaChunks ? " via chunks" : "");
        return new Op(desc, !abort, ss -> {
            try (WritableBatchMode wb = ss.np.writableBatchMode()) {
                for (String n : names) {
                    WritableArray w = wb.open(n);
                    ArrayModel a = m.get(n);
                    if (checks) {
                        assertEquals(a.physicalRows(), w.rows(), "writable rows of " + n);
                        assertEquals(a.rowBytes(), w.rowBytes());
                        assertEquals(a.dtype(), w.dtype());
                        assertArrayEquals(a.physicalShape(), w.shape());
                    }
                    for (Edit e : edits.get(n)) {
                        if (viaChunks && a.rowBytes() > 0) {
                            writeViaChunks(w, e);
                        } else {
                            w.writeRows(e.start, e.count, ByteBuffer.wrap(e.bytes));
                        }
                    }
                    if (checks) {
                        ByteBuffer got = ByteBuffer.allocate(edited.get(n).length);
                        w.readRows(0, w.rows(), got);
                        assertArrayEquals(edited.get(n), got.array(), "writable batch must read its own writes: " + n);
                        assertEquals(old.get(n), ss.np.load(n), "the store must not see uncommitted writable-batch edits");
                    }
                }
                if (abort) {
                    wb.abort();
                }
            }
        }, mm -> {
            if (abort) {
                return;
            }
            for (String n : names) {
                ArrayModel a = mm.get(n);
                List<byte[]> rows = new ArrayList<>();
                byte[] all = edited.get(n);
                int rb = a.rowBytes();
                for (int i = 0; i < a.physicalRows(); i++) {
                    rows.add(Arrays.copyOfRange(all, i * rb, i * rb + rb));
                }
                mm.arrays.put(n, a.committedByBatch(new ArrayModel(a.dtype(), a.rowShape(), rows)));
            }
        });
    }

    private static void writeViaChunks(WritableArray w, Edit e) {
        int rb = (int) w.rowBytes();
        long first = 0;
        for (int i = 0; i < w.chunkCount(); i++) {
            ByteBuffer ch = w.chunk(i);
            long rows = ch.capacity() / rb;
            for (int row = e.start; row < e.start + e.count; row++) {
                if (row >= first && row < first + rows) {
                    ch.put((int) ((row - first) * rb), e.bytes, (row - e.start) * rb, rb);
                }
            }
            first += rows;
        }
    }

    // ------------------------------------------------------------------ invalid operations

    private static final Class<InvalidArgumentException> IAE = InvalidArgumentException.class;
    private static final Class<ArrayNotFoundException> NOTFOUND = ArrayNotFoundException.class;

    private Op invalid(Step s, StoreModel m) {
        Random r = new Random(s.seed());
        int v = mod(s.c(), 17);
        String rowsArr = pick(m, s.a(), ROWS);
        String liveArr = pick(m, s.a(), LIVE);
        String zero = pick(m, s.a(), ArrayModel::zeroD);
        String miss = missing(m, s.a());
        if ((v <= 6 || v == 12) && rowsArr == null || (v == 1 || v == 2 || v == 3) && liveArr == null) {
            v = 7;
        }
        if (v == 11 && zero == null || v == 9 && rowsArr == null || v == 8 && m.arrays.isEmpty()) {
            v = 7;
        }
        if (v == 14 && m.arrays.isEmpty()) {
            v = 10;
        }
        switch (v) {
            case 0: {
                ArrayModel a = m.get(rowsArr);
                int n = a.liveRows();
                long bad = r.nextBoolean() ? n + r.nextInt(3) : -n - 1 - r.nextInt(3);
                long[] idx = n > 0 ? new long[] {alias(r.nextInt(n), n, r), bad} : new long[] {bad};
                NdArray rows = rowsFor(a, idx.length, r);
                return expect("replace " + rowsArr + " (" + a + ") out of range " + Arrays.toString(idx), IAE,
                        ss -> ss.np.replace(rowsArr, rows, idx));
            }
            case 1: {
                ArrayModel a = m.get(liveArr);
                NdArray rows = data(r, otherDtype(a.dtype(), r), a.withRows(1));
                return expect("replace " + liveArr + " with wrong dtype " + rows, IAE, ss -> ss.np.replace(liveArr, rows, 0));
            }
            case 2: {
                ArrayModel a = m.get(liveArr);
                NdArray rows = data(r, a.dtype(), wrongRowShape(a, 1));
                return expect("replace " + liveArr + " (" + a + ") with wrong row shape " + rows, IAE,
                        ss -> ss.np.replace(liveArr, rows, -1));
            }
            case 3: {
                ArrayModel a = m.get(liveArr);
                NdArray rows = rowsFor(a, 2, r);
                return expect("replace " + liveArr + " 2 rows at 1 index", IAE, ss -> ss.np.replace(liveArr, rows, 0));
            }
            case 4: {
                ArrayModel a = m.get(rowsArr);
                NdArray rows = data(r, otherDtype(a.dtype(), r), a.withRows(1 + r.nextInt(3)));
                return expect("append " + rowsArr + " wrong dtype " + rows, IAE, ss -> ss.np.append(rowsArr, rows));
            }
            case 5: {
                ArrayModel a = m.get(rowsArr);
                NdArray rows = data(r, a.dtype(), wrongRowShape(a, 1 + r.nextInt(3)));
                return expect("append " + rowsArr + " (" + a + ") wrong row shape " + rows, IAE,
                        ss -> ss.np.append(rowsArr, rows));
            }
            case 6: {
                ArrayModel a = m.get(rowsArr);
                int n = a.liveRows();
                long bad = r.nextBoolean() ? n : -n - 1;
                long[] idx = n > 0 ? new long[] {0, bad} : new long[] {bad};
                return expect("delete " + rowsArr + " (" + a + ") out of range " + Arrays.toString(idx), IAE,
                        ss -> ss.np.delete(rowsArr, idx));
            }
            case 7: {
                NdArray one = data(r, DType.FLOAT32, new long[] {1});
                int w = mod(s.b(), 11);
                return expect("op " + w + " on missing " + miss, NOTFOUND, ss -> {
                    NumPack np = ss.np;
                    switch (w) {
                        case 0: np.load(miss); break;
                        case 1: np.append(miss, one); break;
                        case 2: np.delete(miss, 0); break;
                        case 3: np.replace(miss, one, 0); break;
                        case 4: np.compact(miss); break;
                        case 5: np.lazy(miss); break;
                        case 6: np.drop(miss); break;
                        case 7: np.cloneArray(miss, "a"); break;
                        case 8: np.gather(miss, 0); break;
                        case 9: np.shape(miss); break;
                        default: np.info(miss); break;
                    }
                });
            }
            case 8: {
                String have = pick(m, s.a(), ANY);
                return expect("drop " + have + " and missing " + miss, NOTFOUND, ss -> ss.np.drop(have, miss));
            }
            case 9: {
                ArrayModel a = m.get(rowsArr);
                NdArray good = rowsFor(a, 1 + r.nextInt(3), r);
                String other = pick(m, s.a() + 1, ROWS);
                Map<String, NdArray> map = new LinkedHashMap<>();
                Class<? extends Throwable> want;
                if (other != null && !other.equals(rowsArr)) {
                    map.put(rowsArr, good);
                    map.put(other, data(r, otherDtype(m.get(other).dtype(), r), m.get(other).withRows(2)));
                    want = IAE;
                } else {
                    map.put(rowsArr, good);
                    map.put(miss, good);
                    want = NOTFOUND;
                }
                return expect("append " + map + " (one part invalid)", want, ss -> ss.np.append(map));
            }
            case 10: {
                String[] bad = {"../x", "a/b", "", "x\u0001y", "q" + ".tmp-np" + "z", "..", "b\\c"};
                String b = bad[r.nextInt(bad.length)];
                NdArray arr = data(r, DType.INT32, new long[] {2});
                Map<String, NdArray> map = new LinkedHashMap<>();
                map.put(cfg.names[mod(s.a(), cfg.names.length)], arr);
                map.put(b, arr);
                return expect("save invalid name '" + b + "'", IAE, ss -> {
                    assertThrows(IAE, () -> ss.np.save(b, arr));
                    ss.np.save(map);
                });
            }
            case 11: {
                ArrayModel a = m.get(zero);
                NdArray rows = data(r, a.dtype(), new long[] {1});
                int w = r.nextInt(4);
                return expect("row op " + w + " on 0-d " + zero, IAE, ss -> {
                    switch (w) {
                        case 0: ss.np.append(zero, rows); break;
                        case 1: ss.np.replace(zero, rows, 0); break;
                        case 2: ss.np.delete(zero, 0); break;
                        default: ss.np.gather(zero, 0); break;
                    }
                });
            }
            case 12: {
                ArrayModel a = m.get(rowsArr);
                int n = a.liveRows();
                int w = r.nextInt(6);
                long badIdx = r.nextBoolean() ? n : -n - 1;
                return expect("bad read " + w + " of " + rowsArr + " (" + a + ")", IAE, ss -> {
                    switch (w) {
                        case 0: ss.np.gather(rowsArr, badIdx); break;
                        case 1:
                            try (LazyArray l = ss.np.lazy(rowsArr)) {
                                l.readRows(0, n + 1);
                            }
                            break;
                        case 2:
                            try (LazyArray l = ss.np.lazy(rowsArr)) {
                                l.readRows(1, -1);
                            }
                            break;
                        case 3: ss.np.stream(rowsArr, 0); break;
                        case 4:
                            try (LazyArray l = ss.np.lazy(rowsArr)) {
                                l.readRows(Math.max(0, n - 1), 2, ByteBuffer.allocate((int) (2 * l.rowBytes())));
                            }
                            break;
                        default:
                            if (n == 0 || a.rowBytes() == 0) {
                                ss.np.gather(rowsArr, n);
                            } else {
                                try (LazyArray l = ss.np.lazy(rowsArr)) {
                                    l.gather(new long[] {0, 0}, ByteBuffer.allocate(a.rowBytes()));
                                }
                            }
                            break;
                    }
                });
            }
            case 13: {
                boolean useMissing = liveArr == null || r.nextBoolean();
                String target = liveArr;
                String nm = cfg.names[mod(s.a(), cfg.names.length)].equals(target)
                        ? cfg.names[mod(s.a() + 1, cfg.names.length)] : cfg.names[mod(s.a(), cfg.names.length)];
                String dropIt = pick(m, s.a() + 2, ANY);
                boolean drop = dropIt != null && !dropIt.equals(target) && !dropIt.equals(nm);
                NdArray arr = data(r, DType.FLOAT64, new long[] {3, 2});
                NdArray rows = target == null ? null : rowsFor(m.get(target), 1, r);
                long bad = target == null ? 0 : m.get(target).liveRows() + r.nextInt(3);
                Class<? extends Throwable> want = useMissing ? NOTFOUND : IAE;
                return expect("batch with an invalid step (" + (useMissing ? "load missing" : "replace out of range")
                        + ")", want, ss -> ss.np.batchMode(b -> {
                            b.save(nm, arr);
                            if (drop) {
                                b.drop(dropIt);
                            }
                            if (useMissing) {
                                b.load("nope");
                            } else {
                                b.replace(target, rows, bad);
                            }
                        }));
            }
            case 14: {
                String withDel = pick(m, s.a(), ArrayModel::hasDeleted);
                if (withDel != null) {
                    return expect("writable batch opens " + withDel + " with deleted rows", IAE, ss -> {
                        try (WritableBatchMode wb = ss.np.writableBatchMode()) {
                            wb.open(withDel);
                        }
                    });
                }
                String any = pick(m, s.a(), ANY);
                ArrayModel a = m.get(any);
                return expect("writable batch writes past the end of " + any, IAE, ss -> {
                    try (WritableBatchMode wb = ss.np.writableBatchMode()) {
                        WritableArray w = wb.open(any);
                        try {
                            w.writeRows(a.physicalRows(), 1, ByteBuffer.allocate(a.rowBytes()));
                        } finally {
                            wb.abort();
                        }
                    }
                });
            }
            case 15: {
                NdArray arr = data(r, DType.INT8, new long[] {4});
                boolean writable = r.nextBoolean();
                return expect("write while a " + (writable ? "writable " : "") + "batch is open", NumPackException.class, ss -> {
                    AutoCloseable open = writable ? ss.np.writableBatchMode() : ss.np.batchMode();
                    try {
                        assertThrows(NumPackException.class, () -> ss.np.batchMode());
                        assertThrows(NumPackException.class, () -> ss.np.writableBatchMode());
                        ss.np.save("zz", arr);
                    } finally {
                        if (open instanceof BatchMode) {
                            ((BatchMode) open).abort();
                        } else {
                            ((WritableBatchMode) open).abort();
                        }
                        open.close();
                    }
                });
            }
            default: {
                String src = pick(m, s.a(), ANY);
                if (src == null) {
                    return expect("clone missing " + miss, NOTFOUND, ss -> ss.np.cloneArray(miss, "x"));
                }
                return expect("clone " + src + " to an invalid name", IAE, ss -> ss.np.cloneArray(src, "../evil"));
            }
        }
    }

    private static long[] wrongRowShape(ArrayModel a, int rows) {
        long[] rs = a.rowShape();
        long[] s;
        if (rs.length == 0) {
            s = new long[] {rows, 2};
        } else {
            s = a.withRows(rows);
            s[s.length - 1] += 1;
        }
        return s;
    }

    private static Op expect(String desc, Class<? extends Throwable> type, Op.Run run) {
        return new Op("INVALID " + desc + " -> " + type.getSimpleName(), false, ss -> {
            Throwable t = assertThrows(Throwable.class, () -> run.run(ss), desc + " must throw " + type.getSimpleName());
            if (!type.isInstance(t)) {
                throw new AssertionError(desc + ": expected " + type.getName() + ", got " + t, t);
            }
        }, mm -> { });
    }
}
