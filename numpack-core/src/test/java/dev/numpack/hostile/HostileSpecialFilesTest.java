package dev.numpack.hostile;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.numpack.NumPack;
import dev.numpack.NumPackException;
import dev.numpack.DType;
import dev.numpack.hostile.HostileFixture.RawRecord;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Store files that are not regular files, as a store unpacked from an archive may hold: a named pipe
 * (opening one for reading blocks until a writer appears) or a symlink to an endless device. Opening or
 * reading the store must fail with a typed exception within the time limit, never hang or exhaust memory.
 */
class HostileSpecialFilesTest {
    @TempDir
    Path tmp;

    HostileFixture f;

    @BeforeEach
    void build() {
        f = new HostileFixture(tmp).buildStandard();
    }

    /** Unblocks a reader or writer stuck opening the pipe: on Linux an O_RDWR open of a FIFO never blocks. */
    private static Thread release(Path fifo) {
        Thread t = new Thread(() -> {
            try (RandomAccessFile both = new RandomAccessFile(fifo.toFile(), "rw")) {
                Thread.sleep(200);
            } catch (Exception ignored) {
                // best effort
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void expectTypedFailure(Path special, boolean writable, String array, HostileFixture.ThrowingRunnable work) {
        Throwable t;
        try {
            t = HostileFixture.outcome(Duration.ofSeconds(20), work);
        } finally {
            if (special != null) {
                try {
                    // wait for it: opened "rw" after the temp dir is cleaned up it would create a plain file
                    release(special).join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        f.assertTyped(t == null ? new AssertionError("accepted") : t, NumPackException.class, array,
                (writable ? "writable" : "read-only") + " with special file " + special);
        f.assertOutsideUntouched();
    }

    @Test
    void metadataIsANamedPipe() throws Exception {
        f.delete("metadata.npkm");
        HostileFixture.mkfifo(f.file("metadata.npkm"));
        expectTypedFailure(f.file("metadata.npkm"), false, null, () -> f.openReadOnly().close());
        expectTypedFailure(f.file("metadata.npkm"), true, null, () -> f.openWritable().close());
    }

    @Test
    void journalIsANamedPipe() throws Exception {
        HostileFixture.mkfifo(f.file("numpack.journal"));
        Throwable t;
        try {
            t = HostileFixture.outcome(Duration.ofSeconds(20), () -> {
                try (NumPack np = f.openWritable()) {
                    np.names();
                }
            });
        } finally {
            release(f.file("numpack.journal")).join();
        }
        // either refused with a typed exception, or treated as an uncommitted journal and the store opened
        if (t != null) {
            f.assertTyped(t, NumPackException.class, null, "writable open with a pipe as journal");
        }
        f.assertOutsideUntouched();
    }

    @Test
    void bitmapIsANamedPipe() throws Exception {
        List<RawRecord> recs = f.rawRecords();
        recs.add(RawRecord.plain("e", DType.INT32, new long[] {0, 2}, "data_e.npkd"));
        f.writeMetadata(recs);
        Files.write(f.file("data_e.npkd"), new byte[0]);
        HostileFixture.mkfifo(f.file("deleted_e.npkb"));
        // the other arrays stay readable; array e itself is refused, typed, without blocking on the pipe
        expectTypedFailure(f.file("deleted_e.npkb"), false, "e", () -> {
            try (NumPack np = f.openReadOnly()) {
                np.load("e");
            }
        });
    }

    /**
     * An empty array (no bytes to map) whose data file is a pipe: reading it may succeed (nothing to read),
     * and appending to it must not block on the pipe: it must succeed or fail typed within the limit.
     */
    @Test
    void emptyArraysDataFileIsANamedPipe() throws Exception {
        List<RawRecord> recs = f.rawRecords();
        recs.add(RawRecord.plain("e", DType.INT32, new long[] {0, 2}, "data_e.npkd"));
        f.writeMetadata(recs);
        HostileFixture.mkfifo(f.file("data_e.npkd"));
        Path fifo = f.file("data_e.npkd");
        Throwable t;
        try {
            t = HostileFixture.outcome(Duration.ofSeconds(20), () -> {
                try (NumPack np = f.openReadOnly()) {
                    np.load("e");
                }
            });
        } finally {
            release(fifo).join(5000);
        }
        if (t != null) {
            f.assertTyped(t, NumPackException.class, "e", "read-only load of an empty array stored as a pipe");
        }
        try {
            t = HostileFixture.outcome(Duration.ofSeconds(20), () -> {
                try (NumPack np = f.openWritable()) {
                    np.append("e", dev.numpack.NdArray.of(new int[][] {{1, 2}}));
                }
            });
        } finally {
            release(fifo).join(5000);
        }
        if (t != null) {
            f.assertTyped(t, NumPackException.class, "e", "append to an empty array stored as a pipe");
        }
        f.assertOutsideUntouched();
    }

    @Test
    void metadataIsASymlinkToAnEndlessDevice() throws Exception {
        Path zero = Path.of("/dev/zero");
        assumeTrue(Files.exists(zero), "no /dev/zero");
        f.delete("metadata.npkm");
        Files.createSymbolicLink(f.file("metadata.npkm"), zero);
        expectTypedFailure(null, false, null, () -> f.openReadOnly().close());
    }
}
