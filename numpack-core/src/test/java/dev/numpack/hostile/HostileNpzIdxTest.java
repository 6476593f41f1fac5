package dev.numpack.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.numpack.CorruptStoreException;
import dev.numpack.InvalidArgumentException;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.NumPackException;
import dev.numpack.testing.Zips;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged and hostile {@code .npz} and IDX files given to the store's imports: each fails with a typed
 * exception naming the file, within a time limit, and leaves the store's bytes, its arrays and everything
 * outside it as they were. Members are named after arrays the store holds ("a") and new ones, so that an
 * import that went through would show.
 */
class HostileNpzIdxTest {
    @TempDir
    Path base;

    @TempDir
    Path files;

    private static final NdArray GOOD = HostileFixture.ints(10, 3, 7);

    /** An archive with good members "new.npy" (stored) and "a.npy" (deflated), then bytes changed. */
    private Path archive(String name, Function<byte[], byte[]> damage) throws IOException {
        Path f = Zips.builder()
                .stored("new.npy", Zips.npy(GOOD))
                .deflated("a.npy", Zips.npy(GOOD))
                .write(files.resolve(name + ".npz"));
        return Files.write(f, damage.apply(Files.readAllBytes(f)));
    }

    /** Where the {@code i}-th central directory header starts. */
    private static int central(byte[] b, int i) {
        int at = -1;
        for (int k = 0; k <= i; k++) {
            at = Zips.indexOf(b, Zips.CENTRAL, at + 1);
        }
        return at;
    }

    private static byte[] putInt(byte[] b, int at, int v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
        return b;
    }

    private static byte[] putShort(byte[] b, int at, int v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort(at, (short) v);
        return b;
    }

