package dev.numpack.checkpoint;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.optimizer.Optimizer;
import dev.numpack.Durability;
import dev.numpack.LazyArray;
import dev.numpack.NumPack;
import dev.numpack.NumPackException;
import dev.numpack.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training checkpoints in a directory: each one a NumPack store holding a model's parameters (by their
 * stable names), its optimizer's state, and the training state (epoch, step, metrics, dataset position,
 * seeds), with a checksum per array.
 *
 * <pre>{@code
 * try (CheckpointManager ckpt = CheckpointManager.builder()
 *         .setDirectory(Path.of("runs/mlp"))
 *         .optKeepLast(3)
 *         .optKeepBest(1, "validate_loss", Goal.MIN)
 *         .optAsync(true)
 *         .build()) {
 *     Optional<Restored> r = ckpt.restoreLatest(model, optimizer);   // before training, after initialize
 *     ...
 *     ckpt.save(model, optimizer, state);                           // returns after the snapshot
 * }
 * }</pre>
 *
 * <h2>Atomicity and durability</h2>
 * A checkpoint is written under a temporary name as one batch commit of a NumPack store, then renamed to
 * {@code checkpoint-<step>}. Under {@link Durability#FSYNC} (the default) its files and directory are
 * fsynced before the rename and the parent directory after it, so once {@code save}'s future completes the
 * checkpoint survives a crash or power loss. At any instant of a crash, the directory holds the previous
 * checkpoints intact and either all of the new one or none of it under a checkpoint name; leftovers of an
 * interrupted save are removed when the directory is next opened. Old checkpoints are pruned only after the
 * new one is durable, and only checkpoints this library wrote (a valid description) are ever deleted. A
 * pruned checkpoint is renamed away (durably) inside {@code save}; its files are removed by a background
 * thread, which {@link #close()} waits for.
 *
 * <h2>Restore</h2>
 * Every array's CRC32C is checked, reading it in 1 MiB pieces (two arrays at a time), before anything in
 * the model or optimizer changes; then the arrays are read straight into the parameters' memory and new
 * optimizer tensors (where the engine shares tensor memory, as PyTorch on the CPU does; elsewhere through a
 * buffer). The first pass brings the checkpoint into the page cache, so the second reads from memory. (A
 * single pass would need a copy of the parameters to undo a failed restore: measured here, allocating that
 * copy cost more than the second pass.)
 * "Latest" is the last written, whatever its step. A damaged latest checkpoint is skipped, with a warning,
 * for the newest intact one, and renamed aside ({@code damaged-checkpoint-...}) so that it no longer counts;
 * an I/O error is not damage and is thrown. A checkpoint whose parameter
 * names, shapes or types, or whose optimizer, differ from the given ones is refused
 * ({@link CheckpointMismatchException}), not skipped: that is a wrong model, not a damaged file.
 *
 * <h2>Asynchronous saves</h2>
 * With {@code optAsync(true)}, {@code save} copies the tensors' bytes and returns; one background thread
 * writes. Changes to the model after {@code save} returns never reach that checkpoint. The next
 * {@code save}, {@link #waitForPending()} and {@link #close()} wait for the write, and rethrow its failure.
 *
 * <p>One manager per directory (a lock file enforces it, also across processes). Not for concurrent use
 * from several threads, except that the background write runs beside the caller.
 */
public final class CheckpointManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointManager.class);

    private final CheckpointDirectory dir;
    private final Retention retention;
    private final boolean async;
    private final Durability durability;
    private final ExecutorService writer;
    private CompletableFuture<CheckpointInfo> pending = CompletableFuture.completedFuture(null);
    private long nextSequence;
    // the directory's checkpoints by name: read once when opened, then kept by this manager (the lock
    // makes it the only writer), so pruning and restores do not reopen every checkpoint
    private final Map<String, CheckpointInfo> index = new ConcurrentHashMap<>();
    /** The step of the checkpoint this manager last restored, or -1: a run that resumed may retrain later steps. */
    private volatile long restoredStep = -1;
    /** The checkpoints this manager wrote: this run may replace its own. */
    private final java.util.Set<String> written = ConcurrentHashMap.newKeySet();
    private boolean closed;

    private CheckpointManager(Builder b) {
        this.durability = b.durability;
        this.dir = CheckpointDirectory.open(b.directory, durability == Durability.FSYNC);
        this.retention = new Retention(b.keepLast, b.keepBest, b.metric, b.goal, b.keepEvery);
        this.async = b.async;
        this.writer = async ? Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "numpack-checkpoint-writer");
            t.setDaemon(true);
            return t;
        }) : null;
        try {
            scan().forEach(c -> index.put(c.name(), c));
            this.nextSequence = 1 + index.values().stream().mapToLong(CheckpointInfo::sequence).max().orElse(0);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the checkpoints' directory */
    public Path directory() {
        return dir.path();
    }

    /**
     * Saves a checkpoint of {@code step = state.step()}. A checkpoint of the same step is replaced only when this
     * manager wrote it, or restored an earlier step (the run trains that step again); otherwise the save is
     * refused, so that a run that forgot to resume cannot replace the checkpoints of the run before it with
     * other weights.
     *
     * @param model the model (initialized)
     * @param optimizer its optimizer (Adam, AdamW, Sgd, Nag, RmsProp, Adagrad, Adadelta), or {@code null} to
     *     save the weights only
     * @param state epoch, step, metrics, dataset position, seeds
     * @return completes when the checkpoint is written (and durable under {@code FSYNC}); already complete
     *     unless asynchronous
     * @throws CheckpointException if an earlier background save failed, or (synchronous) this one fails; if a
     *     checkpoint of this step exists and this run did not resume from an earlier step; if the state has
     *     epoch metrics but not the keep-best metric (naming those it has)
     * @throws IllegalArgumentException if the optimizer's state cannot be saved
     */
    public CompletableFuture<CheckpointInfo> save(Model model, Optimizer optimizer, TrainingState state) {
        ensureOpen();
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(state, "state");
        waitForPending();
        String existing = CheckpointDirectory.name(state.step());
        long resumed = restoredStep;
        if (index.containsKey(existing) && !written.contains(existing) && (resumed < 0 || resumed >= state.step())) {
            throw new CheckpointException(dir.path(), null, existing + " exists and this run "
                    + (resumed < 0 ? "did not resume from a checkpoint" : "resumed from step " + resumed)
                    + ": not replaced (resume with CheckpointListener.resume, or use a new directory)", null);
        }
        String metric = retention.metric();
        if (metric != null && !state.metrics().isEmpty() && !state.metrics().containsKey(metric)) {
            throw new CheckpointException(dir.path(), null, "optKeepBest's metric '" + metric + "' is not among "
                    + "the metrics training reports: " + new java.util.TreeSet<>(state.metrics().keySet()), null);
        }
        if (optimizer != null) {
            OptimizerState.stateNames(optimizer); // refuse an unsupported optimizer before any work
        }
        Snapshot s = Snapshot.take(model, optimizer, state, nextSequence++, async, dir.path());
        if (!async) {
            return CompletableFuture.completedFuture(write(s));
        }
        pending = CompletableFuture.supplyAsync(() -> write(s), writer);
        return pending;
    }

    private CheckpointInfo write(Snapshot s) {
        Path temp = dir.newTemp(s.step);
        try {
            Path target = dir.path().resolve(CheckpointDirectory.name(s.step));
            if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !index.containsKey(target.getFileName()
                    .toString())) {
                throw new CheckpointException(target, null, "is in the way of step " + s.step
                        + "'s checkpoint and is not a readable checkpoint: not replaced; move it away", null);
            }
            CheckpointStore.write(s, temp, durability);
            Path published = dir.publish(temp, s.step);
            CheckpointInfo info = new CheckpointInfo(published.getFileName().toString(), published, s.meta.sequence,
                    s.step, s.meta.epoch, s.meta.metrics);
            index.put(info.name(), info);
            written.add(info.name());
            try {
                prune(info.name());
            } catch (IOException | NumPackException e) {
                // the new checkpoint is in place and durable: a failed clean-up must not fail the save
                LOG.warn("pruning old checkpoints of {} failed, they stay: {}", dir.path(), e.toString());
            }
            return info;
        } catch (IOException | NumPackException e) {
            try {
                CheckpointDirectory.deleteTree(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof CheckpointException) {
                throw (CheckpointException) e;
            }
            throw new CheckpointException(dir.path(), null, "saving step " + s.step + " failed: " + e.getMessage(), e);
        } finally {
            s.release();
        }
    }

    private void prune(String justWritten) throws IOException {
        for (CheckpointInfo c : retention.toDelete(indexed(), justWritten)) {
            LOG.debug("pruning {}", c.path());
            index.remove(c.name());
            dir.delete(c.path());
        }
    }

    /**
     * Waits for the background save, if one is running.
     *
     * @throws CheckpointException if it failed (reported once)
     */
    public void waitForPending() {
        CompletableFuture<CheckpointInfo> p = pending;
        pending = CompletableFuture.completedFuture(null);
        try {
            p.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof CheckpointException) {
                throw new CheckpointException(dir.path(), null, "a background save failed: " + cause.getMessage(),
                        cause);
            }
            throw new CheckpointException(dir.path(), null, "a background save failed: " + cause, cause);
        }
    }

    /**
     * @return the checkpoints whose description reads, oldest first (their arrays are verified only by a
     *     restore)
     */
    public List<CheckpointInfo> list() {
        ensureOpen();
        waitForPending();
        return indexed();
    }

    /** @return the indexed checkpoints in write order */
    private List<CheckpointInfo> indexed() {
        List<CheckpointInfo> out = new ArrayList<>(index.values());
        out.sort(Comparator.comparingLong(CheckpointInfo::sequence));
        return out;
    }

    /** The checkpoints whose description reads, in write order, read from disk. */
    private List<CheckpointInfo> scan() {
        List<CheckpointInfo> out = new ArrayList<>();
        try {
            for (Path p : dir.finals()) {
                CheckpointInfo info = describe(p);
                if (info == null) {
                    LOG.warn("checkpoint {} is unreadable, left alone", p);
                } else {
                    out.add(info);
                }
            }
        } catch (IOException e) {
            throw new CheckpointException(dir.path(), null, "cannot list checkpoints: " + e, e);
        }
        out.sort(Comparator.comparingLong(CheckpointInfo::sequence));
        return out;
    }

    /** @return the checkpoint's description, or {@code null} if it does not read as one */
    private static CheckpointInfo describe(Path p) {
        try (NumPack np = NumPack.openReadOnly(p)) {
            Meta m = CheckpointStore.readMeta(np, p);
            return new CheckpointInfo(p.getFileName().toString(), p, m.sequence, m.step, m.epoch, m.metrics);
        } catch (NumPackException e) {
            return null;
        }
    }

    /**
     * Restores the newest intact checkpoint into {@code model} and {@code optimizer}. A damaged one is
     * skipped with a warning for the next newest.
     *
     * @param model the model, initialized with the same parameters (names, shapes, types)
     * @param optimizer the optimizer to restore, of the saved class, or {@code null} for the weights only
     * @return what was restored, or empty if there is no intact checkpoint
     * @throws CheckpointMismatchException if the newest intact checkpoint does not fit the model
     */
    public Optional<Restored> restoreLatest(Model model, Optimizer optimizer) {
        return restoreLatest(model, optimizer, null);
    }

    /** As {@link #restoreLatest(Model, Optimizer)}, with a caller's check of the state before anything changes. */
    Optional<Restored> restoreLatest(Model model, Optimizer optimizer, Consumer<TrainingState> beforeChange) {
        ensureOpen();
        waitForPending();
        List<Path> newestFirst = new ArrayList<>(indexed().stream().map(CheckpointInfo::path).toList());
        java.util.Collections.reverse(newestFirst);
        return restoreFirstIntact(newestFirst, model, optimizer, beforeChange);
    }

    /**
     * Restores the best intact checkpoint by the keep-best metric.
     *
     * @return what was restored, or empty if no intact checkpoint has the metric
     * @throws IllegalStateException if the manager has no keep-best metric
     */
    public Optional<Restored> restoreBest(Model model, Optimizer optimizer) {
        ensureOpen();
        if (retention.metric() == null) {
            throw new IllegalStateException("restoreBest needs optKeepBest(k, metric, goal)");
        }
        waitForPending();
        return restoreFirstIntact(retention.best(indexed()).stream().map(CheckpointInfo::path).toList(), model,
                optimizer, null);
    }

    /**
     * Restores one checkpoint by name, without falling back.
     *
     * @param name e.g. {@code checkpoint-000000001000}
     * @throws CorruptCheckpointException if it is damaged
     * @throws CheckpointMismatchException if it does not fit
     */
    public Restored restore(String name, Model model, Optimizer optimizer) {
        ensureOpen();
        waitForPending();
        Path p = dir.path().resolve(name);
        if (CheckpointDirectory.stepOf(name) < 0 || !Files.isDirectory(p)) {
            throw new CheckpointException(dir.path(), null, "no checkpoint named '" + name + "'", null);
        }
        return restoreOne(p, model, optimizer, null);
    }

    private Optional<Restored> restoreFirstIntact(List<Path> candidates, Model model, Optimizer optimizer,
            Consumer<TrainingState> beforeChange) {
        for (Path p : candidates) {
            try {
                return Optional.of(restoreOne(p, model, optimizer, beforeChange));
            } catch (CorruptCheckpointException e) {
                String aside;
                try {
                    index.remove(p.getFileName().toString());
                    aside = "moved aside to " + dir.quarantine(p).getFileName();
                } catch (IOException | NumPackException moveFailed) {
                    aside = "could not move it aside: " + moveFailed;
                }
                LOG.warn("checkpoint {} is damaged ({}), falling back to an older one; {}", p, e.getMessage(), aside);
            }
        }
        return Optional.empty();
    }

    private Restored restoreOne(Path p, Model model, Optimizer optimizer, Consumer<TrainingState> beforeChange) {
        Meta m = CheckpointStore.restore(p, model, optimizer, beforeChange);
        restoredStep = m.step;
        return new Restored(new CheckpointInfo(p.getFileName().toString(), p, m.sequence, m.step, m.epoch, m.metrics),
                m.state());
    }

    /**
     * Writes a checkpoint's parameters, verified, to a file PyTorch users can read: {@code .npz} (numpy) or
     * safetensors, with DJL's encoders, each array named as the parameter. The file appears atomically.
     *
     * @param name the checkpoint, e.g. {@code checkpoint-000000001000}
     * @param out the file to write
     * @param encoding {@link NDList.Encoding#NPZ} or {@link NDList.Encoding#SAFETENSORS}
     * @param manager where the arrays are made for the encoder (closed before returning)
     */
    public void exportWeights(String name, Path out, NDList.Encoding encoding, NDManager manager) {
        ensureOpen();
        waitForPending();
        Path p = dir.path().resolve(name);
        if (CheckpointDirectory.stepOf(name) < 0 || !Files.isDirectory(p)) {
            throw new CheckpointException(dir.path(), null, "no checkpoint named '" + name + "'", null);
        }
        try (NumPack np = NumPack.openReadOnly(p); NDManager m = manager.newSubManager()) {
            Meta meta = CheckpointStore.readMeta(np, p);
            NDList list = new NDList();
            for (Meta.Parameter param : meta.model.parameters) {
                String array = Snapshot.PARAM + param.name;
                Meta.ArrayMeta am = meta.arrays.get(array);
                try (LazyArray a = np.lazy(array)) {
                    long bytes = a.rows() * a.rowBytes();
                    if (bytes > Integer.MAX_VALUE) {
                        throw new CheckpointException(p, array, bytes + " bytes: over the 2 GiB one tensor holds", null);
                    }
                    ByteBuffer buf = ByteBuffer.allocateDirect((int) bytes)
                            .order(ByteOrder.LITTLE_ENDIAN);
                    a.readRows(0, a.rows(), buf);
                    buf.flip();
                    if (am == null || !Snapshot.crc(buf).equals(am.crc32c)) {
                        throw new CorruptCheckpointException(p, array, "checksum does not match its description", null);
                    }
                    NDArray nd = m.create(buf, new Shape(param.shape), CheckpointStore.djlType(param.dtype));
                    nd.setName(param.name);
                    list.add(nd);
                }
            }
            try {
                AtomicFiles.write(out, os -> list.encode(os, encoding)); // fsynced, renamed, directory fsynced
            } catch (NumPackException e) {
                throw new CheckpointException(p, null, "export to " + out + " failed: " + e.getMessage(), e);
            }
        } catch (NumPackException e) {
            throw CheckpointStore.classify(p, e.array(), e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new dev.numpack.AlreadyClosedException(dir.path(), null, "checkpoint manager");
        }
    }

    /**
     * Waits for a background save, then releases the directory.
     *
     * @throws CheckpointException if the background save failed
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            waitForPending();
        } finally {
            closed = true;
            if (writer != null) {
                writer.shutdown();
            }
            try {
                dir.close();
            } catch (IOException e) {
                LOG.warn("releasing the lock of {}: {}", dir.path(), e.toString());
            }
        }
    }

    /**
     * Builds a {@link CheckpointManager}: {@code set*} required, {@code opt*} optional.
     */
    public static final class Builder {
        private Path directory;
        private int keepLast = 3;
        private int keepBest;
        private String metric;
        private Goal goal = Goal.MIN;
        private long keepEvery;
        private boolean async;
        private Durability durability = Durability.FSYNC;

        Builder() {}

        /** @param directory where checkpoints live (created if missing) @return this builder */
        public Builder setDirectory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** @param n how many of the newest checkpoints to keep (default 3, at least 1) @return this builder */
        public Builder optKeepLast(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("keep-last must be at least 1 (the newest is always kept), got " + n);
            }
            this.keepLast = n;
            return this;
        }

        /**
         * @param k how many of the best checkpoints to keep besides the newest ones
         * @param metric the metric they are ranked by (a {@link TrainingState} metric)
         * @param goal whether smaller or larger is better
         * @return this builder
         */
        public Builder optKeepBest(int k, String metric, Goal goal) {
            if (k < 1) {
                throw new IllegalArgumentException("keep-best needs k >= 1, got " + k);
            }
            this.keepBest = k;
            this.metric = Objects.requireNonNull(metric, "metric");
            this.goal = Objects.requireNonNull(goal, "goal");
            return this;
        }

        /** @param steps also keep every checkpoint whose step is a multiple of this @return this builder */
        public Builder optKeepEvery(long steps) {
            if (steps < 1) {
                throw new IllegalArgumentException("keep-every needs a positive step count, got " + steps);
            }
            this.keepEvery = steps;
            return this;
        }

        /** @param async write in a background thread after a snapshot (default false) @return this builder */
        public Builder optAsync(boolean async) {
            this.async = async;
            return this;
        }

        /** @param durability {@code FSYNC} (default) or {@code NO_FSYNC} (kill-safe, not power-safe) @return this builder */
        public Builder optDurability(Durability durability) {
            this.durability = Objects.requireNonNull(durability, "durability");
            return this;
        }

        /**
         * @return the manager; it has removed leftovers of interrupted saves
         * @throws IllegalArgumentException if the directory is missing
         * @throws CheckpointException if another manager holds the directory
         */
        public CheckpointManager build() {
            if (directory == null) {
                throw new IllegalArgumentException("CheckpointManager needs setDirectory(path)");
            }
            return new CheckpointManager(this);
        }
    }
}
