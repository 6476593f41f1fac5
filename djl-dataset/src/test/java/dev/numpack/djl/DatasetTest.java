package dev.numpack.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.translate.Batchifier;
import dev.numpack.AlreadyClosedException;
import dev.numpack.ArrayNotFoundException;
import dev.numpack.InvalidArgumentException;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.DType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTest {
    @TempDir
    Path dir;

    private NDManager manager;

    @BeforeEach
    void manager() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private NumPackDataset.Builder xy(int batch, boolean shuffle) {
        return NumPackDataset.builder().setStore(dir).setFeatures("x").optLabels("y").setSampling(batch, shuffle)
                .optSeed(1234);
    }

    /** Every batch's full contents (x then y, as floats), batch by batch. */
    @Test
    void eachBatchRowHoldsTheRowItsLabelNames() {
        Stores.rowNumbered(dir, 53, 5);
        try (NumPackDataset ds = xy(8, true).build()) {
            int batches = 0;
            for (Batch b : ds.getData(manager)) {
                try (b) {
                    long[] y = Stores.labels(b);
                    float[] x = b.getData().get(0).toFloatArray();
                    assertEquals(new Shape(y.length, 5), b.getData().get(0).getShape());
                    assertEquals(DataType.FLOAT32, b.getData().get(0).getDataType());
                    assertEquals(DataType.INT64, b.getLabels().get(0).getDataType());
                    for (int k = 0; k < y.length; k++) {
                        for (int j = 0; j < 5; j++) {
                            assertEquals(y[k] * 5 + j, x[k * 5 + j]);
                        }
                    }
                    assertEquals(Arrays.stream(y).boxed().toList(), b.getIndices(), "indices are the rows");
                    batches++;
                }
            }
            assertEquals(7, batches);
            assertEquals(7, ds.batchesPerEpoch());
        }
    }

    @Test
    void positionCountsHandedOutBatchesAndRollsOverAtTheEpochEnd() {
        Stores.rowNumbered(dir, 10, 1);
        try (NumPackDataset ds = xy(4, true).build()) {
            assertEquals(0, ds.position().epoch());
            assertEquals(0, ds.position().batch());
            var it = ds.getData(manager).iterator();
            it.next().close();
            assertEquals(List.of(0L, 1L), List.of(ds.position().epoch(), ds.position().batch()));
            it.next().close();
            assertEquals(List.of(0L, 2L), List.of(ds.position().epoch(), ds.position().batch()));
            it.next().close(); // the last batch of epoch 0
            assertEquals(List.of(1L, 0L), List.of(ds.position().epoch(), ds.position().batch()));
            assertFalse(it.hasNext());
            assertEquals(List.of(1L, 0L), List.of(ds.position().epoch(), ds.position().batch()));
            // an abandoned pass: the next one continues where it stopped
            var it2 = ds.getData(manager).iterator();
            long[] first = Stores.labels(it2.next());
            DatasetPosition mid = ds.position();
            List<long[]> rest = Stores.labelsOf(() -> ds.getData(manager).iterator());
            assertEquals(2, rest.size());
            assertEquals(new DatasetPosition(2, 0, mid.sampling()), ds.position());
            Set<Long> epoch1 = new HashSet<>();
            Arrays.stream(first).forEach(epoch1::add);
            rest.forEach(r -> Arrays.stream(r).forEach(epoch1::add));
            assertEquals(10, epoch1.size(), "epoch 1 still covers every row once");
        }
    }

    @Test
    void resumedRunSeesExactlyTheBatchesOfTheUninterruptedRun() {
        Stores.rowNumbered(dir, 203, 3);
        List<List<float[]>> straight = new ArrayList<>();
        try (NumPackDataset ds = xy(16, true).build()) {
            for (int e = 0; e < 3; e++) {
                straight.addAll(Stores.passContents(ds.getData(manager), Integer.MAX_VALUE));
            }
        }
        int perEpoch = 13;
        assertEquals(3 * perEpoch, straight.size());
        for (int stopAfter : new int[] {1, 5, 12, 13, 14, 20, 38}) {
            List<List<float[]>> resumed = new ArrayList<>();
            DatasetPosition saved;
            try (NumPackDataset first = xy(16, true).build()) {
                int left = stopAfter;
                while (left > 0) {
                    List<List<float[]>> got = Stores.passContents(first.getData(manager), left);
                    resumed.addAll(got);
                    left -= got.size();
                }
                saved = first.position();
            }
            // a fresh dataset, as in a new JVM, started at the saved position
            try (NumPackDataset second = xy(16, true).optStartPosition(saved).build()) {
                while (second.position().epoch() < 3) {
                    resumed.addAll(Stores.passContents(second.getData(manager), Integer.MAX_VALUE));
                }
            }
            Stores.assertSameBatches(straight, resumed);
        }
    }

    @Test
    void prefetchThroughAnExecutorKeepsTheOrderAndTheResume() {
        Stores.rowNumbered(dir, 300, 4);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (NumPackDataset plain = xy(10, true).build();
                NumPackDataset ahead = xy(10, true).optPrefetchNumber(5).build()) {
            for (int e = 0; e < 2; e++) {
                Stores.assertSameBatches(Stores.passContents(plain.getData(manager), Integer.MAX_VALUE),
                        Stores.passContents(ahead.getData(manager, pool), Integer.MAX_VALUE));
            }
            List<List<float[]>> part = Stores.passContents(ahead.getData(manager, pool), 7);
            assertEquals(7, part.size());
            assertEquals(List.of(2L, 7L), List.of(ahead.position().epoch(), ahead.position().batch()),
                    "prefetched batches that were not handed out do not count");
            List<List<float[]>> expected = Stores.passContents(plain.getData(manager), Integer.MAX_VALUE).subList(7, 30);
            Stores.assertSameBatches(expected, Stores.passContents(ahead.getData(manager, pool), Integer.MAX_VALUE));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aPrefetchOfZeroOnAnExecutorStillDeliversTheEpoch() {
        Stores.rowNumbered(dir, 10, 1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (NumPackDataset ds = xy(4, true).optPrefetchNumber(0).build()) {
            List<long[]> batches = Stores.labelsOf(ds.getData(manager, pool));
            assertEquals(3, batches.size(), "DJL alone would deliver nothing here");
            assertEquals(List.of(1L, 0L), List.of(ds.position().epoch(), ds.position().batch()));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void withSamplingGivesAViewReadInOrderWithEveryBatch() {
        Stores.rowNumbered(dir, 30, 1);
        try (NumPackDataset ds = NumPackDataset.builder().setStore(dir).setFeatures("x").optLabels("y")
                .setSampling(8, true, true).optSeed(3).build()) {
            NumPackDataset[] parts = ds.randomSplit(2, 1);
            assertEquals(1, parts[1].batchesPerEpoch(), "10 rows, drop-last: one batch of 8");
            NumPackDataset eval = parts[1].withSampling(4, false, false);
            List<long[]> batches = Stores.labelsOf(eval.getData(manager));
            assertEquals(List.of(4, 4, 2), batches.stream().map(b -> b.length).toList());
            List<Long> inOrder = new ArrayList<>();
            batches.forEach(b -> Arrays.stream(b).forEach(inOrder::add));
            List<Long> split = new ArrayList<>();
            Stores.labelsOf(parts[1].withSampling(100, false, false).getData(manager))
                    .forEach(b -> Arrays.stream(b).forEach(split::add));
            assertEquals(split, inOrder, "the same rows in the same order");
            assertEquals(10, new HashSet<>(inOrder).size());
            assertEquals(0, parts[1].position().epoch(), "the view's passes do not move the split's position");
        }
    }

    @Test
    void theCopyPathOtherEnginesTakeReadsTheSameBatches() {
        Stores.rowNumbered(dir, 77, 6);
        List<List<float[]>> owned;
        try (NumPackDataset ds = xy(10, true).build()) {
            owned = Stores.passContents(ds.getData(manager), 99);
        }
        BatchReader.copyPathOnly = true;
        try (NumPackDataset ds = xy(10, true).build()) {
            Stores.assertSameBatches(owned, Stores.passContents(ds.getData(manager), 99));
        } finally {
            BatchReader.copyPathOnly = false;
        }
    }

    @Test
    void pipelinesDeviceAndSeveralLabelArrays() {
        Stores.rowNumbered(dir, 12, 2);
        try (NumPack np = NumPack.open(dir)) {
            float[] w = new float[12];
            for (int i = 0; i < 12; i++) {
                w[i] = -i;
            }
            np.save("w", NdArray.of(w));
        }
        try (NumPackDataset ds = NumPackDataset.builder().setStore(dir).setFeatures("x").optLabels("y", "w")
                .setSampling(5, true).optSeed(9).optDevice(ai.djl.Device.cpu())
                .optPipeline(new ai.djl.translate.Pipeline(a -> a.mul(10)))
                .optTargetPipeline(new ai.djl.translate.Pipeline().add(1, a -> a.add(1000)))
                .build()) {
            int rows = 0;
            for (Batch b : ds.getData(manager)) {
                try (b) {
                    assertEquals(2, b.getLabels().size());
                    long[] y = b.getLabels().get(0).toLongArray();
                    float[] w = b.getLabels().get(1).toFloatArray();
                    float[] x = b.getData().get(0).toFloatArray();
                    assertEquals(ai.djl.Device.cpu(), b.getData().get(0).getDevice());
                    for (int k = 0; k < y.length; k++) {
                        assertEquals(1000 - y[k], w[k], "target pipeline on label array 1 only");
                        assertEquals(y[k] * 2 * 10, x[2 * k], "data pipeline");
                    }
                    rows += y.length;
                }
            }
            assertEquals(12, rows);
        }
    }

    @Test
    void anEpochWithoutBatchesStillEnds() {
        Stores.rowNumbered(dir, 3, 1);
        try (NumPackDataset ds = NumPackDataset.builder().setStore(dir).setFeatures("x").setSampling(4, true, true)
                .build()) {
            assertEquals(0, ds.batchesPerEpoch());
            assertEquals(0, Stores.labelsOf(ds.getData(manager)).size());
            assertEquals(1, ds.position().epoch());
        }
        try (NumPackDataset ds = xy(1, true).optShard(3, 4).optShardRemainder(ShardRemainder.DROP).build()) {
            assertEquals(0, ds.batchesPerEpoch(), "3 rows, 4 workers, dropping the remainder: nothing each");
        }
    }

    @Test
    void aBatchThatFailsToLoadCountsAsHandedOut() {
        java.nio.ByteBuffer u64 = le(48);
        for (long v : new long[] {0, 1, 2, -1L, 4, 5}) {
            u64.putLong(v);
        }
        try (NumPack np = NumPack.open(dir)) {
            np.save("u", NdArray.copyOf(DType.UINT64, new long[] {6}, u64.flip()));
        }
        try (NumPackDataset ds = NumPackDataset.builder().setStore(dir).setFeatures("u").setSampling(2, false)
                .optConvertTypes(true).build()) {
            var it = ds.getData(manager).iterator();
            assertArrayEquals(new long[] {0, 1}, it.next().getData().get(0).toLongArray());
            assertThrows(UnsupportedDTypeException.class, it::next); // rows 2 and 3: 2^64 - 1 is too big
            assertEquals(List.of(0L, 2L), List.of(ds.position().epoch(), ds.position().batch()));
            assertEquals(List.of(0L, 1L), List.of(ds.lastBatchPosition().epoch(), ds.lastBatchPosition().batch()));
            assertArrayEquals(new long[] {4, 5}, it.next().getData().get(0).toLongArray());
            assertFalse(it.hasNext());
            assertEquals(List.of(1L, 0L), List.of(ds.position().epoch(), ds.position().batch()));
        }
    }

    @Test
    void lastBatchPositionRedeliversTheBatchInFlight() {
        Stores.rowNumbered(dir, 40, 1);
        try (NumPackDataset ds = xy(8, true).build()) {
            assertEquals(ds.position(), ds.lastBatchPosition());
            var it = ds.getData(manager).iterator();
            it.next().close();
            it.next().close();
            long[] third = Stores.labels(it.next());
            DatasetPosition inFlight = ds.lastBatchPosition();
            assertEquals(List.of(0L, 2L), List.of(inFlight.epoch(), inFlight.batch()));
            try (NumPackDataset again = xy(8, true).optStartPosition(inFlight).build()) {
                assertArrayEquals(third, Stores.labels(again.getData(manager).iterator().next()));
            }
            it.next().close();
            it.next().close(); // the epoch's last batch
            assertEquals(List.of(0L, 4L), List.of(ds.lastBatchPosition().epoch(), ds.lastBatchPosition().batch()));
            assertEquals(List.of(1L, 0L), List.of(ds.position().epoch(), ds.position().batch()));
        }
    }

    @Test
    void aNewPassOrASeekStopsAnOlderPassFromMovingThePosition() {
        Stores.rowNumbered(dir, 40, 1);
        try (NumPackDataset ds = xy(8, true).build()) {
            var old = ds.getData(manager).iterator();
            old.next().close();
            var fresh = ds.getData(manager).iterator(); // starts at (0, 1)
            fresh.next().close();
            old.next().close();
            old.next().close();
            assertEquals(List.of(0L, 2L), List.of(ds.position().epoch(), ds.position().batch()),
                    "only the newest pass moves the position");
            ds.seek(DatasetPosition.of(5, 1));
            fresh.next().close();
            assertEquals(List.of(5L, 1L), List.of(ds.position().epoch(), ds.position().batch()));
        }
    }

    @Test
    void positionsOfOneViewDoNotFitAnother() {
        Stores.rowNumbered(dir, 100, 1);
        try (NumPackDataset ds = xy(10, true).build()) {
            NumPackDataset part = ds.randomSplit(7, 3)[0];
            part.getData(manager).iterator().next().close();
            DatasetPosition p = part.position();
            NumPackDataset range = ds.subDataset(0, 70);
            assertEquals(part.size(), range.size());
            assertThrows(IllegalArgumentException.class, () -> range.seek(p));
            assertThrows(IllegalArgumentException.class, () -> ds.seek(p));
            NumPackDataset samePart = xy(10, true).build().randomSplit(7, 3)[0];
            samePart.seek(p);
            assertEquals(p, samePart.position());
            NumPackDataset sharded = xy(10, true).optShard(1, 2).build();
            sharded.getData(manager).iterator().next().close();
            assertThrows(IllegalArgumentException.class, () -> xy(10, true).optShard(0, 3).build()
                    .seek(sharded.position()), "another global batch: step 1 consumed other rows");
            try (NumPackDataset rank0 = xy(10, true).optShard(0, 2).build();
                    NumPackDataset alone = xy(20, true).build()) {
                rank0.seek(sharded.position()); // positions are global: every rank is at the same step
                alone.seek(sharded.position()); // and so is one worker with the same global batch
                assertEquals(1, alone.position().batch());
            }
            assertEquals(List.of(70L, 30L), List.of(part.size(), ds.randomSplit(7, 3)[1].size()));
            samePart.store().close();
            sharded.store().close();
        }
    }

    @Test
    void aContiguousSubListIsARangeWithoutAnIndexArray() {
        Stores.rowNumbered(dir, 50, 1);
        try (NumPackDataset ds = xy(4, false).build()) {
            NumPackDataset run = ds.subDataset(List.of(5L, 6L, 7L, 8L, 9L));
            NumPackDataset range = ds.subDataset(5, 10);
            assertEquals(range.position(), run.position(), "the same rows, described the same way");
            assertEquals(List.of(5L, 6L, 7L, 8L), Arrays.stream(Stores.labelsOf(run.getData(manager)).get(0))
                    .boxed().toList());
        }
    }

    @Test
    void resumingUnderAnotherSamplingIsRefused() {
        Stores.rowNumbered(dir, 100, 1);
        DatasetPosition p;
        try (NumPackDataset ds = xy(10, true).build()) {
            ds.getData(manager).iterator().next().close();
            p = ds.position();
        }
        for (NumPackDataset.Builder other : List.of(xy(11, true), xy(10, false), xy(10, true).optSeed(1),
                xy(10, true).optShard(0, 2), xy(10, true).optLimit(99))) {
            try (NumPackDataset ds = other.build()) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ds.seek(p));
                assertTrue(e.getMessage().contains("batch=10"), e.getMessage());
            }
            assertThrows(IllegalArgumentException.class, () -> other.optStartPosition(p).build());
        }
        try (NumPackDataset ds = xy(10, true).build()) {
            ds.seek(DatasetPosition.of(4, 10)); // past the end of epoch 4: the start of epoch 5
            assertEquals(List.of(5L, 0L), List.of(ds.position().epoch(), ds.position().batch()));
        }
    }

    @Test
    void aPositionSavedBeforeGlobalStepsStillResumesForOneWorker() {
        Stores.rowNumbered(dir, 100, 1);
        List<long[]> straight;
        try (NumPackDataset ds = xy(10, true).build()) {
            straight = Stores.labelsOf(ds.getData(manager));
        }
        // what a single worker's position said before positions named the global batch
        DatasetPosition v0 = new DatasetPosition(0, 3, "rows=100 batch=10 shuffle seed=1234 shard=0/1");
        try (NumPackDataset ds = xy(10, true).build()) {
            ds.seek(v0);
            List<long[]> rest = Stores.labelsOf(ds.getData(manager));
            assertEquals(7, rest.size());
            for (int i = 0; i < rest.size(); i++) {
                assertArrayEquals(straight.get(3 + i), rest.get(i), "batch " + (3 + i));
            }
        }
        DatasetPosition v0Rank = new DatasetPosition(0, 3, "rows=100 batch=10 shuffle seed=1234 shard=1/2 pad");
        try (NumPackDataset ds = xy(5, true).optShard(1, 2).build()) {
            assertThrows(IllegalArgumentException.class, () -> ds.seek(v0Rank),
                    "a former rank's position named a contiguous piece per rank: other rows");
        }
    }

    @Test
    void shardsOfOneEpochAreDisjointAndTogetherAreTheEpoch() {
        Stores.rowNumbered(dir, 120, 2);
        List<Long> union = new ArrayList<>();
        for (int rank = 0; rank < 3; rank++) {
            try (NumPackDataset ds = xy(7, true).optShard(rank, 3).build()) {
                List<Long> mine = new ArrayList<>();
                Stores.labelsOf(ds.getData(manager)).forEach(y -> Arrays.stream(y).forEach(mine::add));
                assertEquals(40, mine.size(), "rank " + rank);
                union.addAll(mine);
                try (Batch b = ds.getData(manager).iterator().next()) {
                    assertEquals(40, b.getProgressTotal(), "progress counts this shard's rows");
                }
            }
        }
        assertEquals(120, union.size());
        assertEquals(120, new HashSet<>(union).size(), "no row in two shards");
    }

    @Test
    void shardsStayEqualWhenRowsDoNotDivide() {
        Stores.rowNumbered(dir, 121, 2);
        for (ShardRemainder r : ShardRemainder.values()) {
            Set<Long> union = new HashSet<>();
            for (int rank = 0; rank < 4; rank++) {
                try (NumPackDataset ds = xy(8, true).optShard(rank, 4).optShardRemainder(r).build()) {
                    List<Long> mine = new ArrayList<>();
                    Stores.labelsOf(ds.getData(manager)).forEach(y -> Arrays.stream(y).forEach(mine::add));
                    assertEquals(r == ShardRemainder.PAD ? 31 : 30, mine.size(), r + " rank " + rank);
                    union.addAll(mine);
                }
            }
            assertEquals(r == ShardRemainder.PAD ? 121 : 120, union.size(), r.toString());
        }
    }

    @Test
    void dropLastDropsTheShortBatch() {
        Stores.rowNumbered(dir, 10, 1);
        try (NumPackDataset ds = NumPackDataset.builder().setStore(dir).setFeatures("x").optLabels("y")
                .setSampling(4, true, true).build()) {
            List<long[]> batches = Stores.labelsOf(ds.getData(manager));
            assertEquals(2, batches.size());
            assertTrue(batches.stream().allMatch(b -> b.length == 4));
        }
    }

    @Test
    void deletedRowsAreSkipped() {
        Stores.rowNumbered(dir, 20, 2);
        try (NumPack np = NumPack.open(dir)) {
            np.delete("x", 0, 5, 19);
            np.delete("y", 0, 5, 19);
        }
        try (NumPackDataset ds = xy(6, true).build()) {
            assertEquals(17, ds.size());
            Set<Long> seen = new HashSet<>();
            for (Batch b : ds.getData(manager)) {
                try (b) {
                    long[] y = Stores.labels(b);
                    float[] x = b.getData().get(0).toFloatArray();
                    for (int k = 0; k < y.length; k++) {
                        assertEquals(y[k] * 2, x[2 * k], "features and labels stay aligned");
                        seen.add(y[k]);
                    }
                }
            }
            assertEquals(17, seen.size());
            assertFalse(seen.contains(0L) || seen.contains(5L) || seen.contains(19L), seen.toString());
        }
    }

    @Test
    void featuresAndLabelsMustAgreeInRows() {
        Stores.rowNumbered(dir, 20, 2);
        try (NumPack np = NumPack.open(dir)) {
            np.delete("y", 3);
            np.save("z", NdArray.of(new float[] {1, 2}));
            np.save("scalar", NdArray.of(new float[] {1}).reshape());
        }
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> xy(4, true).build());
        assertEquals("y", e.array());
        assertTrue(e.getMessage().contains("19 rows") && e.getMessage().contains("'x' has 20"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        ArrayNotFoundException missing = assertThrows(ArrayNotFoundException.class, () -> NumPackDataset.builder()
                .setStore(dir).setFeatures("x", "nope").setSampling(4, true).build());
        assertEquals("nope", missing.array());
        InvalidArgumentException scalar = assertThrows(InvalidArgumentException.class, () -> NumPackDataset.builder()
                .setStore(dir).setFeatures("scalar").setSampling(4, true).build());
        assertEquals("scalar", scalar.array());
    }

    @Test
    void builderNamesWhatIsMissing() {
        Stores.rowNumbered(dir, 4, 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NumPackDataset.builder().setFeatures("x")
                .setSampling(2, true).build()).getMessage().contains("setStore"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NumPackDataset.builder().setStore(dir)
                .setSampling(2, true).build()).getMessage().contains("setFeatures"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NumPackDataset.builder().setStore(dir)
                .setFeatures("x").build()).getMessage().contains("setSampling"));
        assertThrows(IllegalArgumentException.class, () -> NumPackDataset.builder().setSampling(0, true));
        assertThrows(IllegalArgumentException.class, () -> NumPackDataset.builder().optShard(3, 3));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NumPackDataset.builder().setStore(dir)
                .setFeatures("x").setSampling(new ai.djl.training.dataset.BatchSampler(
                        new ai.djl.training.dataset.SequenceSampler(), 2)).optShard(0, 2).build())
                .getMessage().contains("optShard"));
    }

    @Test
    void everyDjlTypeKeepsItsValues() {
        byte[] bytes = {-128, -1, 0, 1, 127, 42};
        try (NumPack np = NumPack.open(dir)) {
            np.save("bool", NdArray.of(new boolean[] {true, false, true, true, false, false}).reshape(3, 2));
            np.save("uint8", NdArray.ofUint8(bytes).reshape(3, 2));
            np.save("int8", NdArray.of(bytes).reshape(3, 2));
            np.save("int32", NdArray.of(new int[] {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE, 7}).reshape(3, 2));
            np.save("int64", NdArray.of(new long[] {Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE, 7}).reshape(3, 2));
            np.save("float32", NdArray.of(new float[] {-1.5f, 0, Float.MIN_VALUE, Float.NaN, 1e30f, 3}).reshape(3, 2));
            np.save("float64", NdArray.of(new double[] {-1.5, 0, Double.MIN_VALUE, 1e300, 2, 3}).reshape(3, 2));
            np.save("float16", NdArray.copyOf(DType.FLOAT16, new long[] {3, 2}, java.nio.ByteBuffer.wrap(
                    new byte[] {0, 0x3C, 0, (byte) 0xC0, 0, 0x7C, 1, 0, 0, 0x38, (byte) 0xFF, 0x7B})));
        }
        try (NumPackDataset ds = NumPackDataset.builder().setStore(dir)
                .setFeatures("bool", "uint8", "int8", "int32", "int64", "float32", "float64", "float16")
                .setSampling(3, false).build()) {
            Batch b = ds.getData(manager).iterator().next();
            NDList d = b.getData();
            assertEquals(DataType.BOOLEAN, d.get(0).getDataType());
            assertArrayEquals(new boolean[] {true, false, true, true, false, false}, d.get(0).toBooleanArray());
            assertEquals(DataType.UINT8, d.get(1).getDataType());
            assertArrayEquals(bytes, d.get(1).toByteArray());
            assertEquals(DataType.INT8, d.get(2).getDataType());
            assertArrayEquals(bytes, d.get(2).toByteArray());
            assertArrayEquals(new int[] {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE, 7}, d.get(3).toIntArray());
            assertArrayEquals(new long[] {Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE, 7}, d.get(4).toLongArray());
            assertArrayEquals(new float[] {-1.5f, 0, Float.MIN_VALUE, Float.NaN, 1e30f, 3}, d.get(5).toFloatArray());
            assertArrayEquals(new double[] {-1.5, 0, Double.MIN_VALUE, 1e300, 2, 3}, d.get(6).toDoubleArray());
            assertEquals(DataType.FLOAT16, d.get(7).getDataType());
            assertArrayEquals(new float[] {1, -2, Float.POSITIVE_INFINITY, 5.9604645e-8f, 0.5f, 65504},
                    d.get(7).toType(DataType.FLOAT32, false).toFloatArray());
            for (int i = 0; i < d.size(); i++) {
                assertEquals(new Shape(3, 2), d.get(i).getShape());
            }
            b.close();
        }
    }

    @Test
    void typesDjlLacksAreRefusedByNameUnlessConverted() {
        java.nio.ByteBuffer u16 = le(8).putShort((short) 0xFFFF).putShort((short) 1).putShort((short) 0x8000)
                .putShort((short) 0).flip();
        java.nio.ByteBuffer u32 = le(8).putInt(0xFFFFFFFF).putInt(5).flip();
        java.nio.ByteBuffer u64 = le(16).putLong(Long.MAX_VALUE).putLong(3).flip();
        java.nio.ByteBuffer c64 = le(16).putFloat(1).putFloat(-2).putFloat(3).putFloat(4).flip();
        java.nio.ByteBuffer c128 = le(32).putDouble(1).putDouble(-2).putDouble(3).putDouble(4).flip();
        try (NumPack np = NumPack.open(dir)) {
            np.save("int16", NdArray.of(new short[] {-32768, 1, 32767, -1}).reshape(2, 2));
            np.save("uint16", NdArray.copyOf(DType.UINT16, new long[] {2, 2}, u16));
            np.save("uint32", NdArray.copyOf(DType.UINT32, new long[] {2}, u32));
            np.save("uint64", NdArray.copyOf(DType.UINT64, new long[] {2}, u64));
            np.save("complex64", NdArray.copyOf(DType.COMPLEX64, new long[] {2}, c64));
            np.save("complex128", NdArray.copyOf(DType.COMPLEX128, new long[] {2}, c128));
        }
        for (String name : List.of("int16", "uint16", "uint32", "uint64", "complex64", "complex128")) {
            UnsupportedDTypeException e = assertThrows(UnsupportedDTypeException.class, () -> NumPackDataset
                    .builder().setStore(dir).setFeatures(name).setSampling(2, false).build(), name);
            assertEquals(name, e.array());
            assertTrue(e.getMessage().contains("optConvertTypes(true)"), e.getMessage());
        }
        try (NumPackDataset ds = NumPackDataset.builder().setStore(dir)
                .setFeatures("int16", "uint16", "uint32", "uint64", "complex64", "complex128")
                .setSampling(2, false).optConvertTypes(true).build()) {
            Batch b = ds.getData(manager).iterator().next();
            NDList d = b.getData();
            assertEquals(DataType.INT32, d.get(0).getDataType());
            assertArrayEquals(new int[] {-32768, 1, 32767, -1}, d.get(0).toIntArray());
            assertArrayEquals(new int[] {65535, 1, 32768, 0}, d.get(1).toIntArray());
            assertEquals(DataType.INT64, d.get(2).getDataType());
            assertArrayEquals(new long[] {4294967295L, 5}, d.get(2).toLongArray());
            assertArrayEquals(new long[] {Long.MAX_VALUE, 3}, d.get(3).toLongArray());
            assertEquals(new Shape(2, 2), d.get(4).getShape());
            assertArrayEquals(new float[] {1, -2, 3, 4}, d.get(4).toFloatArray());
            assertArrayEquals(new double[] {1, -2, 3, 4}, d.get(5).toDoubleArray());
            b.close();
        }
    }

    @Test
    void aUint64BeyondInt64IsRefusedWithItsRow() {
        java.nio.ByteBuffer u64 = le(24).putLong(1).putLong(2).putLong(-1L).flip();
        try (NumPack np = NumPack.open(dir)) {
            np.save("big", NdArray.copyOf(DType.UINT64, new long[] {3}, u64));
        }
        try (NumPackDataset ds = NumPackDataset.builder().setStore(dir).setFeatures("big").setSampling(3, false)
                .optConvertTypes(true).build()) {
            RuntimeException e = assertThrows(RuntimeException.class,
                    () -> ds.getData(manager).iterator().next());
            Throwable cause = e instanceof UnsupportedDTypeException ? e : e.getCause();
            assertTrue(cause instanceof UnsupportedDTypeException, e.toString());
            assertTrue(cause.getMessage().contains("18446744073709551615") && cause.getMessage().contains("row 2"),
                    cause.getMessage());
        }
    }

    private static java.nio.ByteBuffer le(int n) {
        return java.nio.ByteBuffer.allocate(n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void randomSplitIsSeededDisjointAndReadsWholeBatches() {
        Stores.rowNumbered(dir, 100, 3);
        List<Set<Long>> first = new ArrayList<>();
        try (NumPackDataset ds = xy(9, true).build()) {
            RandomAccessDataset[] parts = ds.randomSplit(7, 2, 1);
            assertEquals(List.of(70L, 20L, 10L), Arrays.stream(parts).map(RandomAccessDataset::size).toList());
            for (RandomAccessDataset part : parts) {
                assertTrue(part instanceof NumPackDataset);
                Set<Long> rows = new HashSet<>();
                for (Batch b : ((NumPackDataset) part).getData(manager)) {
                    try (b) {
                        long[] y = Stores.labels(b);
                        float[] x = b.getData().get(0).toFloatArray();
                        for (int k = 0; k < y.length; k++) {
                            assertEquals(y[k] * 3, x[3 * k]);
                            rows.add(y[k]);
                        }
                    }
                }
                first.add(rows);
            }
        }
        Set<Long> all = new HashSet<>();
        first.forEach(all::addAll);
        assertEquals(100, all.size(), "parts are disjoint and cover");
        try (NumPackDataset again = xy(9, true).build()) {
            RandomAccessDataset[] parts = again.randomSplit(7, 2, 1);
            for (int i = 0; i < parts.length; i++) {
                Set<Long> rows = new HashSet<>();
                Stores.labelsOf(((NumPackDataset) parts[i]).getData(manager))
                        .forEach(y -> Arrays.stream(y).forEach(rows::add));
                assertEquals(first.get(i), rows, "the same seed splits the same way");
            }
        }
        try (NumPackDataset other = xy(9, true).optSeed(77).build()) {
            Set<Long> rows = new HashSet<>();
            Stores.labelsOf(((NumPackDataset) other.randomSplit(7, 2, 1)[2]).getData(manager))
                    .forEach(y -> Arrays.stream(y).forEach(rows::add));
            assertFalse(first.get(2).equals(rows), "another seed splits another way");
        }
    }

    @Test
    void subDatasetsAreViewsWithTheirOwnPosition() {
        Stores.rowNumbered(dir, 50, 2);
        try (NumPackDataset ds = xy(4, false).build()) {
            NumPackDataset range = (NumPackDataset) ds.subDataset(10, 20);
            assertEquals(List.of(List.of(10L, 11L, 12L, 13L), List.of(14L, 15L, 16L, 17L), List.of(18L, 19L)),
                    Stores.labelsOf(range.getData(manager)).stream().map(y -> Arrays.stream(y).boxed().toList())
                            .toList());
            assertEquals(1, range.position().epoch());
            assertEquals(0, ds.position().epoch(), "the parent's position did not move");
            NumPackDataset picked = (NumPackDataset) range.subDataset(List.of(9L, 0L, 3L));
            assertEquals(List.of(19L, 10L, 13L), Arrays.stream(Stores.labelsOf(picked.getData(manager)).get(0))
                    .boxed().toList());
            float[] x = picked.getData(manager).iterator().next().getData().get(0).toFloatArray();
            assertArrayEquals(new float[] {38, 39, 20, 21, 26, 27}, x);
            assertThrows(IndexOutOfBoundsException.class, () -> ds.subDataset(40, 51));
            range.close(); // a view closes nothing
            assertEquals(50, ds.size());
            assertEquals(4, Stores.labelsOf(ds.subDataset(0, 4).getData(manager)).get(0).length);
        }
    }

    @Test
    void limitTakesTheFirstRows() {
        Stores.rowNumbered(dir, 50, 1);
        try (NumPackDataset ds = xy(8, true).optLimit(20).build()) {
            assertEquals(20, ds.size());
            Set<Long> rows = new HashSet<>();
            Stores.labelsOf(ds.getData(manager)).forEach(y -> Arrays.stream(y).forEach(rows::add));
            assertEquals(20, rows.size());
            assertTrue(rows.stream().allMatch(r -> r < 20));
        }
    }

    @Test
    void aCustomBatchifierFallsBackToRecordsWithTheSameRows() {
        Stores.rowNumbered(dir, 30, 3);
        try (NumPackDataset whole = xy(8, true).build();
                NumPackDataset records = xy(8, true).optDataBatchifier(new CountingBatchifier()).build()) {
            Stores.assertSameBatches(Stores.passContents(whole.getData(manager), 99), Stores.passContents(records.getData(manager), 99));
            assertEquals(4, CountingBatchifier.calls, "the custom batchifier made every batch");
        }
        try (NumPackDataset ds = xy(8, true).build()) {
            Record r = ds.get(manager, 7);
            assertEquals(new Shape(3), r.getData().get(0).getShape());
            assertArrayEquals(new float[] {21, 22, 23}, r.getData().get(0).toFloatArray());
            assertEquals(new Shape(), r.getLabels().get(0).getShape());
            assertEquals(7L, r.getLabels().get(0).getLong());
        }
    }

    @Test
    void batchesAreClosedWithTheirBatchAndNothingAccumulates() {
        Stores.rowNumbered(dir, 10_000, 16);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        // Each batch holds 2 arrays. Alive at once: the one handed out and the 3 prefetched, plus one batch of
        // slack: a CI run once saw 10 arrays at the top of the loop, one batch more than DJL's queue should
        // allow, which we could not reproduce. A leak of even one array per batch would pass 200 by the end.
        int bound = 2 * (3 + 1 + 1);
        try (NumPackDataset ds = xy(50, true).optPrefetchNumber(3).build();
                NDManager pass = manager.newSubManager()) {
            int most = 0;
            int batches = 0;
            for (Batch b : ds.getData(pass, pool)) {
                most = Math.max(most, pass.getManagedArrays().size());
                b.close();
                batches++;
                // checked inside the pass: DJL frees the pass's manager anyway once the pass runs out
                int alive = pass.getManagedArrays().size();
                assertTrue(alive <= bound - 2, "after closing batch " + batches + ", " + alive
                        + " arrays alive: only the prefetched batches' may be");
            }
            assertEquals(200, batches);
            assertTrue(most <= bound, "arrays alive at once: " + most);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void moreThanTwoToTheThirtyOneRows() {
        long rows = 3_000_000_000L;
        try (NumPack np = NumPack.open(dir)) {
            np.save("wide", NdArray.zeros(DType.FLOAT32, rows, 0)); // rows of zero bytes: no disk needed
        }
        try (NumPackDataset ds = NumPackDataset.builder().setStore(dir).setFeatures("wide").setSampling(128, true)
                .optStartPosition(DatasetPosition.of(3, 20_000_000)).build()) {
            assertEquals(rows, ds.size());
            assertEquals(23_437_500, ds.batchesPerEpoch());
            var it = ds.getData(manager).iterator();
            Batch b = it.next();
            assertEquals(new Shape(128, 0), b.getData().get(0).getShape());
            @SuppressWarnings("unchecked")
            List<Long> indices = (List<Long>) b.getIndices();
            assertTrue(indices.stream().allMatch(i -> i >= 0 && i < rows));
            assertTrue(indices.stream().anyMatch(i -> i > Integer.MAX_VALUE), indices.toString());
            assertEquals(128, new HashSet<>(indices).size());
            b.close();
            assertEquals(List.of(3L, 20_000_001L), List.of(ds.position().epoch(), ds.position().batch()));
        }
    }

    @Test
    void aDatasetClosesOnlyTheStoreItOpened() {
        Stores.rowNumbered(dir, 10, 1);
        try (NumPack np = NumPack.openReadOnly(dir)) {
            try (NumPackDataset ds = NumPackDataset.builder().setStore(np).setFeatures("x").setSampling(5, true)
                    .build()) {
                assertEquals(10, ds.size());
            }
            assertEquals(10, np.shape("x")[0], "still open");
        }
        NumPackDataset owned = xy(5, true).build();
        NumPack store = owned.store();
        owned.close();
        assertThrows(AlreadyClosedException.class, () -> store.shape("x"));
        assertThrows(AlreadyClosedException.class, () -> owned.getData(manager).iterator().next());
    }

    @Test
    void theDatasetReadsTheStoreAsItWasWhenBuilt() {
        Stores.rowNumbered(dir, 10, 1);
        try (NumPack np = NumPack.open(dir);
                NumPackDataset ds = NumPackDataset.builder().setStore(np).setFeatures("x").optLabels("y")
                        .setSampling(100, false).build()) {
            np.append("x", NdArray.of(new float[] {100, 101}).reshape(2, 1));
            np.append("y", NdArray.of(new long[] {100, 101}));
            np.replace("y", NdArray.of(new long[] {-1}), 0); // replaced in place: visible
            assertEquals(10, ds.size());
            long[] y = Stores.labelsOf(ds.getData(manager)).get(0);
            assertEquals(10, y.length);
            assertEquals(-1, y[0]);
        }
    }

    /** A batchifier of its own (stacking, and counting its calls): forces DJL's record-by-record path. */
    private static final class CountingBatchifier implements Batchifier {
        static int calls;

        @Override
        public NDList batchify(NDList[] inputs) {
            calls++;
            return Batchifier.STACK.batchify(inputs);
        }

        @Override
        public NDList[] unbatchify(NDList inputs) {
            return Batchifier.STACK.unbatchify(inputs);
        }

        @Override
        public NDList[] split(NDList list, int numOfSlices, boolean evenSplit) {
            return Batchifier.STACK.split(list, numOfSlices, evenSplit);
        }
    }
}
