package dev.numpack.checkpoint;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;
import com.google.gson.JsonParseException;
import dev.numpack.ArrayNotFoundException;
import dev.numpack.CorruptStoreException;
import dev.numpack.Durability;
import dev.numpack.InvalidArgumentException;
import dev.numpack.LazyArray;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.NumPackException;
import dev.numpack.djl.TensorMemory;
import dev.numpack.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/** One checkpoint as a NumPack store: written in one batch commit, read back verified. */
final class CheckpointStore {
    private CheckpointStore() {}

    /** Writes a snapshot into a new store at {@code path}, every array in one atomic commit. */
    static void write(Snapshot s, Path path, Durability durability) {
        byte[] meta = s.meta.encode();
        try (NumPack np = NumPack.builder().setPath(path).optDurability(durability).build()) {
            np.batchMode(b -> {
                s.arrays.forEach(b::save);
                b.save(Snapshot.META, NdArray.ofUint8(meta));
                b.save(Snapshot.META_CRC, NdArray.of(new long[] {Long.parseLong(
                        Snapshot.crc(ByteBuffer.wrap(meta)), 16)}));
            });
        }
    }

    /**
     * Reads a checkpoint's description, checking its checksum.
     *
     * @throws CorruptCheckpointException if it is missing, damaged or not a checkpoint's
     */
    static Meta readMeta(NumPack np, Path path) {
        byte[] bytes;
        long expected;
        try {
            bytes = np.load(Snapshot.META).toByteArray();
            long[] crc = np.load(Snapshot.META_CRC).toLongArray();
            if (crc.length != 1) {
                throw new CorruptCheckpointException(path, Snapshot.META_CRC, "holds " + crc.length + " values", null);
            }
            expected = crc[0];
        } catch (NumPackException e) {
            throw classify(path, Snapshot.META, e);
        }
        long actual = Long.parseLong(Snapshot.crc(ByteBuffer.wrap(bytes)), 16);
        if (actual != expected) {
            throw new CorruptCheckpointException(path, Snapshot.META, "checksum " + Long.toHexString(actual)
                    + ", the description says " + Long.toHexString(expected), null);
        }
        try {
            return Meta.decode(bytes);
        } catch (JsonParseException | IllegalArgumentException e) {
            throw new CorruptCheckpointException(path, Snapshot.META, "not a checkpoint description: " + e.getMessage(), e);
        }
    }

    /**
     * Checks that a checkpoint fits a model and optimizer, reads and verifies every array, then puts the
     * values into the model's parameters and the optimizer. Nothing is changed unless all of it is right.
     *
     * @throws CheckpointMismatchException if names, shapes, types or the optimizer differ
     * @throws CorruptCheckpointException if an array is missing or its checksum is wrong
     */
    static Meta restore(Path path, Model model, Optimizer optimizer) {
        return restore(path, model, optimizer, null);
    }

