package dev.numpack.spark;

import dev.numpack.InvalidArgumentException;
import dev.numpack.StoreIOException;
import dev.numpack.io.DatasetManifest;
import dev.numpack.io.DatasetManifest.Column;
import dev.numpack.io.DatasetManifest.Shard;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.connector.write.BatchWrite;
import org.apache.spark.sql.connector.write.DataWriterFactory;
import org.apache.spark.sql.connector.write.PhysicalWriteInfo;
import org.apache.spark.sql.connector.write.WriterCommitMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's side of one write job, and the commit protocol's keeper.
 *
 * <p><b>Contract.</b> Tasks write their stores under names that carry the job's id and the task attempt's id
 * ({@link WriteJob#storeName}); Spark's output commit coordinator lets one attempt per partition commit. Only
 * {@link #commit}, on the driver, after every partition committed, writes the manifest, through
 * {@link DatasetManifest#write} (temp file, fsync, rename, directory fsync): that rename is the moment the new
 * dataset exists. Until then readers see the previous manifest (or none); stores of failed, retried, killed or
 * speculative attempts are never listed, so they are never read, and are removed where possible (by the
 * attempt's own abort, by {@link #abort}, and after a commit, every unlisted store of this job). In overwrite
 * mode the previous shards are deleted only after the new manifest is durable; in append mode the new manifest
 * lists the previous shards and then the new ones.
 */
final class NumPackBatchWrite implements BatchWrite {
    private static final Logger LOG = LoggerFactory.getLogger(NumPackBatchWrite.class);
    private final WriteJob job;
    private final boolean overwrite;

    NumPackBatchWrite(WriteJob job, boolean overwrite) {
        this.job = job;
        this.overwrite = overwrite;
    }

    @Override
    public DataWriterFactory createBatchWriterFactory(PhysicalWriteInfo info) {
        return new NumPackWriterFactory(job);
    }

    @Override
    public void commit(WriterCommitMessage[] messages) {
        Path dir = job.datasetDir();
        try {
            List<Shard> shards = new ArrayList<>();
            for (WriterCommitMessage m : messages) {
                ShardCommitMessage s = (ShardCommitMessage) m;
                if (s.rows() > 0) {
                    shards.add(new Shard(s.store(), s.rows()));
                }
            }
            Files.createDirectories(dir);
            // read, change and write under the dataset's writer lock: a concurrent append's shards are kept
            DatasetManifest.Update update = DatasetManifest.update(dir, previous -> {
                List<Column> columns = columns(messages, overwrite ? null : previous);
                if (previous != null && !overwrite) {
                    checkSameColumns(dir, previous.columns(), columns);
                    return previous.withShards(shards);
                }
                return DatasetManifest.of(columns, shards);
            });
            removeUnlisted(dir, update.previous(), update.next());
        } catch (IOException e) {
            throw new StoreIOException(dir, null, "cannot commit the dataset's manifest", e);
        }
    }

    /** The manifest's columns: each spec's dtype with the row shape the tasks agree on. */
    private List<Column> columns(WriterCommitMessage[] messages, DatasetManifest previous) {
        List<Column> out = new ArrayList<>();
        for (int i = 0; i < job.columns().size(); i++) {
            ColumnSpec spec = job.columns().get(i);
            long[] shape = spec.rowShape();
            int from = -1;
            for (WriterCommitMessage m : messages) {
                ShardCommitMessage s = (ShardCommitMessage) m;
                long[] seen = s.rowShapes().get(i);
                if (seen == null) {
                    continue;
                }
                if (shape == null) {
                    shape = seen;
                    from = s.partition();
                } else if (!Arrays.equals(shape, seen)) {
                    throw new InvalidArgumentException(job.datasetDir(), spec.name(), "column '" + spec.name()
                            + "': partition " + s.partition() + " wrote rows of shape " + Arrays.toString(seen)
                            + ", " + (from < 0 ? "the option gives " : "partition " + from + " rows of shape ")
                            + Arrays.toString(shape));
                }
            }
            if (shape == null && previous != null) {
                for (Column c : previous.columns()) {
                    if (c.name().equals(spec.name())) {
                        shape = c.rowShape();
                    }
                }
            }
            if (shape == null) {
                throw new InvalidArgumentException(job.datasetDir(), spec.name(), "column '" + spec.name()
                        + "': no row tells its array length; give it with option " + WriteOptions.SHAPE
                        + spec.name());
            }
            out.add(new Column(spec.name(), spec.dtype(), shape));
        }
        return out;
    }

    private static void checkSameColumns(Path dir, List<Column> existing, List<Column> written) {
        Map<String, Column> byName = new HashMap<>();
        for (Column c : written) {
            byName.put(c.name(), c);
        }
        for (Column c : existing) {
            Column w = byName.remove(c.name());
            if (!c.equals(w)) {
                throw new InvalidArgumentException(dir, c.name(), "append: the dataset's column " + c
                        + (w == null ? " is not written" : " differs from the written " + w));
            }
        }
        for (String extra : byName.keySet()) {
            throw new InvalidArgumentException(dir, extra, "append: the dataset has no column '" + extra + "'");
        }
    }

    /**
     * After the new manifest is durable: deletes the shards the previous manifest listed and the new one does
     * not (an overwrite's old data), and every store of this job the manifest does not list (attempts that
     * failed or lost a race). Best effort: what remains is unlisted, so never read.
     */
    private void removeUnlisted(Path dir, DatasetManifest previous, DatasetManifest next) throws IOException {
        Set<String> listed = new HashSet<>();
        for (Shard s : next.shards()) {
            listed.add(s.store());
        }
        List<Path> doomed = new ArrayList<>(DatasetFiles.entries(dir, n -> job.owns(n) && !listed.contains(n)));
        if (previous != null) {
            for (Shard s : previous.shards()) {
                if (!listed.contains(s.store())) {
                    doomed.add(previous.storePath(dir, s));
                }
            }
        }
        for (Path p : doomed) {
            try {
                DatasetFiles.deleteTree(p);
            } catch (IOException | UncheckedIOException e) {
                LOG.warn("numpack: could not remove the unlisted store {} (readers ignore it): {}", p, e.toString());
            }
        }
    }

    @Override
    public void abort(WriterCommitMessage[] messages) {
        try {
            for (Path p : DatasetFiles.entries(job.datasetDir(), job::owns)) {
                DatasetFiles.deleteTree(p);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("numpack: aborted job {} left stores in {} (no manifest lists them): {}", job.jobId(),
                    job.datasetDir(), e.toString());
        }
    }
}