    private static int getInt(byte[] b, int at) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(at);
    }

    private static Path named(Path dir, String file, String... entries) {
        Zips.Builder z = Zips.builder();
        for (String e : entries) {
            z.stored(e, Zips.npy(GOOD));
        }
        return z.write(dir.resolve(file));
    }

    @TestFactory
    Stream<DynamicTest> hostileArchivesChangeNothing() throws IOException {
        byte[] npyBytes = Zips.npy(GOOD);
        List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[] {"not a zip", Files.writeString(files.resolve("text.npz"), "hello, not a zip"),
            CorruptStoreException.class, "not a zip file"});
        cases.add(new Object[] {"empty file", Files.write(files.resolve("empty.npz"), new byte[0]),
            CorruptStoreException.class, "not a zip file"});
        for (int cut : new int[] {1, 21, 22, 200, 400}) {
            cases.add(new Object[] {"truncated by " + cut, archive("cut" + cut, b -> Arrays.copyOf(b, b.length - cut)),
                CorruptStoreException.class, "truncated"});
        }
        cases.add(new Object[] {"member name with ../", named(files, "up.npz", "../evil.npy"),
            CorruptStoreException.class, "unsafe member name '../evil.npy'"});
        cases.add(new Object[] {"member name with a/../../", named(files, "up2.npz", "a/../../evil.npy"),
            CorruptStoreException.class, "'..'"});
        cases.add(new Object[] {"absolute member name", named(files, "abs.npz", "/tmp/evil.npy"),
            CorruptStoreException.class, "absolute path"});
        cases.add(new Object[] {"drive letter", named(files, "drive.npz", "C:/evil.npy"),
            CorruptStoreException.class, "drive letter"});
        cases.add(new Object[] {"control character", named(files, "ctl.npz", "a\u0001.npy"),
            CorruptStoreException.class, "control character"});
        Path dup = named(files, "dup.npz", "a.npy", "b.npy");
        assertEquals(2, Zips.replaceAll(dup, "b.npy".getBytes(StandardCharsets.US_ASCII),
                "a.npy".getBytes(StandardCharsets.US_ASCII)));
        cases.add(new Object[] {"duplicate members", dup, CorruptStoreException.class, "two members named 'a.npy'"});
        cases.add(new Object[] {"same array with and without suffix", named(files, "dup2.npz", "a.npy", "a"),
            CorruptStoreException.class, "hold array 'a'"});
        cases.add(new Object[] {"wrong CRC of a stored member", archive("crc-stored", b -> {
            int data = Zips.indexOf(b, npyBytes, 0) + npyBytes.length - 1;
            b[data] ^= 1;
            return b;
        }), CorruptStoreException.class, "CRC-32 mismatch"});
        cases.add(new Object[] {"wrong CRC of a deflated member", archive("crc-deflated", b ->
                putInt(b, central(b, 1) + 16, getInt(b, central(b, 1) + 16) ^ 0x10)),
            CorruptStoreException.class, "CRC-32 mismatch"});
        cases.add(new Object[] {"damaged deflate stream", archive("deflate", b -> {
            int local = Zips.indexOf(b, Zips.LOCAL, 1);
            int data = local + 30 + "a.npy".length();
            for (int i = 0; i < 8; i++) {
                b[data + 2 + i] = (byte) 0xFF;
            }
            return b;
        }), CorruptStoreException.class, "deflate"});
        cases.add(new Object[] {"zip bomb ratio", archive("bomb", b -> putInt(b, central(b, 1) + 24, 0x7FFFFFF0)),
            CorruptStoreException.class, "zip bomb"});
        cases.add(new Object[] {"declared size beyond the member", archive("bigger", b ->
                putInt(b, central(b, 1) + 24, getInt(b, central(b, 1) + 24) + 100)),
            CorruptStoreException.class, "accounts for"});
        cases.add(new Object[] {"stored size past the directory", archive("past", b -> {
            putInt(b, central(b, 1) + 20, 1 << 30);
            return putInt(b, central(b, 1) + 24, 1 << 30);
        }), CorruptStoreException.class, "runs past"});
        cases.add(new Object[] {"overlapping members", archive("overlap", b -> {
            int size = getInt(b, central(b, 0) + 20) + 40; // the stored member now covers the next header
            putInt(b, central(b, 0) + 20, size);
            return putInt(b, central(b, 0) + 24, size);
        }), CorruptStoreException.class, "overlaps"});
        cases.add(new Object[] {"two entries on one local header", archive("shared", b ->
                putInt(b, central(b, 1) + 42, 0)), CorruptStoreException.class, "local header"});
        cases.add(new Object[] {"encrypted member", archive("encrypted", b ->
                putShort(b, central(b, 0) + 8, 1)), CorruptStoreException.class, "encrypted"});
        cases.add(new Object[] {"unsupported method", archive("bzip2", b ->
                putShort(b, central(b, 1) + 10, 12)), CorruptStoreException.class, "compression method 12"});
        cases.add(new Object[] {"entry count beyond the directory", archive("count", b -> {
            int end = Zips.indexOf(b, Zips.END, 0);
            putShort(b, end + 8, 3000);
            return putShort(b, end + 10, 3000);
        }), CorruptStoreException.class, "entries"});
        cases.add(new Object[] {"member that is not .npy", Zips.builder()
                .stored("new.npy", npyBytes)
                .stored("readme.txt", "text".getBytes(StandardCharsets.US_ASCII))
                .write(files.resolve("txt.npz")), CorruptStoreException.class, "array 'readme.txt': " + files.resolve("txt.npz") + ": truncated .npy header"});
        cases.add(new Object[] {"member of an unsupported dtype", Zips.builder()
                .stored("a.npy", npy("{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }", new byte[24]))
                .write(files.resolve("str.npz")), CorruptStoreException.class, "'<U3'"});
        cases.add(new Object[] {"member name that is no array name", named(files, "sub.npz", "new.npy",
            "sub/a.npy"), InvalidArgumentException.class, "invalid array name"});

        List<DynamicTest> tests = new ArrayList<>();
        for (Object[] c : cases) {
            tests.add(dynamicTest((String) c[0], () -> expectRefused((Path) c[1], np -> np.importNpz((Path) c[1]),
                    c[2], (String) c[3])));
        }
        return tests.stream();
    }

    @Test
    void oneDamagedMemberUndoesTheWholeImport() throws IOException {
        byte[] npyBytes = Zips.npy(GOOD);
        Path f = Zips.builder()
                .stored("new.npy", npyBytes)
                .stored("a.npy", npyBytes)
                .write(files.resolve("second-bad.npz"));
        byte[] b = Files.readAllBytes(f);
        int second = Zips.indexOf(b, npyBytes, Zips.indexOf(b, npyBytes, 0) + 1);
        b[second + npyBytes.length - 1] ^= 1; // the last byte of the last member: found only at the very end
        Files.write(f, b);
        expectRefused(f, np -> np.importNpz(f), CorruptStoreException.class, "CRC-32 mismatch");
        expectRefused(f, np -> np.importNpz("b", f, "a"), CorruptStoreException.class, "CRC-32 mismatch");
        expectRefused(f, np -> np.importNpz(f, Map.of("new", "n", "a", "b"), dev.numpack.ProgressListener.NONE),
                CorruptStoreException.class, "CRC-32 mismatch");
    }

    @TestFactory
    Stream<DynamicTest> hostileIdxFilesChangeNothing() throws IOException {
        byte[] good = {0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6};
        byte[] gz = gzip(good);
        byte[] badCrc = gz.clone();
        badCrc[badCrc.length - 6] ^= 1;
        Object[][] cases = {
            {"wrong magic", new byte[] {7, 7, 8, 1, 0, 0, 0, 1, 1}, "not an IDX file"},
            {"truncated", Arrays.copyOf(good, good.length - 2), "truncated"},
            {"dimensions that overflow", new byte[] {0, 0, 0x0D, 3, 0x7F, -1, -1, -1, 0x7F, -1, -1, -1,
                0x7F, -1, -1, -1}, "needs more than"},
            {"absurd size", new byte[] {0, 0, 8, 2, 0x7F, -1, -1, -1, 0x7F, -1, -1, -1}, "truncated"},
            {"gzip truncated", Arrays.copyOf(gz, gz.length - 9), "damaged gzip data"},
            {"gzip wrong CRC", badCrc, "damaged gzip data"},
            {"gzip forged size", gzip(new byte[] {0, 0, 8, 2, 0, 1, 0, 0, 0, 1, 0, 0}), "forged size"},
        };
        List<DynamicTest> tests = new ArrayList<>();
        for (Object[] c : cases) {
            Path f = Files.write(files.resolve(((String) c[0]).replace(' ', '-') + "-idx1-ubyte"), (byte[]) c[1]);
            tests.add(dynamicTest((String) c[0], () -> expectRefused(f, np -> np.importIdx("a", f),
                    CorruptStoreException.class, (String) c[2])));
        }
        return tests.stream();
    }

    private void expectRefused(Path file, java.util.function.Consumer<NumPack> importing, Object type,
            String fragment) {
        HostileFixture fx = new HostileFixture(base.resolve("case" + System.nanoTime())).buildStandard();
        Map<String, byte[]> before = fx.storeTree();
        Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> {
            try (NumPack np = fx.openWritable()) {
                importing.accept(np);
            }
        });
        @SuppressWarnings("unchecked")
        Class<? extends NumPackException> expected = (Class<? extends NumPackException>) type;
        assertTrue(expected.isInstance(t), () -> "expected " + expected.getSimpleName() + " but got " + t + "\n"
                + (t == null ? "" : HostileFixture.stack(t)));
        String msg = t.getMessage();
        assertTrue(msg.contains(fragment), () -> "message lacks '" + fragment + "': " + msg);
        if (expected == CorruptStoreException.class) {
            // an import's error is the store's (it names the store and the array), and its message names the file
            assertEquals(fx.store, ((NumPackException) t).store(), msg);
            assertTrue(msg.contains(file.toString()), () -> "message does not name " + file + ": " + msg);
        }
        fx.assertStoreUnchanged(before, "refused import");
        fx.assertOutsideUntouched();
        fx.assertStoreIntact();
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    private static byte[] npy(String dict, byte[] data) {
        ByteBuffer header = dev.numpack.internal.format.NpyHeaderTest.header(1, dict);
        byte[] out = new byte[header.remaining() + data.length];
        header.get(out, 0, header.remaining());
        System.arraycopy(data, 0, out, out.length - data.length, data.length);
        return out;
    }
}
