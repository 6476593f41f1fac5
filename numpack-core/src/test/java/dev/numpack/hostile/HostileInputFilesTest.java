package dev.numpack.hostile;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.numpack.InvalidArgumentException;
import dev.numpack.NumPack;
import dev.numpack.io.FileFormat;
import dev.numpack.io.IdxReader;
import dev.numpack.io.NpyReader;
import dev.numpack.io.NpzReader;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Input files that are not regular files, given to the public readers and the store's imports: a named pipe
 * (opening one for reading blocks until a writer appears, for ever if none does), a link to one, a
 * directory and a device. Each must be refused at once with an {@link InvalidArgumentException} naming the
 * path (and, for an import, the store and the array), leaving the store as it was.
 */
class HostileInputFilesTest {
    private static final Duration LIMIT = Duration.ofSeconds(10);

    @TempDir
    Path base;

    @TempDir
    Path files;

    /** The special files to try, by what they are; a pipe only where mkfifo exists (else the test aborts). */
    private Map<String, Path> specials() throws Exception {
        Map<String, Path> s = new LinkedHashMap<>();
        Path fifo = files.resolve("pipe.npy");
        HostileFixture.mkfifo(fifo);
        s.put("named pipe", fifo);
        s.put("link to a named pipe", Files.createSymbolicLink(files.resolve("link.npy"), fifo));
        s.put("directory", Files.createDirectory(files.resolve("dir.npy")));
        Path zero = Path.of("/dev/zero");
        if (Files.exists(zero)) {
            s.put("device", zero);
        }
        return s;
    }

    /** Opens the pipe both ways so that a reader stuck opening it (the bug) is released once the test ends. */
    private void release(Path fifo) {
        try (RandomAccessFile both = new RandomAccessFile(fifo.toFile(), "rw")) {
            both.getFD();
        } catch (IOException ignored) {
            // best effort: the pipe may be gone with the temporary directory
        }
    }

    @TestFactory
    Stream<DynamicTest> readersRefuseAtOnce() throws Exception {
        Map<String, Path> specials = specials();
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, Path> s : specials.entrySet()) {
            Path p = s.getValue();
            Map<String, HostileFixture.ThrowingRunnable> opens = new LinkedHashMap<>();
            opens.put("NpyReader.open", () -> NpyReader.open(p).close());
            opens.put("NpzReader.open", () -> NpzReader.open(p).close());
            opens.put("IdxReader.open", () -> IdxReader.open(p).close());
            opens.put("FileFormat.detect", () -> FileFormat.detect(p));
            for (Map.Entry<String, HostileFixture.ThrowingRunnable> o : opens.entrySet()) {
                tests.add(dynamicTest(o.getKey() + " of a " + s.getKey(), () -> {
                    Throwable t;
                    try {
                        t = HostileFixture.outcome(LIMIT, o.getValue());
                    } finally {
                        release(specials.get("named pipe"));
                    }
                    assertNotNull(t, "accepted a " + s.getKey());
                    assertInstanceOf(InvalidArgumentException.class, t, () -> HostileFixture.stack(t));
                    assertTrue(t.getMessage().contains(p.toString()), t::getMessage);
                    assertTrue(t.getMessage().contains("not a regular file"), t::getMessage);
                }));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> importsRefuseAtOnce() throws Exception {
        Map<String, Path> specials = specials();
        HostileFixture f = new HostileFixture(base).buildStandard();
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, Path> s : specials.entrySet()) {
            Path p = s.getValue();
            Map<String, java.util.function.Consumer<NumPack>> imports = new LinkedHashMap<>();
            imports.put("importNpy", np -> np.importNpy("fresh", p));
            imports.put("appendNpy", np -> np.appendNpy("fresh", p));
            imports.put("importNpz", np -> np.importNpz("fresh", p, "x"));
            imports.put("importIdx", np -> np.importIdx("fresh", p));
            for (Map.Entry<String, java.util.function.Consumer<NumPack>> i : imports.entrySet()) {
                tests.add(dynamicTest(i.getKey() + " of a " + s.getKey(), () -> {
                    Map<String, byte[]> before = f.storeTree();
                    Throwable t;
                    try {
                        t = HostileFixture.outcome(LIMIT, () -> {
                            try (NumPack np = f.openWritable()) {
                                i.getValue().accept(np);
                            }
                        });
                    } finally {
                        release(specials.get("named pipe"));
                    }
                    f.assertTyped(t, InvalidArgumentException.class, "fresh", i.getKey() + " of a " + s.getKey(),
                            p.toString(), "not a regular file");
                    f.assertStoreUnchanged(before, i.getKey() + " of a " + s.getKey());
                    f.assertOutsideUntouched();
                }));
            }
        }
        return tests.stream();
    }
}
