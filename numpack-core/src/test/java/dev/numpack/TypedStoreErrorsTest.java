package dev.numpack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

/**
 * The errors of opening, state and damaged arrays are typed subtypes of {@link NumPackException} that
 * name the store and, where one is concerned, the array.
 */
class TypedStoreErrorsTest {
    @TempDir
    Path dir;

    private static <T extends NumPackException> T refused(Class<T> type, Path store, String array, Executable call) {
        T e = assertThrows(type, call);
        assertEquals(store, e.store(), "store() of " + e);
        assertEquals(array, e.array(), "array() of " + e);
        return e;
    }

    @Test
    void openingWhereThereIsNoStoreDirectory() throws IOException {
        Path missing = dir.resolve("missing");
        refused(StoreIOException.class, missing, null, () -> NumPack.builder().setPath(missing).optCreate(false).build());
        refused(StoreIOException.class, missing, null, () -> NumPack.openReadOnly(missing));
        Path file = Files.writeString(dir.resolve("file"), "x");
        refused(StoreIOException.class, file, null, () -> NumPack.open(file));
        refused(StoreIOException.class, file.resolve("s"), null, () -> NumPack.open(file.resolve("s")));
    }

    @Test
    void writesWhileABatchIsOpen() {
        try (NumPack np = NumPack.open(dir)) {
            np.save("a", NdArray.of(new float[] {1, 2}));
            try (BatchMode b = np.batchMode()) {
                refused(StoreStateException.class, dir, null, () -> np.save("c", NdArray.of(new float[] {1})));
                refused(StoreStateException.class, dir, null, np::batchMode);
                refused(StoreStateException.class, dir, null, np::writableBatchMode);
                b.save("b", NdArray.of(new float[] {3}));
            }
            assertTrue(np.contains("b"));
        }
    }

    @Test
    void readingOrWritingADamagedArrayNamesTheStoreAndTheArray() throws IOException {
        try (NumPack np = NumPack.open(dir)) {
            np.save("ok", NdArray.of(new float[] {1}));
            np.save("bad", NdArray.of(new float[] {1, 2, 3}));
        }
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("data_bad.npkd").toFile(), "rw")) {
            f.setLength(4);
        }
        for (Function<Path, NumPack> open : java.util.List.<Function<Path, NumPack>>of(NumPack::open, NumPack::openReadOnly)) {
            try (NumPack np = open.apply(dir)) {
                String problem = np.infos().get(0).problem();
                CorruptStoreException e = refused(CorruptStoreException.class, dir, "bad", () -> np.load("bad"));
                assertEquals(problem, e.getMessage(), "the message names store and array once");
                refused(CorruptStoreException.class, dir, "bad", () -> np.shape("bad"));
                refused(CorruptStoreException.class, dir, "bad", () -> np.lazy("bad"));
                refused(CorruptStoreException.class, dir, "bad", np::verify);
                if (!np.isReadOnly()) {
                    refused(CorruptStoreException.class, dir, "bad", () -> np.delete("bad", 0));
                    refused(CorruptStoreException.class, dir, "bad", () -> np.cloneArray("bad", "copy"));
                    try (WritableBatchMode wb = np.writableBatchMode()) {
                        refused(CorruptStoreException.class, dir, "bad", () -> wb.open("bad"));
                    }
                }
                assertEquals(1f, np.load("ok").toFloatArray()[0]);
            }
        }
    }

    @Test
    void missingArraysAreNamed() {
        try (NumPack np = NumPack.open(dir)) {
            refused(ArrayNotFoundException.class, dir, "nope", () -> np.load("nope"));
            refused(ArrayNotFoundException.class, dir, "nope", () -> np.info("nope"));
            refused(ArrayNotFoundException.class, dir, "nope", () -> np.drop("nope"));
        }
    }

    @Test
    void closedStores() {
        NumPack np = NumPack.open(dir);
        np.close();
        refused(AlreadyClosedException.class, dir, null, () -> np.save("a", NdArray.of(new float[] {1})));
        refused(AlreadyClosedException.class, dir, null, np::names);
        refused(AlreadyClosedException.class, dir, null, np::refresh);
    }
}
