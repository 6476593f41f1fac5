package dev.numpack.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Record;
import dev.numpack.AlreadyClosedException;
import dev.numpack.ArrayNotFoundException;
import dev.numpack.CorruptStoreException;
import dev.numpack.DType;
import dev.numpack.InvalidArgumentException;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.io.DatasetManifest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sharded dataset (a manifest and its shard stores) or a list of stores read as one dataset: the same
 * rows, order, batch contents and resume as one store holding all rows; the manifest is the only truth;
 * shards that disagree are named.
 */
class ShardedDatasetTest {
    /** Uneven shards, one of them empty: 250 rows. */
    private static final int[] SHARDS = {37, 0, 91, 5, 117};
    private static final int ROWS = Arrays.stream(SHARDS).sum();

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

    private static NumPackDataset.Builder xy(NumPackDataset.Builder b, int batch) {
        return b.setFeatures("x").optLabels("y").setSampling(batch, true).optSeed(77);
    }

    private Path dataset() {
        return Stores.sharded(dir.resolve("ds"), 3, SHARDS);
    }


    @Test
    void aShardedDatasetReadsLikeOneStoreWithAllItsRows() {
        Path one = Stores.rowNumbered(dir.resolve("one"), ROWS, 3);
        try (NumPackDataset sharded = xy(NumPackDataset.builder().setStore(dataset()), 16).build();
                NumPackDataset single = xy(NumPackDataset.builder().setStore(one), 16).build()) {
            assertEquals(ROWS, sharded.size());
            assertEquals(SHARDS.length, sharded.stores().size());
            assertEquals(single.position().sampling(), sharded.position().sampling(), "positions fit either");
            for (int epoch = 0; epoch < 2; epoch++) {
                List<List<float[]>> expected = Stores.passContents(single.getData(manager), -1);
                Stores.assertSameBatches(expected, Stores.passContents(sharded.getData(manager), -1));
            }
        }
    }

    @Test
    void rowsHoldWhatTheirLabelNamesAcrossShardBoundaries() {
        try (NumPackDataset ds = NumPackDataset.builder().setStore(dataset()).setFeatures("x").optLabels("y")
                .setSampling(64, false).build()) {
            List<Long> seen = new ArrayList<>();
            for (Batch b : ds.getData(manager)) {
                try (b) {
                    long[] y = Stores.labels(b);
                    float[] x = b.getData().get(0).toFloatArray();
                    for (int k = 0; k < y.length; k++) {
                        assertArrayEquals(new float[] {y[k] * 3, y[k] * 3 + 1, y[k] * 3 + 2},
                                Arrays.copyOfRange(x, k * 3, k * 3 + 3), "row " + y[k]);
                        seen.add(y[k]);
                    }
                }
            }
            List<Long> all = new ArrayList<>();
            for (long i = 0; i < ROWS; i++) {
                all.add(i);
            }
            assertEquals(all, seen, "in order: shard after shard, in manifest order");
            Record r = ds.get(manager, 128); // the record path: first row of shard 3
            assertArrayEquals(new float[] {384, 385, 386}, r.getData().get(0).toFloatArray());
            assertEquals(128, r.getLabels().get(0).getLong());
            NDList[] batch = ds.readBatch(manager, List.of(249L, 0L, 37L, 127L, 128L, 133L));
            assertArrayEquals(new long[] {249, 0, 37, 127, 128, 133}, batch[1].get(0).toLongArray());
        }
    }

