package dev.numpack.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileOps#syncFiles}: fsyncs many files at once and reports every failure after all have finished. */
class FileOpsSyncFilesTest {
    @TempDir
    Path dir;

    private List<Path> files(String prefix, int n) throws IOException {
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Files.write(dir.resolve(prefix + i), new byte[] {(byte) i}));
        }
        return out;
    }

    @Test
    void syncsManyFilesAtOnce() throws IOException {
        new FileOps(true).syncFiles(files("a", 3 * FileOps.SYNC_THREADS)); // more files than threads
        new FileOps(true).syncFiles(files("b", 1));
        new FileOps(true).syncFiles(List.of());
    }

    @Test
    void everyFailureIsReportedOnceAllHaveFinished() throws IOException {
        List<Path> fs = files("c", 12);
        fs.add(5, dir.resolve("missing-a"));
        fs.add(dir.resolve("missing-b"));
        IOException e = assertThrows(IOException.class, () -> new FileOps(true).syncFiles(fs));
        assertTrue(e instanceof NoSuchFileException, e.toString());
        assertEquals(1, e.getSuppressed().length, "the second missing file is reported too");
        assertTrue(e.getMessage().contains("missing-a"), e.getMessage());
        assertTrue(e.getSuppressed()[0].getMessage().contains("missing-b"), e.getSuppressed()[0].getMessage());
    }

    @Test
    void notDurableSyncsNothing() throws IOException {
        new FileOps(false).syncFiles(List.of(dir.resolve("missing"))); // not even opened
    }
}
