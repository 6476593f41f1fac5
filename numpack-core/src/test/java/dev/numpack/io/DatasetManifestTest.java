package dev.numpack.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.CorruptStoreException;
import dev.numpack.DType;
import dev.numpack.InvalidArgumentException;
import dev.numpack.io.DatasetManifest.Column;
import dev.numpack.io.DatasetManifest.Shard;
import dev.numpack.testkit.ChildJvm;
import dev.numpack.testkit.ChildProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sharded dataset's manifest: what it accepts, the JSON it writes and reads back, and the damaged or
 * hostile files it refuses with an error naming the file.
 */
class DatasetManifestTest {
    @TempDir
    Path dir;

    private static final List<Column> COLUMNS = List.of(
            new Column("image", DType.UINT8, new long[] {28, 28}),
            new Column("label", DType.INT64, new long[0]));

    private static DatasetManifest sample() {
        return DatasetManifest.of(COLUMNS, List.of(new Shard("part-00000-a", 1234), new Shard("part-00001-a", 0),
                new Shard("part-00002-a", 7)));
    }

    @Test
    void writesTheDocumentedJsonAndReadsItBack() throws IOException {
        DatasetManifest m = sample();
        assertEquals(1241, m.rows());
        assertFalse(DatasetManifest.isDataset(dir));
        m.write(dir);
        assertTrue(DatasetManifest.isDataset(dir));
        String json = Files.readString(dir.resolve(DatasetManifest.FILE_NAME));
        assertEquals("{\"format\":\"numpack-dataset\",\"version\":1,\"rows\":1241,\n\"columns\":[\n"
                + "{\"name\":\"image\",\"dtype\":\"uint8\",\"shape\":[28,28]},\n"
                + "{\"name\":\"label\",\"dtype\":\"int64\",\"shape\":[]}],\n\"shards\":[\n"
                + "{\"store\":\"part-00000-a\",\"rows\":1234},\n{\"store\":\"part-00001-a\",\"rows\":0},\n"
                + "{\"store\":\"part-00002-a\",\"rows\":7}]}\n", json);
        DatasetManifest back = DatasetManifest.read(dir);
        assertEquals(m, back);
        assertEquals(COLUMNS, back.columns());
        assertEquals(1241, back.rows());
        assertArrayEquals(new long[] {28, 28}, back.columns().get(0).rowShape());
        assertArrayEquals(new long[] {5, 28, 28}, back.columns().get(0).shape(5));
    }

