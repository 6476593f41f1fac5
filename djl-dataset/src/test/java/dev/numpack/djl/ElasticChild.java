package dev.numpack.djl;

import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.Batch;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * One data-parallel rank, run as its own JVM by {@link ElasticResumeAcrossJvmTest}: opens a sharded dataset
 * as rank {@code r} of {@code w}, starts at a saved position, and prints the row ids (the {@code y} column)
 * of every batch it is handed, one line per batch, then its position.
 *
 * <p>Arguments: dataset directory, rank, world size, batch size per rank, start epoch, start batch,
 * sampling ("-" for none), batches to read (-1: to the end of the start epoch).
 */
public final class ElasticChild {
    private ElasticChild() {}

    /** The settings every rank of every run shares; only the rank, world size and local batch differ. */
    static NumPackDataset.Builder dataset(Path dir, int rank, int worldSize, int batch) {
        return NumPackDataset.builder().setStore(dir).setFeatures("x").optLabels("y").setSampling(batch, true)
                .optSeed(31337).optShard(rank, worldSize).optPrefetchNumber(2);
    }

    /**
     * @param args see the class comment
     */
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int rank = Integer.parseInt(args[1]);
        int world = Integer.parseInt(args[2]);
        int batch = Integer.parseInt(args[3]);
        DatasetPosition start = new DatasetPosition(Long.parseLong(args[4]), Long.parseLong(args[5]),
                "-".equals(args[6]) ? null : args[6]);
        long max = Long.parseLong(args[7]);
        PrintStream out = System.out;
        try (NDManager manager = NDManager.newBaseManager();
                NumPackDataset ds = dataset(dir, rank, world, batch).optStartPosition(start).build()) {
            long read = 0;
            for (Batch b : ds.getData(manager, ResumeChild.PREFETCH)) {
                try (b) {
                    out.println("batch " + Arrays.stream(Stores.labels(b)).mapToObj(Long::toString)
                            .collect(Collectors.joining(",")));
                }
                if (++read == max) {
                    break;
                }
            }
            DatasetPosition p = ds.position();
            out.println("position " + p.epoch() + " " + p.batch() + " " + p.sampling());
        }
        out.flush();
    }
}
