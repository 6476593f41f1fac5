package dev.numpack.djl;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.DataIterable;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Sampler;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutorService;

/**
 * One pass over a {@link NumPackDataset}: DJL's iteration and prefetch (through the trainer's executor,
 * when one is given), with two changes: a batch is read whole ({@link BatchReader}) when the batchifiers
 * are DJL's stacking ones, and the dataset's position moves as batches are handed out.
 *
 * <p>{@link DataIterable}'s constructor already submits prefetches, before this subclass's fields are
 * set; so {@link #fetch} reads only what the superclass and the dataset hold.
 */
final class PassIterable extends DataIterable {
    private final NumPackDataset owner;
    private final long epoch;
    private final long total; // batches in this epoch, or -1 when the sampler does not say
    private final boolean tracked;
    private final long generation; // the owner's pass number: a newer pass or a seek makes this one stale
    private long delivered;
    private boolean ended;

    /**
     * @param owner the dataset
     * @param manager the caller's manager (batches get sub-managers of a sub-manager of it)
     * @param batches the batch index lists of this pass
     * @param sampler the sampler the batches came from (for the batch size)
     * @param start where the pass starts
     * @param total batches in the epoch, or -1 if unknown
     * @param tracked whether this pass moves the dataset's position
     * @param executor prefetch executor, or {@code null}
     */
    PassIterable(NumPackDataset owner, NDManager manager, Iterator<List<Long>> batches, Sampler sampler,
            DatasetPosition start, long total, boolean tracked, ExecutorService executor) {
        super(owner, manager, fixed(batches, sampler), owner.dataBatchifier(), owner.labelBatchifier(),
                owner.pipeline(), owner.targetPipeline(), executor, prefetch(owner, executor), owner.device());
        this.owner = owner;
        this.epoch = start.epoch();
        this.total = total;
        this.tracked = tracked;
        this.delivered = start.batch();
        this.generation = tracked ? owner.beginPass() : -1;
    }

    /**
     * DJL's iteration with an executor only ever hands out prefetched batches: with a prefetch of 0 it
     * would end the pass at once, having delivered nothing. Read at least one batch ahead.
     */
    private static int prefetch(NumPackDataset owner, ExecutorService executor) {
        return executor == null ? owner.prefetchNumber() : Math.max(1, owner.prefetchNumber());
    }

    private static Sampler fixed(Iterator<List<Long>> batches, Sampler sampler) {
        return new Sampler() {
            @Override
            public Iterator<List<Long>> sample(RandomAccessDataset dataset) {
                return batches;
            }

            @Override
            public int getBatchSize() {
                return sampler.getBatchSize();
            }
        };
    }

    /** {@inheritDoc} */
    @Override
    public boolean hasNext() {
        boolean more = super.hasNext();
        if (!more && tracked && !ended && (total < 0 || delivered >= total)) {
            // only a pass that delivered its whole epoch moves the position to the next one
            ended = true;
            owner.moved(generation, null, new DatasetPosition(epoch + 1, 0, owner.sampling()));
        }
        return more;
    }

    /**
     * {@inheritDoc} A batch that fails to load still counts as handed out, so that a caller who skips it
     * and goes on keeps the position in step with the batches.
     */
    @Override
    public Batch next() {
        Batch batch;
        try {
            batch = super.next();
        } catch (NoSuchElementException e) {
            throw e;
        } catch (RuntimeException | Error e) {
            advance();
            throw e;
        }
        advance();
        return batch;
    }

    private void advance() {
        if (!tracked || ended) {
            return;
        }
        DatasetPosition at = new DatasetPosition(epoch, delivered, owner.sampling());
        delivered++;
        DatasetPosition next;
        if (total >= 0 && delivered >= total) {
            ended = true;
            next = new DatasetPosition(epoch + 1, 0, owner.sampling());
        } else {
            next = new DatasetPosition(epoch, delivered, owner.sampling());
        }
        owner.moved(generation, at, next);
    }

    /** Reads the batch whole, unless a custom batchifier needs DJL's record-by-record path. */
    @Override
    protected Batch fetch(List<Long> indices, int progress) throws IOException {
        NumPackDataset ds = (NumPackDataset) dataset;
        if (!ds.readsWholeBatches()) {
            return super.fetch(indices, progress);
        }
        NDManager batchManager = manager.newSubManager();
        batchManager.setName("numpack batch");
        try {
            NDList[] read = ds.readBatch(batchManager, indices);
            NDList data = read[0];
            NDList labels = read[1];
            if (pipeline != null) {
                data = pipeline.transform(data);
            }
            if (targetPipeline != null) {
                labels = targetPipeline.transform(labels);
            }
            if (device != null) {
                data = data.toDevice(device, false);
                labels = labels.toDevice(device, false);
            }
            return new Batch(batchManager, data, labels, indices.size(), dataBatchifier, labelBatchifier,
                    progress, ds.rowsPerEpoch(), indices);
        } catch (RuntimeException | Error e) {
            batchManager.close();
            throw e;
        }
    }
}
