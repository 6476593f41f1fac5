package dev.numpack.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.training.dataset.Sampler;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Pipeline;
import ai.djl.translate.StackBatchifier;
import ai.djl.util.Progress;
import dev.numpack.InvalidArgumentException;
import dev.numpack.NumPack;
import dev.numpack.io.DatasetManifest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;

/**
 * A DJL {@link RandomAccessDataset} over arrays of a NumPack store: shuffled, lazy, read a whole batch at a
 * time, shardable, resumable.
 *
 * <pre>{@code
 * try (NumPackDataset train = NumPackDataset.builder()
 *         .setStore(Path.of("fashion.npk"))
 *         .setFeatures("images")
 *         .optLabels("labels")
 *         .setSampling(128, true)          // batch size, shuffle
 *         .optSeed(42)
 *         .build()) {
 *     EasyTrain.fit(trainer, 10, train, null);
 * }
 * }</pre>
 *
 * <h2>What a batch is</h2>
 * Each feature array becomes one {@code NDArray} of the batch's data, each label array one of its labels,
 * in the order given, with shape {@code (batch, row shape...)}. Rows deleted in the store are not part of
 * the dataset; indices are the store's logical rows, and arrays are paired by logical row, as
 * {@code NumPack.load} shows them (delete the same rows from every array). All arrays must have the same
 * number of rows.
 *
 * <h2>Lazy</h2>
 * Building the dataset maps the arrays ({@link NumPack#lazy(String)}) and reads no rows. Memory grows with
 * the batch size times the batches in flight (the one being trained on plus {@code optPrefetchNumber}),
 * never with the dataset: no index array either, the shuffle is computed (a keyed permutation, see
 * {@link Builder#setSampling(int, boolean, boolean)}).
 * The dataset reads the store as it was when built: later appends to the store are not seen.
 *
 * <h2>Whole-batch reads</h2>
 * With DJL's default stacking batchifiers, a batch is read with one gather per array, visiting the rows in
 * file order, directly into the tensor's memory (see {@link #readBatch}); the pipelines then apply to the
 * whole batch, as with DJL's {@code ArrayDataset}. With any other batchifier the dataset falls back to DJL's
 * record-by-record path ({@link #get(NDManager, long)}), where the pipeline applies to each record.
 *
 * <h2>Sharded datasets and several stores</h2>
 * {@code setStore(dir)} on a sharded dataset's directory (one holding a {@link DatasetManifest}, as the
 * numpack-spark writer makes) reads the shard stores its manifest lists, and only those, as one dataset:
 * their rows follow each other in manifest order. {@code setStores(paths...)} or {@code setStores(stores...)}
 * do the same for stores named one by one. Shuffle, whole-batch reads and resume work over the joined rows
 * as over one store: a batch whose rows lie in several stores is read with one gather per store and array.
 * Every array must have the same element type and row shape in every store (and, for a sharded dataset,
 * those and the row count its manifest declares); otherwise {@code build()} names the store and array.
 *
 * <h2>Sampling, sharding, resume</h2>
 * {@code setSampling(batchSize, shuffle[, dropLast])} uses this dataset's sampler: the order of epoch
 * {@code e} is a permutation computed from {@code (seed, e)} alone, the same on every run and machine, for
 * any number of rows (also beyond 2^31). With {@code optShard(rank, worldSize)} the order is cut into
 * global steps of {@code worldSize x batchSize} rows ({@link #globalBatchSize()}), and in each step every
 * worker takes its own batch: the workers' pieces of an epoch are disjoint, equal in batches (the sampler
 * decides by the global order, not by store, so uneven shard stores never leave a worker short) and
 * together cover the epoch ({@link ShardRemainder} says how a last, short step is split). Every call to
 * {@code getData} is one pass: it starts at {@link #position()} (epoch, next batch) and moves it as batches
 * are handed out; when the epoch's last batch has been handed out, the position is the start of the next
 * epoch. To resume, save {@link #position()} with the model and {@link #seek(DatasetPosition)} to it in the
 * new run: the batches that follow equal those of an uninterrupted run, element for element. Run one pass
 * at a time.
 *
 * <p><b>Elastic resume.</b> A position's batch is the global step: after {@code k} steps the workers have
 * together consumed the first {@code k x globalBatchSize()} rows of the epoch's order, at any world size.
 * So a position saved by a run of 4 workers can be handed to a run of 2 (or 8) with the same global batch
 * (batch size 2x, or half, per worker), the same rows, seed and drop-last: that run continues the epoch
 * with the rows not yet consumed, and over the epoch every row is seen exactly once (when the last step's
 * rows divide by the world size; otherwise {@link ShardRemainder} pads or drops a few). All workers of a
 * run hold the same position at a step, so any one of them may save it.
 *
 * <h2>Element types</h2>
 * bool, uint8, int8, int32, int64, float16, float32 and float64 map to the DJL type of the same name, and
 * int16 too on engines that have it. The others raise {@link UnsupportedDTypeException} when the dataset is
 * built, unless {@link Builder#optConvertTypes(boolean)} opts in to reading int16 and uint16 as int32,
 * uint32 and uint64 as int64 (checked) and complex numbers as (real, imaginary) float pairs.
 *
 * <p>Closing the dataset closes the stores if the dataset opened them from paths; views made by
 * {@code subDataset} or {@code randomSplit} share their parent's stores and close nothing.
 */