    @Test
    void storesNamedOneByOneReadLikeTheirDataset() {
        Path ds = dataset();
        List<Path> paths = new ArrayList<>();
        for (int i = 0; i < SHARDS.length; i++) {
            paths.add(ds.resolve(String.format("part-%05d-test", i)));
        }
        List<List<float[]>> expected;
        try (NumPackDataset d = xy(NumPackDataset.builder().setStore(ds), 10).build()) {
            expected = Stores.passContents(d.getData(manager), -1);
        }
        try (NumPackDataset d = xy(NumPackDataset.builder().setStores(paths.toArray(Path[]::new)), 10).build()) {
            Stores.assertSameBatches(expected, Stores.passContents(d.getData(manager), -1));
        }
        List<NumPack> open = new ArrayList<>();
        paths.forEach(p -> open.add(NumPack.openReadOnly(p)));
        try (NumPackDataset d = xy(NumPackDataset.builder().setStores(open.toArray(NumPack[]::new)), 10).build()) {
            Stores.assertSameBatches(expected, Stores.passContents(d.getData(manager), -1));
            assertEquals(open, d.stores());
            IllegalStateException e = assertThrows(IllegalStateException.class, d::store);
            assertTrue(e.getMessage().contains("stores()"), e.getMessage());
        }
        for (NumPack np : open) {
            assertEquals(3, np.shape("x")[1], "handed-over stores stay open");
            np.close();
        }
        NumPackDataset owned = xy(NumPackDataset.builder().setStores(paths.toArray(Path[]::new)), 10).build();
        List<NumPack> stores = owned.stores();
        owned.close();
        for (NumPack np : stores) {
            assertThrows(AlreadyClosedException.class, () -> np.shape("x"), "opened from paths: closed");
        }
    }

    @Test
    void resumeInsideAnEpochAcrossShardsSeesTheRestOfTheUninterruptedRun() {
        Path ds = dataset();
        List<List<float[]>> straight;
        try (NumPackDataset d = xy(NumPackDataset.builder().setStore(ds), 12).build()) {
            straight = Stores.passContents(d.getData(manager), -1);
        }
        DatasetPosition saved;
        try (NumPackDataset d = xy(NumPackDataset.builder().setStore(ds), 12).build()) {
            Stores.assertSameBatches(straight.subList(0, 7), Stores.passContents(d.getData(manager), 7));
            saved = d.position();
        }
        assertEquals(7, saved.batch());
        try (NumPackDataset d = xy(NumPackDataset.builder().setStore(ds), 12).optStartPosition(saved).build()) {
            Stores.assertSameBatches(straight.subList(7, straight.size()), Stores.passContents(d.getData(manager), -1));
        }
    }

    @Test
    void unevenShardsStillGiveEveryRankTheSameBatchesDisjointAndCovering() {
        Path ds = dataset(); // 250 rows in shards of 37, 0, 91, 5, 117
        Set<Long> union = new HashSet<>();
        long seen = 0;
        for (int rank = 0; rank < 5; rank++) {
            try (NumPackDataset d = xy(NumPackDataset.builder().setStore(ds), 8).optShard(rank, 5).build()) {
                List<long[]> labels = Stores.labelsOf(d.getData(manager));
                assertEquals(7, labels.size(), "rank " + rank + ": 6 steps of 40 rows, then 10 rows in 2-row batches");
                assertEquals(7, d.batchesPerEpoch());
                for (long[] y : labels) {
                    Arrays.stream(y).forEach(union::add);
                    seen += y.length;
                }
            }
        }
        assertEquals(ROWS, union.size(), "together the ranks cover the epoch");
        assertEquals(ROWS, seen, "disjoint");
    }

    @Test
    void theManifestIsTheOnlyTruthStoresItDoesNotListAreIgnored() {
        Path ds = dataset();
        Stores.rowNumbered(ds.resolve("part-00009-failed-attempt"), 0, 1000, 3);
        try (NumPackDataset d = xy(NumPackDataset.builder().setStore(ds), 16).build()) {
            assertEquals(ROWS, d.size());
            assertEquals(SHARDS.length, d.stores().size());
        }
    }

    @Test
    void aShardThatDisagreesWithTheManifestIsNamed() throws IOException {
        Path ds = dataset();
        Path shard = ds.resolve("part-00003-test");
        try (NumPack np = NumPack.open(shard)) {
            np.append("y", NdArray.of(new long[] {1}));
        }
        CorruptStoreException rows = assertThrows(CorruptStoreException.class,
                () -> xy(NumPackDataset.builder().setStore(ds), 8).build());
        assertEquals(shard.toAbsolutePath().normalize(), rows.store().toAbsolutePath().normalize());
        assertEquals("y", rows.array());
        assertTrue(rows.getMessage().contains("manifest says the shard holds 5"), rows.getMessage());

        try (NumPack np = NumPack.open(shard)) {
            np.save("y", NdArray.of(new int[] {1, 2, 3, 4, 5}));
        }
        CorruptStoreException type = assertThrows(CorruptStoreException.class,
                () -> xy(NumPackDataset.builder().setStore(ds), 8).build());
        assertEquals("y", type.array());
        assertTrue(type.getMessage().contains("int32") && type.getMessage().contains("y int64[]"), type.getMessage());

        DatasetManifest m = DatasetManifest.read(ds);
        IllegalArgumentException notAColumn = assertThrows(IllegalArgumentException.class,
                () -> NumPackDataset.builder().setStore(ds).setFeatures("z").setSampling(4, false).build());
        assertTrue(notAColumn.getMessage().contains("[x, y]"), notAColumn.getMessage());
        assertEquals(2, m.columns().size());
    }

