package dev.numpack.cli;

import static dev.numpack.cli.Cli.run;
import static dev.numpack.cli.Cli.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.io.NpyReader;
import dev.numpack.io.NpzReader;
import dev.numpack.io.NpzWriter;
import dev.numpack.testkit.Python;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code import} of .npz and IDX files (told by content) and {@code export} to .npz. */
class NpzIdxCommandTest {
    @TempDir
    Path dir;

    private static final NdArray X = Cli.floats(4, 3, 0);
    private static final NdArray Y = Cli.longs(10, 14);

    /** An archive, named without a telling extension: the format is told by content. */
    private Path archive() {
        Path npz = dir.resolve("data.bin");
        try (NpzWriter w = NpzWriter.create(npz)) {
            w.add("x", X);
            w.add("y", Y);
            w.commit();
        }
        return npz;
    }

    private static Set<String> names(Path store) {
        try (NumPack np = NumPack.openReadOnly(store)) {
            return np.names();
        }
    }

    @Test
    void importsEveryMemberUnderAPrefixOrTheirOwnNames() {
        Path npz = archive();
        Path store = dir.resolve("store");
        Cli.Result r = run("import", s(store), "train_", s(npz)).assertOk();
        assertEquals(List.of("imported 'train_x': float32 (4, 3) from " + npz,
                "imported 'train_y': int64 (4,) from " + npz), r.outLines());
        run("import", s(store), "-", s(npz)).assertOk();
        assertEquals(Set.of("train_x", "train_y", "x", "y"), names(store));
        assertEquals(X, Cli.load(store, "train_x"));
        assertEquals(Y, Cli.load(store, "y"));
    }

    @Test
    void importsOneMemberWithMember() {
        Path npz = archive();
        Path store = dir.resolve("store");
        Cli.Result r = run("import", "--member", "y", s(store), "labels", s(npz)).assertOk();
        assertEquals("imported 'labels': int64 (4,) from " + npz, r.out().strip());
        assertEquals(Set.of("labels"), names(store));
        assertEquals(Y, Cli.load(store, "labels"));
    }

    @Test
    void aMissingMemberFailsBeforeTheStoreIsCreated() {
        Path npz = archive();
        Path store = dir.resolve("store");
        String line = run("import", "--member", "z", s(store), "z", s(npz)).assertOneLineError(1);
        assertTrue(line.contains("'z'") && line.contains("no such array") && line.contains(npz.toString()), line);
        assertFalse(Files.exists(store));
    }

    @Test
    void memberOnAnythingButAnArchiveIsAUsageError() {
        Path npy = dir.resolve("x.npy");
        Cli.writeNpy(npy, X);
        String line = run("import", "--member", "x", s(dir.resolve("store")), "x", s(npy)).assertOneLineError(2);
        assertTrue(line.contains("--member applies to .npz"), line);
        assertFalse(Files.exists(dir.resolve("store")));
    }

    @Test
    void importsIdxPlainAndGzipped() throws IOException {
        byte[] idx = {0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, (byte) 200};
        Path plain = Files.write(dir.resolve("x-idx2-ubyte"), idx);
        Path gz = dir.resolve("x-idx2-ubyte.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(idx);
        }
        Path store = dir.resolve("store");
        assertEquals("imported 'a': uint8 (2, 3) from " + plain,
                run("import", s(store), "a", s(plain)).assertOk().out().strip());
        assertEquals("imported 'b': uint8 (2, 3) from " + gz,
                run("import", s(store), "b", s(gz)).assertOk().out().strip());
        NdArray want = NdArray.ofUint8(new byte[] {1, 2, 3, 4, 5, (byte) 200}).reshape(2, 3);
        assertEquals(want, Cli.load(store, "a"));
        assertEquals(want, Cli.load(store, "b"));
    }

