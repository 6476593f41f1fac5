package dev.numpack.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.Batch;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * A training-data reader run as its own JVM by {@link ResumeAcrossJvmTest}: reads batches from a position
 * and prints one line per batch, then the final position.
 *
 * <p>Arguments: store, start epoch, start batch, sampling ("-" for none), batches to read (-1: until
 * {@code epochs} epochs are done), epochs.
 */
public final class ResumeChild {
    /** Batches are read ahead on these threads, so that the resume is checked with prefetch on. */
    static final java.util.concurrent.ExecutorService PREFETCH = java.util.concurrent.Executors.newFixedThreadPool(2,
            r -> {
                Thread t = new Thread(r, "resume-prefetch");
                t.setDaemon(true);
                return t;
            });

    private ResumeChild() {}

    /** The dataset both sides use. */
    static NumPackDataset.Builder dataset(Path store) {
        return NumPackDataset.builder().setStore(store).setFeatures("x").optLabels("y").setSampling(16, true)
                .optSeed(20261124).optPrefetchNumber(3);
    }

    /** @return one line per batch: epoch, batch, CRC32 of every array's bytes */
    static String line(DatasetPosition before, Batch b) {
        CRC32 crc = new CRC32();
        for (NDList l : new NDList[] {b.getData(), b.getLabels()}) {
            for (NDArray a : l) {
                ByteBuffer bytes = a.toByteBuffer();
                crc.update(bytes);
            }
        }
        return before.epoch() + " " + before.batch() + " " + Long.toHexString(crc.getValue()) + " " + b.getSize();
    }

    /** Reads up to {@code max} batches (or to the end of {@code epochs} epochs) and returns their lines. */
    static List<String> read(NumPackDataset ds, NDManager manager, long max, long epochs) {
        List<String> out = new ArrayList<>();
        while (ds.position().epoch() < epochs && (max < 0 || out.size() < max)) {
            for (Batch b : ds.getData(manager, PREFETCH)) {
                DatasetPosition at = ds.position();
                // the position has already moved past b: name b by the one before
                String l;
                try (b) {
                    l = line(previous(at, ds), b);
                }
                out.add(l);
                if (max >= 0 && out.size() >= max) {
                    break;
                }
            }
        }
        return out;
    }

    private static DatasetPosition previous(DatasetPosition after, NumPackDataset ds) {
        if (after.batch() == 0) {
            return DatasetPosition.of(after.epoch() - 1, ds.batchesPerEpoch() - 1);
        }
        return DatasetPosition.of(after.epoch(), after.batch() - 1);
    }

    /**
     * @param args see the class comment
     */
    public static void main(String[] args) {
        Path store = Path.of(args[0]);
        DatasetPosition start = new DatasetPosition(Long.parseLong(args[1]), Long.parseLong(args[2]),
                "-".equals(args[3]) ? null : args[3]);
        long max = Long.parseLong(args[4]);
        long epochs = Long.parseLong(args[5]);
        PrintStream out = System.out;
        try (NDManager manager = NDManager.newBaseManager();
                NumPackDataset ds = dataset(store).optStartPosition(start).build()) {
            for (String l : read(ds, manager, max, epochs)) {
                out.println(l);
            }
            DatasetPosition p = ds.position();
            out.println("position " + p.epoch() + " " + p.batch() + " " + p.sampling());
        }
        out.flush();
    }
}