    @Test
    void storesThatDisagreeOnAColumnAreNamed() {
        Path a = Stores.rowNumbered(dir.resolve("a"), 0, 10, 3);
        Path b = Stores.rowNumbered(dir.resolve("b"), 10, 10, 4);
        InvalidArgumentException shape = assertThrows(InvalidArgumentException.class,
                () -> xy(NumPackDataset.builder().setStores(a, b), 4).build());
        assertEquals(b, shape.store());
        assertEquals("x", shape.array());
        assertTrue(shape.getMessage().contains("[4]") && shape.getMessage().contains("[3]"), shape.getMessage());

        Path c = dir.resolve("c");
        try (NumPack np = NumPack.open(c)) {
            np.save("x", NdArray.of(new double[10 * 3]).reshape(10, 3));
            np.save("y", NdArray.of(new long[10]));
        }
        InvalidArgumentException type = assertThrows(InvalidArgumentException.class,
                () -> xy(NumPackDataset.builder().setStores(a, c), 4).build());
        assertEquals(c, type.store());
        assertTrue(type.getMessage().contains("float64") && type.getMessage().contains("float32"), type.getMessage());

        Path d = dir.resolve("d");
        try (NumPack np = NumPack.open(d)) {
            np.save("x", NdArray.of(new float[10 * 3]).reshape(10, 3));
            np.save("y", NdArray.of(new long[9]));
        }
        InvalidArgumentException rows = assertThrows(InvalidArgumentException.class,
                () -> xy(NumPackDataset.builder().setStores(a, d), 4).build());
        assertEquals(d, rows.store());
        assertEquals("y", rows.array());

        Path e = dir.resolve("e");
        try (NumPack np = NumPack.open(e)) {
            np.save("x", NdArray.of(new float[10 * 3]).reshape(10, 3));
        }
        assertThrows(ArrayNotFoundException.class, () -> xy(NumPackDataset.builder().setStores(a, e), 4).build());
        assertThrows(IllegalArgumentException.class, () -> xy(NumPackDataset.builder().setStores(a, dataset()), 4)
                .build(), "a dataset directory only alone");
        assertThrows(IllegalArgumentException.class, () -> xy(NumPackDataset.builder().setStores(new Path[0]), 4)
                .build());
    }

    @Test
    void deletedRowsAndConvertedTypesWorkPerShard() {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        try (NumPack np = NumPack.open(a)) {
            np.save("u", NdArray.copyOf(DType.UINT32, new long[] {3}, le(0xFFFFFFFF, 1, 2)));
            np.delete("u", 1);
        }
        try (NumPack np = NumPack.open(b)) {
            np.save("u", NdArray.copyOf(DType.UINT32, new long[] {2}, le(3, 0x80000000)));
        }
        try (NumPackDataset d = NumPackDataset.builder().setStores(a, b).setFeatures("u").setSampling(4, false)
                .optConvertTypes(true).build()) {
            assertEquals(4, d.size());
            try (Batch batch = d.getData(manager).iterator().next()) {
                assertArrayEquals(new long[] {4294967295L, 2, 3, 2147483648L}, batch.getData().get(0).toLongArray());
            }
        }
    }

    @Test
    void aDatasetWithoutShardsIsRefusedByName() throws IOException {
        Path ds = dir.resolve("empty");
        java.nio.file.Files.createDirectories(ds);
        DatasetManifest.of(List.of(new DatasetManifest.Column("x", DType.FLOAT32, new long[] {3})), List.of())
                .write(ds);
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> NumPackDataset.builder().setStore(ds).setFeatures("x").setSampling(4, false).build());
        assertEquals(ds, e.store());
    }

    private static ByteBuffer le(int... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putInt(v);
        }
        return b.flip();
    }
}