public final class NumPackDataset extends RandomAccessDataset implements AutoCloseable {
    private final StoreSet stores;
    private final boolean closesStores; // the dataset that built the set; its views close nothing
    private final List<Column> features;
    private final List<Column> labels;
    private final BatchReader reader;
    private final RowMap rows;
    private final long seed;
    // positions move under this lock: the next batch, where the last handed-out batch was, the pass number
    private final Object positionLock = new Object();
    private DatasetPosition position;
    private DatasetPosition lastBatch;
    private long generation;

    private NumPackDataset(Builder b, StoreSet stores, List<Column> features, List<Column> labels) {
        super(b);
        this.stores = stores;
        this.closesStores = true;
        this.features = features;
        this.labels = labels;
        this.reader = new BatchReader(stores.source(), features, labels);
        this.rows = RowMap.all(features.get(0).rows());
        this.seed = b.seed;
        seek(b.start);
    }

    /** A view: the parent's arrays and settings, its own rows and position. */
    private NumPackDataset(NumPackDataset parent, RowMap rows) {
        this(parent, rows, parent.sampler);
    }

    /** A view with its own sampler. */
    private NumPackDataset(NumPackDataset parent, RowMap rows, Sampler sampler) {
        super(new Builder().setSampling(sampler));
        this.stores = parent.stores;
        this.closesStores = false;
        this.features = parent.features;
        this.labels = parent.labels;
        this.reader = parent.reader;
        this.rows = rows;
        this.seed = parent.seed;
        this.dataBatchifier = parent.dataBatchifier;
        this.labelBatchifier = parent.labelBatchifier;
        this.pipeline = parent.pipeline;
        this.targetPipeline = parent.targetPipeline;
        this.prefetchNumber = parent.prefetchNumber;
        this.device = parent.device;
        seek(DatasetPosition.START);
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return the store this dataset reads
     * @throws IllegalStateException if it reads several stores (a sharded dataset): see {@link #stores()}
     */
    public NumPack store() {
        List<NumPack> all = stores.stores();
        if (all.size() != 1) {
            throw new IllegalStateException("this dataset reads " + all.size() + " stores (" + stores.source()
                    + "): use stores()");
        }
        return all.get(0);
    }

    /** @return the stores this dataset reads, in row order: one, or a sharded dataset's shards */
    public List<NumPack> stores() {
        return stores.stores();
    }

    /**
     * The rows all workers together consume per step: the batch size times the world size of
     * {@link Builder#optShard}. Position {@code (e, k)} means that the first {@code k x globalBatchSize()}
     * rows of epoch {@code e}'s order have been consumed, by all workers together, whatever their number.
     *
     * @return the global batch, or -1 with a custom sampler
     */
    public long globalBatchSize() {
        return sampler instanceof EpochSampler ? ((EpochSampler) sampler).globalBatch() : -1;
    }

    /** @return the feature arrays' names, in batch order */
    public List<String> features() {
        return features.stream().map(Column::name).toList();
    }

    /** @return the label arrays' names, in batch order */
    public List<String> labels() {
        return labels.stream().map(Column::name).toList();
    }

    /**
     * The next batch this dataset will deliver. Save it with a model that has been updated with every
     * batch handed out so far: after {@code trainer.step()} of the last one, or in
     * {@code TrainingListener.onEpoch}.
     *
     * @return where the next pass starts
     */
    public DatasetPosition position() {
        synchronized (positionLock) {
            return position;
        }
    }

    /**
     * Where the batch handed out last was: resuming from here delivers that batch again. Save it with a
     * model that has <em>not</em> been updated with that batch yet, e.g. in
     * {@code TrainingListener.onTrainingBatch}, which {@code EasyTrain} calls before {@code trainer.step()}.
     *
     * @return the last batch's position, or {@link #position()} if no batch was handed out since the
     *     dataset was built or last {@linkplain #seek sought}
     */
    public DatasetPosition lastBatchPosition() {
        synchronized (positionLock) {
            return lastBatch != null ? lastBatch : position;
        }
    }

    /**
     * Makes the next pass start at {@code p}; a pass still running stops moving the position. A position at
     * or past the end of its epoch means the start of the next epoch.
     *
     * @param p a position from {@link #position()}, maybe of an earlier run
     * @throws IllegalArgumentException if {@code p} was taken under a different sampling (rows, batch size,
     *     seed, drop-last, shard, or another view of the store), where it would name other rows
     * @throws IllegalStateException if {@code p} is inside an epoch and the sampler is not this dataset's own
     *     (a sampler set with {@code setSampling(Sampler)} cannot be resumed exactly)
     */
    public void seek(DatasetPosition p) {
        DatasetPosition next = resolve(p);
        synchronized (positionLock) {
            generation++;
            position = next;
            lastBatch = null;
        }
    }

    /**
     * Checks that {@link #seek} would accept {@code p}, changing nothing: for a resume that must check every
     * part before it changes any (see {@code CheckpointListener.resume}).
     *
     * @param p a position from {@link #position()}, maybe of an earlier run
     * @throws IllegalArgumentException if {@code p} was taken under a different sampling
     * @throws IllegalStateException if {@code p} is inside an epoch and the sampler is not this dataset's own
     */
    public void checkSeek(DatasetPosition p) {
        resolve(p);
    }

    /** @return where {@link #seek} moves for {@code p}; throws as it documents when {@code p} does not fit */
    private DatasetPosition resolve(DatasetPosition p) {
        Objects.requireNonNull(p, "position");
        String mine = sampling();
        if (!p.fits(mine) && !p.fits(singleWorkerSamplingV0())) {
            throw new IllegalArgumentException("position " + p.epoch() + "/" + p.batch() + " was taken under "
                    + "sampling [" + p.sampling() + "], this dataset samples [" + mine + "]");
        }
        if (sampler instanceof EpochSampler) {
            long total = ((EpochSampler) sampler).batchesPerEpoch(size());
            return p.batch() >= total && total > 0 // an epoch without batches still takes one pass to end
                    ? new DatasetPosition(p.epoch() + 1, 0, mine)
                    : new DatasetPosition(p.epoch(), p.batch(), mine);
        }
        if (p.batch() != 0) {
            throw new IllegalStateException("cannot resume inside an epoch with sampler " + sampler
                    + ": build with setSampling(batchSize, shuffle[, dropLast]) for exact resume");
        }
        return new DatasetPosition(p.epoch(), 0, mine);
    }

    /** @return a new pass's number; older passes stop moving the position */
    long beginPass() {
        synchronized (positionLock) {
            return ++generation;
        }
    }

    /** Moves the position for pass {@code pass}, unless a newer pass or a seek came since. */
    void moved(long pass, DatasetPosition batchAt, DatasetPosition next) {
        synchronized (positionLock) {
            if (pass == generation) {
                if (batchAt != null) {
                    lastBatch = batchAt;
                }
                position = next;
            }
        }
    }

    /** @return batches per epoch, or -1 when a custom sampler does not say */
    public long batchesPerEpoch() {
        return sampler instanceof EpochSampler ? ((EpochSampler) sampler).batchesPerEpoch(size()) : -1;
    }

    /** @return rows one pass over a whole epoch delivers (this shard's, after drop-last): a progress total */
    long rowsPerEpoch() {
        if (sampler instanceof EpochSampler) {
            EpochSampler own = (EpochSampler) sampler;
            return Math.min(own.shardRows(size()), own.batchesPerEpoch(size()) * own.getBatchSize());
        }
        return size();
    }

    /** @return the description of this dataset's rows and sampling that positions carry */
    String sampling() {
        if (sampler instanceof EpochSampler) {
            return ((EpochSampler) sampler).describe(size()) + viewSuffix();
        }
        return "rows=" + size() + " sampler=" + sampler.getClass().getName() + " view=" + rows.describe();
    }

    /**
     * @return the description a position of one worker carried before positions named the global batch
     *     (the batches were the same), so that such positions still resume; {@code null} with a custom sampler
     */
    private String singleWorkerSamplingV0() {
        return sampler instanceof EpochSampler
                ? ((EpochSampler) sampler).describeSingleWorkerV0(size()) + viewSuffix()
                : null;
    }

    private String viewSuffix() {
        String which = rows.describe();
        return which.equals("all") ? "" : " view=" + which;
    }

    /**
     * One pass from {@link #position()} with this dataset's sampler, read on the calling thread.
     *
     * @param manager the manager the batches' arrays are made in (through sub-managers)
     * @return the pass's batches; close each when done with it
     */
    @Override
    public Iterable<Batch> getData(NDManager manager) {
        return getData(manager, sampler, null);
    }

    /**
     * One pass from {@link #position()} with this dataset's sampler, {@code optPrefetchNumber} batches read
     * ahead on {@code executorService}.
     *
     * @param manager the manager the batches' arrays are made in (through sub-managers)
     * @param executorService the threads that read ahead, or {@code null} to read on the calling thread
     * @return the pass's batches; close each when done with it
     */
    @Override
    public Iterable<Batch> getData(NDManager manager, ExecutorService executorService) {
        return getData(manager, sampler, executorService);
    }

    /** {@inheritDoc} */
    @Override
    public Iterable<Batch> getData(NDManager manager, Sampler sampler) {
        return getData(manager, sampler, null);
    }

    /** {@inheritDoc} */
    @Override
    public Iterable<Batch> getData(NDManager manager, Sampler sampler, ExecutorService executorService) {
        if (sampler == this.sampler) {
            DatasetPosition start = position();
            if (sampler instanceof EpochSampler) {
                EpochSampler own = (EpochSampler) sampler;
                return new PassIterable(this, manager, own.batches(size(), start.epoch(), start.batch()), sampler,
                        start, own.batchesPerEpoch(size()), true, executorService);
            }
            return new PassIterable(this, manager, sampler.sample(this), sampler, start, -1, true,
                    executorService);
        }
        // a side pass with another sampler (toArray, an evaluation order): the position stays
        return new PassIterable(this, manager, sampler.sample(this), sampler, DatasetPosition.START, -1, false,
                executorService);
    }

    /** {@inheritDoc} Nothing to prepare: the arrays were mapped when the dataset was built. */
    @Override
    public void prepare(Progress progress) {
        // lazy by design: no rows are read ahead of the batches that need them
    }

    /**
     * Reads one row as a record, for DJL's record-by-record path.
     *
     * @param manager where the arrays are made
     * @param index the dataset index
     * @return the row's features and labels, without a batch axis
     */
    @Override
    public Record get(NDManager manager, long index) {
        NDList[] read = reader.readRow(manager, rows.row(index));
        return new Record(read[0], read[1]);
    }

    /**
     * Reads a whole batch: each array's rows in one gather, in file order, into the memory of the
     * {@code NDArray} returned. Every pass with stacking batchifiers reads this way; public for loops
     * that pick their own indices.
     *
     * @param manager where the arrays are made
     * @param indices dataset indices, in batch order
     * @return {data, labels}
     */
    public NDList[] readBatch(NDManager manager, List<Long> indices) {
        long[] storeRows = new long[indices.size()];
        long size = size();
        for (int k = 0; k < storeRows.length; k++) {
            long i = indices.get(k);
            if (i < 0 || i >= size) {
                throw new InvalidArgumentException(stores.source(), null, "dataset index " + i
                        + " outside [0, " + size + ")");
            }
            storeRows[k] = rows.row(i);
        }
        return reader.read(manager, storeRows);
    }

    /** {@inheritDoc} */
    @Override
    protected long availableSize() {
        return rows.size();
    }

    /**
     * Splits the rows at random into parts of the given ratios, deterministically from the seed (the split
     * of a resumed run equals the first run's). Each part reads whole batches and has its own position.
     */
    @Override
    public NumPackDataset[] randomSplit(int... ratio) {
        if (ratio.length < 2) {
            throw new IllegalArgumentException("Requires at least two split portion.");
        }
        for (int r : ratio) {
            if (r < 0) {
                throw new IllegalArgumentException("negative ratio in " + Arrays.toString(ratio));
            }
        }
        long size = size();
        RowMap shuffled = rows.range(0, size).permuted(new Permutation(size, seed, SPLIT_STREAM),
                "split " + Arrays.toString(ratio) + " seed=" + seed);
        double sum = Arrays.stream(ratio).asDoubleStream().sum();
        NumPackDataset[] parts = new NumPackDataset[ratio.length];
        long from = 0;
        for (int i = 0; i < ratio.length; i++) {
            long to = i == ratio.length - 1 ? size : from + (long) (ratio[i] / sum * size);
            parts[i] = new NumPackDataset(this, shuffled.range(from, to));
            from = to;
        }
        return parts;
    }

    /** The permutation stream for splits: far from any epoch number. */
    private static final long SPLIT_STREAM = -0x5EED_0000_0000_0001L;

    /**
     * A view of the same rows sampled another way, e.g. an evaluation split read in order with every
     * batch kept. Seed and shard stay those of this dataset; the view has its own position.
     *
     * @param batchSize rows per batch
     * @param shuffle whether to shuffle each epoch
     * @param dropLast whether to drop the last, short batch of each epoch
     * @return the view
     * @throws IllegalStateException if this dataset uses a custom sampler (there is no shard to keep)
     */
    public NumPackDataset withSampling(int batchSize, boolean shuffle, boolean dropLast) {
        if (!(sampler instanceof EpochSampler)) {
            throw new IllegalStateException("withSampling needs the dataset's own sampler, not " + sampler);
        }
        EpochSampler s = ((EpochSampler) sampler).with(batchSize, shuffle, dropLast);
        return new NumPackDataset(this, rows.range(0, size()), s);
    }

    /** {@inheritDoc} A view of dataset indices {@code [fromIndex, toIndex)}, read whole-batch. */
    @Override
    public NumPackDataset subDataset(int fromIndex, int toIndex) {
        return new NumPackDataset(this, rows.range(0, size()).range(fromIndex, toIndex));
    }

    /**
     * {@inheritDoc} A view of the given dataset indices, in that order, read whole-batch; a contiguous run
     * of indices becomes a range, without an index array.
     */
    @Override
    public NumPackDataset subDataset(List<Long> subIndices) {
        RowMap base = rows.range(0, size());
        if (!subIndices.isEmpty()) {
            long first = subIndices.get(0);
            boolean run = true;
            for (int k = 1; k < subIndices.size() && run; k++) {
                run = subIndices.get(k) == first + k;
            }
            if (run) {
                return new NumPackDataset(this, base.range(first, first + subIndices.size()));
            }
        }
        return new NumPackDataset(this, base.pick(subIndices.stream().mapToLong(Long::longValue).toArray()));
    }

    /** {@inheritDoc} */
    @Override
    protected RandomAccessDataset newSubDataset(int[] indices, int from, int to) {
        long[] picked = new long[to - from];
        for (int i = from; i < to; i++) {
            picked[i - from] = indices[i];
        }
        return new NumPackDataset(this, rows.range(0, size()).pick(picked));
    }

    /** {@inheritDoc} */
    @Override
    protected RandomAccessDataset newSubDataset(List<Long> subIndices) {
        return new NumPackDataset(this, rows.range(0, size()).pick(subIndices.stream().mapToLong(Long::longValue)
                .toArray()));
    }

    /** Whole batches are stacked rows, which is only what DJL's own stacking batchifier makes. */
    boolean readsWholeBatches() {
        return isStack(dataBatchifier) && isStack(labelBatchifier);
    }

    private static boolean isStack(Batchifier b) {
        return b != null && b.getClass() == StackBatchifier.class;
    }

    Batchifier dataBatchifier() {
        return dataBatchifier;
    }

    Batchifier labelBatchifier() {
        return labelBatchifier;
    }

    Pipeline pipeline() {
        return pipeline;
    }

    Pipeline targetPipeline() {
        return targetPipeline;
    }

    int prefetchNumber() {
        return prefetchNumber;
    }

    Device device() {
        return device;
    }

    /**
     * Closes the arrays' views and the stores, if this dataset opened them from paths; stores handed over
     * open stay open. Views close nothing.
     */
    @Override
    public void close() {
        if (closesStores) {
            stores.close();
        }
    }

    @Override
    public String toString() {
        return "NumPackDataset(" + stores.source() + (stores.stores().size() > 1 ? " (" + stores.stores().size()
                + " stores)" : "") + ", features " + features() + ", labels " + labels() + ", "
                + size() + " rows)";
    }

    /**
     * Builds a {@link NumPackDataset}: {@code set*} options are required, {@code opt*} ones optional; the
     * inherited {@code setSampling}, {@code optPipeline}, {@code optTargetPipeline},
     * {@code optDataBatchifier}, {@code optLabelBatchifier}, {@code optPrefetchNumber}, {@code optLimit}
     * and {@code optDevice} work as for any DJL dataset.
     */
    public static final class Builder extends BaseBuilder<Builder> {
        private List<Path> paths;
        private List<NumPack> open;
        private List<String> featureNames = List.of();
        private List<String> labelNames = List.of();
        private long seed;
        private int rank;
        private int worldSize = 1;
        private ShardRemainder remainder = ShardRemainder.PAD;
        private DatasetPosition start = DatasetPosition.START;
        private boolean convertTypes;
        private int batchSize;
        private boolean shuffle;
        private boolean dropLast;
        private boolean ownSampling;

        Builder() {}

        /** {@inheritDoc} */
        @Override
        protected Builder self() {
            return this;
        }

        /**
         * @param path the store's directory, or a sharded dataset's directory (one holding a
         *     {@link DatasetManifest}: its shards are read as one dataset, in manifest order); the dataset
         *     opens the stores read-only and closes them when closed
         * @return this builder
         */
        public Builder setStore(Path path) {
            return setStores(path);
        }

        /**
         * @param store an open store; the dataset reads it but leaves closing it to the caller
         * @return this builder
         */
        public Builder setStore(NumPack store) {
            return setStores(store);
        }

        /**
         * Reads several stores as one dataset: their rows follow each other in the order given. Each array
         * must have the same element type and row shape in every store. The dataset opens the stores
         * read-only and closes them when closed.
         *
         * @param paths the stores' directories, at least one (a sharded dataset's directory only alone)
         * @return this builder
         */
        public Builder setStores(Path... paths) {
            for (Path p : paths) {
                Objects.requireNonNull(p, "path");
            }
            this.paths = List.of(paths);
            this.open = null;
            return this;
        }

        /**
         * Reads several open stores as one dataset, as {@link #setStores(Path...)} does; closing them is left
         * to the caller.
         *
         * @param stores open stores, at least one
         * @return this builder
         */
        public Builder setStores(NumPack... stores) {
            for (NumPack s : stores) {
                Objects.requireNonNull(s, "store");
            }
            this.open = List.of(stores);
            this.paths = null;
            return this;
        }

        /**
         * @param names the feature arrays, one {@code NDArray} each in the batch's data, in this order
         * @return this builder
         */
        public Builder setFeatures(String... names) {
            this.featureNames = List.of(names);
            return this;
        }

        /**
         * @param names the label arrays, one {@code NDArray} each in the batch's labels, in this order
         * @return this builder
         */
        public Builder optLabels(String... names) {
            this.labelNames = List.of(names);
            return this;
        }

        /**
         * Uses this dataset's own sampler: deterministic shuffle, sharding and exact resume. The order of
         * epoch {@code e} is a keyed permutation of the rows (a Feistel network with cycle-walking, keyed by
         * the seed and {@code e}), computed per index in O(1) memory for up to 2^62 rows; the two-argument
         * {@code setSampling(batchSize, random)} calls this with {@code dropLast = false}.
         *
         * @param batchSize rows per batch
         * @param random whether to shuffle each epoch
         * @param dropLast whether to drop the last, short batch of each epoch
         * @return this builder
         */
        @Override
        public Builder setSampling(int batchSize, boolean random, boolean dropLast) {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
            }
            this.batchSize = batchSize;
            this.shuffle = random;
            this.dropLast = dropLast;
            this.ownSampling = true;
            this.sampler = null;
            return this;
        }

        /**
         * Uses another sampler. Passes then still read whole batches, but cannot be sharded, and
         * {@link NumPackDataset#seek} accepts only epoch boundaries (which repeat the epoch exactly only if
         * that sampler is deterministic).
         *
         * @param sampler the sampler
         * @return this builder
         */
        @Override
        public Builder setSampling(Sampler sampler) {
            this.sampler = Objects.requireNonNull(sampler, "sampler");
            this.ownSampling = false;
            return this;
        }

        /** {@inheritDoc} */
        @Override
        public Sampler getSampler() {
            if (ownSampling) {
                return new EpochSampler(batchSize, shuffle, dropLast, seed, rank, worldSize, remainder);
            }
            if (sampler == null) {
                throw new IllegalArgumentException("NumPackDataset needs setSampling(batchSize, shuffle[, dropLast])");
            }
            return sampler;
        }

        /**
         * @param seed the shuffle's seed (default 0): the same seed gives the same order every epoch e
         * @return this builder
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Makes this dataset one shard of {@code worldSize} for data-parallel training: each epoch the
         * shards are disjoint and equal-sized and together cover the epoch (see {@link ShardRemainder}).
         * All workers must use the same seed. The batch size of {@code setSampling} is this worker's; the
         * global batch is {@code worldSize} times it, and a position resumes at another world size only
         * with the same global batch (see the class comment, elastic resume).
         *
         * @param rank this worker, {@code 0 <= rank < worldSize}
         * @param worldSize the number of workers
         * @return this builder
         */
        public Builder optShard(int rank, int worldSize) {
            if (worldSize <= 0 || rank < 0 || rank >= worldSize) {
                throw new IllegalArgumentException("shard rank " + rank + " of world size " + worldSize
                        + ": need 0 <= rank < worldSize");
            }
            this.rank = rank;
            this.worldSize = worldSize;
            return this;
        }

        /**
         * @param remainder what sharding does with rows that don't divide evenly (default {@code PAD})
         * @return this builder
         */
        public Builder optShardRemainder(ShardRemainder remainder) {
            this.remainder = Objects.requireNonNull(remainder, "remainder");
            return this;
        }

        /**
         * @param start where the first pass starts, e.g. a position saved by an earlier run
         * @return this builder
         */
        public Builder optStartPosition(DatasetPosition start) {
            this.start = Objects.requireNonNull(start, "start");
            return this;
        }

        /**
         * @param convert whether element types DJL lacks are converted (int16 and uint16 to int32, uint32 and
         *     uint64 to int64, refusing values of 2^63 and more, complex to float pairs on a last axis of 2)
         *     instead of refused (default {@code false})
         * @return this builder
         */
        public Builder optConvertTypes(boolean convert) {
            this.convertTypes = convert;
            return this;
        }

        /**
         * @return the dataset; it has mapped its arrays and read no rows
         * @throws IllegalArgumentException if the store, features or sampling are missing, or a shard is
         *     combined with a custom sampler
         * @throws dev.numpack.ArrayNotFoundException if an array is not in the store
         * @throws InvalidArgumentException if the arrays differ in row count or one is 0-d
         * @throws UnsupportedDTypeException if an array's element type has no DJL counterpart
         * @throws IllegalArgumentException if {@link #optStartPosition} was taken under another sampling
         * @throws IllegalStateException if {@link #optStartPosition} is inside an epoch and the sampler is
         *     a custom one
         */
        public NumPackDataset build() {
            if ((paths == null || paths.isEmpty()) && (open == null || open.isEmpty())) {
                throw new IllegalArgumentException("NumPackDataset needs setStore(path or NumPack) or setStores(...)");
            }
            if (featureNames.isEmpty()) {
                throw new IllegalArgumentException("NumPackDataset needs setFeatures(at least one array)");
            }
            if (!ownSampling && sampler == null) {
                throw new IllegalArgumentException("NumPackDataset needs setSampling(batchSize, shuffle[, dropLast])");
            }
            if (!ownSampling && worldSize > 1) {
                throw new IllegalArgumentException("optShard needs the dataset's own sampler: "
                        + "setSampling(batchSize, shuffle[, dropLast]), not a custom Sampler");
            }
            StoreSet set = open != null ? StoreSet.borrow(open)
                    : paths.size() == 1 ? StoreSet.open(paths.get(0)) : StoreSet.openAll(paths);
            try {
                String engine = Engine.getInstance().getEngineName();
                List<Column> fs = set.columns(featureNames, convertTypes, engine);
                List<Column> ls = set.columns(labelNames, convertTypes, engine);
                set.checkSameRows(concat(fs, ls));
                return new NumPackDataset(this, set, fs, ls);
            } catch (RuntimeException e) {
                set.discard();
                throw e;
            }
        }

        private static List<Column> concat(List<Column> a, List<Column> b) {
            List<Column> all = new ArrayList<>(a);
            all.addAll(b);
            return all;
        }
    }
}