    @Test
    void writeReplacesTheManifestAndLeavesNoTemporaryFile() throws IOException {
        sample().write(dir);
        DatasetManifest more = sample().withShards(List.of(new Shard("part-00000-b", 10)));
        more.write(dir);
        assertEquals(1251, DatasetManifest.read(dir).rows());
        assertEquals(4, DatasetManifest.read(dir).shards().size());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve(DatasetManifest.FILE_NAME)), files.toList());
        }
    }

    @Test
    void writeIntoAMissingDirectoryFailsAndCreatesNothing() {
        Path missing = dir.resolve("missing");
        assertThrows(NoSuchFileException.class, () -> sample().write(missing));
        assertFalse(Files.exists(missing));
    }

    @Test
    void aDirectoryWithoutManifestIsNoDataset() {
        assertFalse(DatasetManifest.isDataset(dir));
        assertThrows(NoSuchFileException.class, () -> DatasetManifest.read(dir));
    }

    @Test
    void anEmptyDatasetHasNoRows() throws IOException {
        DatasetManifest.of(COLUMNS, List.of()).write(dir);
        assertEquals(0, DatasetManifest.read(dir).rows());
        assertTrue(DatasetManifest.read(dir).shards().isEmpty());
    }

    @Test
    void storePathIsTheShardsDirectoryInsideTheDataset() {
        Shard s = sample().shards().get(1);
        assertEquals(dir.toAbsolutePath().normalize().resolve("part-00001-a"), sample().storePath(dir, s));
        assertEquals(dir.toAbsolutePath().normalize().resolve("part-00001-a"),
                sample().storePath(dir.resolve("x").resolve(".."), s));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "../x", "a/b", "a\\b", "/abs", "c:x", "a..b", "x\u0001",
            DatasetManifest.FILE_NAME, "p.tmp-np1"})
    void unsafeShardStoreNamesAreRefused(String name) {
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> new Shard(name, 1));
        assertTrue(e.getMessage().contains("invalid shard store name"), e.getMessage());
    }

    @Test
    void ofRefusesWhatNoDatasetCanHold() {
        assertThrows(InvalidArgumentException.class, () -> DatasetManifest.of(List.of(), List.of()));
        InvalidArgumentException dup = assertThrows(InvalidArgumentException.class, () -> DatasetManifest.of(
                List.of(COLUMNS.get(0), new Column("image", DType.INT8, new long[0])), List.of()));
        assertEquals("image", dup.array());
        InvalidArgumentException twice = assertThrows(InvalidArgumentException.class,
                () -> DatasetManifest.of(COLUMNS, List.of(new Shard("p", 1), new Shard("p", 2))));
        assertTrue(twice.getMessage().contains("'p'"), twice.getMessage());
        assertThrows(InvalidArgumentException.class, () -> sample().withShards(List.of(new Shard("part-00002-a", 1))));
        assertThrows(InvalidArgumentException.class, () -> DatasetManifest.of(COLUMNS,
                List.of(new Shard("a", Long.MAX_VALUE), new Shard("b", 1))));
        assertThrows(InvalidArgumentException.class, () -> new Shard("a", -1));
        assertThrows(InvalidArgumentException.class, () -> new Column("../x", DType.INT8, new long[0]));
        assertThrows(InvalidArgumentException.class, () -> new Column("x", DType.INT8, new long[] {3, -1}));
    }

    @Test
    void columnsKeepTheirOwnShape() {
        long[] shape = {2, 3};
        Column c = new Column("x", DType.FLOAT32, shape);
        shape[0] = 9;
        c.rowShape()[1] = 9;
        assertArrayEquals(new long[] {2, 3}, c.rowShape());
        assertEquals(new Column("x", DType.FLOAT32, new long[] {2, 3}), c);
        assertEquals(new Column("x", DType.FLOAT32, new long[] {2, 3}).hashCode(), c.hashCode());
    }

    @Test
    void unknownKeysAreIgnoredAndMinorVersionsRead() throws IOException {
        write("{\"format\":\"numpack-dataset\",\"version\":1.4,\"rows\":3,\"writer\":{\"spark\":\"3.5\"},"
                + "\"columns\":[{\"name\":\"x\",\"dtype\":\"float32\",\"shape\":[4],\"note\":1}],"
                + "\"shards\":[{\"store\":\"s0\",\"rows\":3,\"bytes\":48}]}");
        DatasetManifest m = DatasetManifest.read(dir);
        assertEquals(List.of(new Column("x", DType.FLOAT32, new long[] {4})), m.columns());
        assertEquals(List.of(new Shard("s0", 3)), m.shards());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "{\"format\":\"numpack-dataset\",\"version\":1,\"rows\":3,",
        "[]",
        "{\"format\":\"petastorm\",\"version\":1,\"rows\":0,\"columns\":[],\"shards\":[]}",
        "{\"version\":1,\"rows\":0,\"columns\":[{\"name\":\"x\",\"dtype\":\"int8\",\"shape\":[]}],\"shards\":[]}",
        "{\"format\":\"numpack-dataset\",\"version\":2,\"rows\":0,"
            + "\"columns\":[{\"name\":\"x\",\"dtype\":\"int8\",\"shape\":[]}],\"shards\":[]}",
        "{\"format\":\"numpack-dataset\",\"version\":1,\"rows\":4,"
            + "\"columns\":[{\"name\":\"x\",\"dtype\":\"int8\",\"shape\":[]}],\"shards\":[{\"store\":\"a\",\"rows\":3}]}",
        "{\"format\":\"numpack-dataset\",\"version\":1,\"rows\":3,"
            + "\"columns\":[{\"name\":\"x\",\"dtype\":\"int8\",\"shape\":[]}],\"shards\":[{\"store\":\"../a\",\"rows\":3}]}",
        "{\"format\":\"numpack-dataset\",\"version\":1,\"rows\":3,"
            + "\"columns\":[{\"name\":\"x\",\"dtype\":\"int9\",\"shape\":[]}],\"shards\":[{\"store\":\"a\",\"rows\":3}]}",
        "{\"format\":\"numpack-dataset\",\"version\":1,\"rows\":3,"
            + "\"columns\":[{\"name\":\"x\",\"dtype\":\"int8\",\"shape\":[-1]}],\"shards\":[{\"store\":\"a\",\"rows\":3}]}",
        "{\"format\":\"numpack-dataset\",\"version\":1,\"rows\":3,"
            + "\"columns\":[{\"name\":\"x\",\"dtype\":\"int8\"}],\"shards\":[{\"store\":\"a\",\"rows\":3}]}",
        "{\"format\":\"numpack-dataset\",\"version\":1,\"rows\":3,"
            + "\"columns\":[{\"name\":\"x\",\"dtype\":\"int8\",\"shape\":[]}],\"shards\":[{\"store\":\"a\",\"rows\":\"3\"}]}",
        "{\"format\":\"numpack-dataset\",\"version\":1,\"rows\":6,\"columns\":[{\"name\":\"x\",\"dtype\":\"int8\","
            + "\"shape\":[]}],\"shards\":[{\"store\":\"a\",\"rows\":3},{\"store\":\"a\",\"rows\":3}]}",
    })
    void damagedOrHostileManifestsAreRefusedNamingTheFile(String json) throws IOException {
        write(json);
        CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> DatasetManifest.read(dir));
        assertEquals(dir.resolve(DatasetManifest.FILE_NAME), e.store());
        assertTrue(e.getMessage().contains(DatasetManifest.FILE_NAME), e.getMessage());
    }

    private void write(String json) throws IOException {
        Files.write(dir.resolve(DatasetManifest.FILE_NAME), json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void updatesFromThreadsAndAnotherProcessAtOnceAllLand() throws Exception {
        DatasetManifest.of(COLUMNS, List.of()).write(dir);
        int perWriter = 40;
        try (ChildProcess child = ChildJvm.main(ManifestUpdateChild.class, dir.toString(), "proc-",
                Integer.toString(perWriter)).start()) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                String prefix = "thread" + t + "-";
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perWriter; i++) {
                        String name = prefix + i;
                        DatasetManifest.update(dir, m -> m.withShards(List.of(new Shard(name, 1))));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            assertEquals(0, child.await(Duration.ofMinutes(2)), () -> "the child failed: " + child.stderrText());
        }
        DatasetManifest back = DatasetManifest.read(dir);
        Set<String> names = new HashSet<>();
        back.shards().forEach(s -> names.add(s.store()));
        assertEquals(5 * perWriter, back.shards().size(), "every update's shard is listed once");
        assertEquals(5 * perWriter, names.size());
        assertEquals(5L * perWriter, back.rows());
    }

    @Test
    void anUpdateRefusesALockFileThatIsNotARegularFileAndChangesNothing() throws IOException {
        sample().write(dir);
        Files.createDirectory(dir.resolve(DatasetManifest.LOCK_FILE_NAME));
        CorruptStoreException e = assertThrows(CorruptStoreException.class,
                () -> DatasetManifest.update(dir, m -> m.withShards(List.of(new Shard("part-9", 1)))));
        assertTrue(e.getMessage().contains(DatasetManifest.LOCK_FILE_NAME), e.getMessage());
        assertEquals(sample(), DatasetManifest.read(dir));
    }

    @Test
    void theLockFileNameIsNoShardName() {
        assertThrows(InvalidArgumentException.class, () -> DatasetManifest.of(COLUMNS,
                List.of(new Shard(DatasetManifest.LOCK_FILE_NAME, 1))));
    }
}