    /**
     * @param beforeChange told the checkpoint's training state once every check has passed and before
     *     anything changes (a caller's own check, e.g. that its dataset accepts the position); what it throws
     *     becomes a {@link CheckpointMismatchException} and nothing changes. May be {@code null}.
     */
    static Meta restore(Path path, Model model, Optimizer optimizer, Consumer<TrainingState> beforeChange) {
        try (NumPack np = NumPack.openReadOnly(path)) {
            Meta meta = readMeta(np, path);
            Map<String, Parameter> params = new LinkedHashMap<>();
            for (Pair<String, Parameter> e : model.getBlock().getParameters()) {
                params.put(e.getKey(), e.getValue());
            }
            checkFits(path, meta, params, optimizer);
            // pass 1: every checksum, streamed through a small buffer; nothing changes unless all are right
            // the arrays are independent: two at a time keep the disk busier and use both cores for CRC32C
            inParallel(meta.arrays.entrySet().stream()
                    .filter(e -> optimizer != null || e.getKey().startsWith(Snapshot.PARAM)) // weights only: skip the rest
                    .toList(), e -> verify(np, path, e.getKey(), e.getValue()));
            if (beforeChange != null) {
                try {
                    beforeChange.accept(meta.state());
                } catch (IllegalArgumentException | IllegalStateException refused) {
                    throw new CheckpointMismatchException(path, "its training state does not fit: "
                            + refused.getMessage() + " (nothing was restored)", refused);
                }
            }
            // pass 2: straight into the parameters' own memory where the engine allows it (no staging copy)
            Map<String, ByteBuffer> shared = new LinkedHashMap<>();
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                NDArray target = e.getValue().getArray();
                ByteBuffer mem = TensorMemory.own(target);
                if (mem != null) {
                    shared.put(Snapshot.PARAM + e.getKey(), mem);
                } else {
                    target.set(readAll(np, path, Snapshot.PARAM + e.getKey(), null)); // engine calls stay on this thread
                }
            }
            inParallel(shared.entrySet(), e -> readAll(np, path, e.getKey(), e.getValue())); // from the page cache now
            if (optimizer != null) {
                Map<String, String> idOf = new HashMap<>();
                params.forEach((name, p) -> idOf.put(name, p.getId()));
                for (String state : meta.optimizer.states) {
                    Map<String, NDArray> arrays = new LinkedHashMap<>();
                    String prefix = Snapshot.OPTIM + state + ".";
                    for (Map.Entry<String, Meta.ArrayMeta> e : meta.arrays.entrySet()) {
                        if (e.getKey().startsWith(prefix)) {
                            String name = e.getKey().substring(prefix.length());
                            NDArray like = params.get(name).getArray();
                            Shape shape = new Shape(e.getValue().shape);
                            NDArray a = like.getManager().create(shape, like.getDataType()); // uninitialised
                            ByteBuffer own = TensorMemory.own(a);
                            if (own != null) {
                                readAll(np, path, e.getKey(), own);
                            } else {
                                a.close();
                                a = like.getManager().create(readAll(np, path, e.getKey(), null), shape,
                                        like.getDataType());
                            }
                            a.detach(); // as DJL's optimizers hold their state: outside any manager
                            arrays.put(idOf.get(name), a);
                        }
                    }
                    OptimizerState.write(optimizer, state, arrays);
                }
                Map<String, Integer> counts = new LinkedHashMap<>();
                meta.optimizer.updateCounts.forEach((name, n) -> counts.put(idOf.get(name), n));
                OptimizerState.setUpdateCounts(optimizer, counts);
                OptimizerState.setNumUpdate(optimizer, meta.optimizer.numUpdate);
            }
            return meta;
        } catch (NumPackException e) {
            throw classify(path, e.array(), e);
        }
    }

    /**
     * Runs {@code task} on every item, several at once, and returns only when all have ended, so that no task
     * still writes into a tensor after a failure has been thrown.
     *
     * @throws RuntimeException the first failure, with the others suppressed
     */
    private static <T> void inParallel(Collection<T> items, Consumer<T> task) {
        List<Throwable> failures = items.parallelStream().map(item -> {
            try {
                task.accept(item);
                return (Throwable) null;
            } catch (RuntimeException | Error e) {
                return e;
            }
        }).filter(Objects::nonNull).toList();
        if (failures.isEmpty()) {
            return;
        }
        Throwable first = failures.get(0);
        failures.subList(1, failures.size()).forEach(first::addSuppressed);
        if (first instanceof Error) {
            throw (Error) first;
        }
        throw (RuntimeException) first;
    }

    /**
     * Damage (a broken store, a missing or malformed array) is corruption, which a restore may skip; any
     * other failure (an I/O error, too many open files) is not, and must not make a restore quietly fall
     * back to an older checkpoint.
     */
    static CheckpointException classify(Path path, String array, NumPackException e) {
        if (e instanceof CheckpointException) {
            return (CheckpointException) e;
        }
        if (e instanceof CorruptStoreException || e instanceof ArrayNotFoundException
                || e instanceof InvalidArgumentException) {
            return new CorruptCheckpointException(path, array, "damaged: " + e.getMessage(), e);
        }
        return new CheckpointException(path, array, "cannot read: " + e.getMessage(), e);
    }

    private static void checkFits(Path path, Meta meta, Map<String, Parameter> params, Optimizer optimizer) {
        List<String> problems = new ArrayList<>();
        Map<String, Meta.Parameter> saved = new LinkedHashMap<>();
        for (Meta.Parameter p : meta.model.parameters) {
            saved.put(p.name, p);
        }
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            Meta.Parameter s = saved.get(e.getKey());
            NDArray a = e.getValue().getArray();
            if (s == null) {
                problems.add("model parameter '" + e.getKey() + "' is not in the checkpoint");
            } else if (!Arrays.equals(s.shape, a.getShape().getShape()) || !s.dtype.equals(a.getDataType().toString())) {
                problems.add("parameter '" + e.getKey() + "' is " + s.dtype + Arrays.toString(s.shape)
                        + " in the checkpoint, " + a.getDataType() + Arrays.toString(a.getShape().getShape())
                        + " in the model");
            }
        }
        for (String name : saved.keySet()) {
            if (!params.containsKey(name)) {
                problems.add("checkpoint parameter '" + name + "' is not in the model");
            }
        }
        if (optimizer != null) {
            if (meta.optimizer == null) {
                problems.add("the checkpoint holds no optimizer state, an " + optimizer.getClass().getSimpleName()
                        + " was given");
            } else if (!meta.optimizer.type.equals(optimizer.getClass().getName())) {
                problems.add("the checkpoint's optimizer is " + meta.optimizer.type + ", the given one "
                        + optimizer.getClass().getName());
            } else if (!meta.optimizer.states.equals(OptimizerState.stateNames(optimizer))) {
                problems.add("optimizer states " + meta.optimizer.states + " do not match "
                        + OptimizerState.stateNames(optimizer));
            }
        }
        for (String array : meta.arrays.keySet()) {
            if (!array.startsWith(Snapshot.PARAM) && !array.startsWith(Snapshot.OPTIM)) {
                problems.add("unexpected array '" + array + "' in the description");
            }
        }
        if (!problems.isEmpty()) {
            throw new CheckpointMismatchException(path, "does not fit: " + String.join("; ", problems));
        }
    }

    /**
     * Checks an array's type, shape and CRC32C against the description ({@link LazyArray#scanRows}: in
     * place where its pages are in memory, else read in 1 MiB pieces with read-ahead).
     */
    private static void verify(NumPack np, Path path, String name, Meta.ArrayMeta m) {
        if (!np.contains(name)) {
            throw new CorruptCheckpointException(path, name, "missing", null);
        }
        try (LazyArray a = np.lazy(name)) {
            if (!a.dtype().numpyName().equals(m.dtype) || !Arrays.equals(a.shape(), m.shape)) {
                throw new CorruptCheckpointException(path, name, "is " + a.dtype().numpyName()
                        + Arrays.toString(a.shape()) + ", the description says " + m.dtype + Arrays.toString(m.shape),
                        null);
            }
            if (a.rows() * a.rowBytes() > Integer.MAX_VALUE - 8) { // found before anything changes
                throw new CheckpointException(path, name, a.rows() * a.rowBytes()
                        + " bytes: over the 2 GiB one tensor copy holds", null);
            }
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            a.scanRows(0, a.rows(), crc::update); // in place where the pages are in memory, else read ahead
            String actual = String.format("%08x", crc.getValue());
            if (!actual.equals(m.crc32c)) {
                throw new CorruptCheckpointException(path, name, "checksum " + actual + ", the description says "
                        + m.crc32c, null);
            }
        }
    }

    /**
     * Reads a verified array whole.
     *
     * @param into the destination, exactly the array's bytes, or {@code null} for a new direct buffer
     * @return the buffer read into, flipped
     */
    private static ByteBuffer readAll(NumPack np, Path path, String name, ByteBuffer into) {
        try (LazyArray a = np.lazy(name)) {
            long bytes = a.rows() * a.rowBytes();
            if (bytes > Integer.MAX_VALUE - 8) {
                throw new CheckpointException(path, name, bytes + " bytes: over the 2 GiB one tensor copy holds", null);
            }
            ByteBuffer buf = into != null ? into : ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
            a.readRows(0, a.rows(), buf);
            return buf.flip();
        }
    }

    /** @return the DJL type a stored parameter had (for exports) */
    static DataType djlType(String name) {
        return DataType.valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }

    /** @return the NumPack type of a stored array */
    static DType dtype(String numpyName) {
        for (DType t : DType.values()) {
            if (t.numpyName().equals(numpyName)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown dtype " + numpyName);
    }
}