    @Test
    void importsFashionMnistFromDebian() {
        Path images = Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz");
        assumeTrue(Files.isReadable(images), images + " is not installed (Debian package fashion-mnist)");
        Path store = dir.resolve("store");
        assertEquals("imported 'images': uint8 (10000, 28, 28) from " + images,
                run("import", s(store), "images", s(images)).assertOk().out().strip());
    }

    @Test
    void unknownFormatsAndHostileArchivesFailInOneLineAndChangeNothing() throws IOException {
        Path store = dir.resolve("store");
        Path text = Files.writeString(dir.resolve("notes.npz"), "just some text");
        String line = run("import", s(store), "x", s(text)).assertOneLineError(1);
        assertTrue(line.contains("not a .npy, .npz or IDX file"), line);
        assertFalse(Files.exists(store));

        run("import", s(store), "-", s(archive())).assertOk();
        Path evil = dir.resolve("evil.npz");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(evil))) {
            zip.putNextEntry(new ZipEntry("../x.npy"));
            zip.write("whatever".getBytes(StandardCharsets.US_ASCII));
            zip.closeEntry();
        }
        line = run("import", s(store), "-", s(evil)).assertOneLineError(1);
        assertTrue(line.contains("unsafe member name '../x.npy'") && line.contains(evil.toString()), line);
        assertEquals(Set.of("x", "y"), names(store));
        assertEquals(X, Cli.load(store, "x"));
        assertFalse(Files.exists(dir.resolve("x.npy")));
    }

    @Test
    void exportsOneOrEveryArrayToAnArchive() {
        Path store = dir.resolve("store");
        run("import", s(store), "-", s(archive())).assertOk();
        Path one = dir.resolve("one.NPZ");
        assertEquals("exported 'y': int64 (4,) to " + one, run("export", s(store), "y", s(one)).assertOk().out().strip());
        Path all = dir.resolve("all.npz");
        assertEquals(List.of("exported 'x': float32 (4, 3) to " + all, "exported 'y': int64 (4,) to " + all),
                run("export", s(store), "-", s(all)).assertOk().outLines());
        try (NpzReader z = NpzReader.open(one)) {
            assertEquals(List.of("y"), z.members());
        }
        try (NpzReader z = NpzReader.open(all); NpyReader x = z.member("x")) {
            assertEquals(List.of("x", "y"), z.members());
            assertEquals(X, x.load());
        }
        String line = run("export", s(store), "-", s(dir.resolve("all.npy"))).assertOneLineError(2);
        assertTrue(line.contains(".npz"), line);
        line = run("export", s(store), "nope", s(dir.resolve("nope.npz"))).assertOneLineError(1);
        assertTrue(line.contains("'nope'") && line.contains("no such array"), line);
        assertFalse(Files.exists(dir.resolve("nope.npz")));
    }

    @Test
    void numpyArchivesImportAndExportsLoadInNumpy() throws IOException {
        Python.assumeAvailable();
        Python.runIn(dir, String.join("\n",
                "import numpy as np",
                "np.savez_compressed('in.npz', images=np.arange(120, dtype=np.uint8).reshape(5, 4, 6),",
                "                    labels=np.array([1, 0, 3, 2, 4]),",
                "                    w=np.asfortranarray(np.linspace(-1, 1, 12, dtype='>f4').reshape(3, 4)))"));
        Path store = dir.resolve("store");
        run("import", s(store), "-", s(dir.resolve("in.npz"))).assertOk();
        run("export", s(store), "-", s(dir.resolve("out.npz"))).assertOk();
        String check = Python.runIn(dir, String.join("\n",
                "import numpy as np",
                "a, b = np.load('in.npz'), np.load('out.npz')",
                "assert sorted(a.files) == sorted(b.files), (a.files, b.files)",
                "for k in a.files:",
                "    assert a[k].shape == b[k].shape and np.array_equal(a[k], b[k]), k",
                "print('same')"));
        assertEquals("same", check.strip());
    }
}
