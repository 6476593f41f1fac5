package dev.numpack.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileOps}: new files on a fresh inode, atomic replacing renames, whole reads and writes, bounds. */
class FileOpsTest {
    @TempDir
    Path dir;

    @Test
    void writeNewReplacesTheFileOnAFreshInodeAndLeavesTheBufferAlone() throws IOException {
        for (boolean durable : new boolean[] {true, false}) {
            FileOps ops = new FileOps(durable);
            assertEquals(durable, ops.durable());
            Path f = dir.resolve("f-" + durable);
            writeNew(ops, f, ByteBuffer.wrap(new byte[] {1, 2, 3}));
            try (FileChannel old = FileChannel.open(f, StandardOpenOption.READ)) {
                ByteBuffer data = ByteBuffer.wrap(new byte[] {9, 8, 7, 6, 5});
                data.position(1);
                writeNew(ops, f, data);
                assertEquals(1, data.position(), "the caller's buffer is not consumed");
                assertArrayEquals(new byte[] {8, 7, 6, 5}, Files.readAllBytes(f));
                ByteBuffer before = ByteBuffer.allocate(3);
                FileOps.readFully(old, before, 0);
                assertArrayEquals(new byte[] {1, 2, 3}, before.array(), "a reader of the old file keeps its bytes");
            }
        }
    }

    @Test
    void renameReplacesTheTargetAtomically() throws IOException {
        FileOps ops = new FileOps(true);
        Path from = Files.write(dir.resolve("new.tmp"), new byte[] {1});
        Path to = Files.write(dir.resolve("file"), new byte[] {0, 0});
        ops.rename(from, to);
        assertFalse(Files.exists(from));
        assertArrayEquals(new byte[] {1}, Files.readAllBytes(to));
        assertThrows(NoSuchFileException.class, () -> ops.rename(from, to));
    }

    @Test
    void readAllReadsUpToItsBoundAndRefusesMore() throws IOException {
        Path f = Files.write(dir.resolve("f"), new byte[] {1, 2, 3, 4});
        assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), FileOps.readAll(f, 4));
        assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), FileOps.readAll(f));
        IOException e = assertThrows(IOException.class, () -> FileOps.readAll(f, 3));
        assertEquals("f holds 4 bytes, more than the 3 accepted", e.getMessage());
        assertThrows(NoSuchFileException.class, () -> FileOps.readAll(dir.resolve("missing"), 10));
    }

    @Test
    void readFullyAndWriteFullyWorkAtAPositionAndReadFullyRefusesToGoPastTheEnd() throws IOException {
        Path f = Files.write(dir.resolve("f"), new byte[6]);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileOps.writeFully(ch, ByteBuffer.wrap(new byte[] {5, 6, 7}), 2);
            ByteBuffer got = ByteBuffer.allocate(4);
            FileOps.readFully(ch, got, 2);
            assertArrayEquals(new byte[] {5, 6, 7, 0}, got.array());
            IOException e = assertThrows(IOException.class, () -> FileOps.readFully(ch, ByteBuffer.allocate(3), 4));
            assertTrue(e.getMessage().contains("read past EOF at 6"), e.getMessage());
        }
    }

    @Test
    void syncDirFsyncsWhenDurableAndIsSkippedOtherwise() throws IOException {
        new FileOps(true).syncDir(dir);
        assertThrows(NoSuchFileException.class, () -> new FileOps(true).syncDir(dir.resolve("missing")));
        new FileOps(false).syncDir(dir.resolve("missing")); // not durable: not even opened
    }

    @Test
    void theTestSeamSeesEveryFsyncOfDefaultInstancesUntilClosedAndOnlyOneIsInstalled() throws Exception {
        java.util.List<String> seen = new java.util.ArrayList<>();
        FileOps.Fsync recorder = new FileOps.Fsync() {
            @Override
            public void file(FileChannel ch, Path file, boolean metadata) throws IOException {
                seen.add("file " + file.getFileName() + (metadata ? " +meta" : " data"));
                FileOps.OS.file(ch, file, metadata);
            }

            @Override
            public void mapped(MappedByteBuffer map, Path file, long mapStart, int index, int length) throws IOException {
                seen.add("mapped " + file.getFileName() + " " + (mapStart + index) + "+" + length);
                FileOps.OS.mapped(map, file, mapStart, index, length);
            }

            @Override
            public void directory(Path d) throws IOException {
                seen.add("dir " + d.getFileName());
                FileOps.OS.directory(d);
            }
        };
        Path f = Files.write(dir.resolve("f"), new byte[] {1});
        FileOps durable = new FileOps(true);
        try (AutoCloseable seam = FileOps.installForTests(recorder);
                FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            assertThrows(IllegalStateException.class, () -> FileOps.installForTests(recorder));
            assertTrue(durable.observed());
            durable.syncFile(ch, f);
            durable.syncData(ch, f);
            durable.syncDir(dir);
            try (FileChannel rw = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                MappedByteBuffer m = rw.map(FileChannel.MapMode.READ_WRITE, 0, 1);
                m.put(0, (byte) 2);
                durable.syncMapped(m, f, 0, 0, 1);
                new FileOps(false).syncMapped(m, f, 0, 0, 1); // not durable: no msync to see
            }
            new FileOps(false).syncFile(ch, f); // not durable: no fsync to see
            new FileOps(true, FileOps.OS).syncDir(dir); // an explicit fsync is not replaced
            SyncGroup g = new SyncGroup(durable);
            g.add(FileChannel.open(f, StandardOpenOption.WRITE), f);
            assertEquals(5, seen.size(), "the group's fsync ran on the caller's thread, before await: " + seen);
            g.await();
        }
        assertEquals(java.util.List.of("file f +meta", "file f data", "dir " + dir.getFileName(), "mapped f 0+1",
                "file f +meta"), seen);
        assertFalse(durable.observed());
        durable.syncDir(dir);
        assertEquals(5, seen.size(), "closed: the operating system's fsync again");
    }

    /** Replaces {@code f} with {@code data}'s remaining bytes through the engine's temp-fsync-rename path. */
    private static void writeNew(FileOps ops, Path f, ByteBuffer data) throws IOException {
        ops.replaceFile(f.resolveSibling(f.getFileName() + ".tmp"), f, ch -> FileOps.writeFully(ch, data.duplicate(), 0));
    }
}
