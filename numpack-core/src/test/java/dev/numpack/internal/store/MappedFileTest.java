package dev.numpack.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel.MapMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MappedFile}: a mapping in chunks (small ones here, 1 GiB in use), every view little-endian,
 * reads that straddle chunks split, bounds checked, copy-on-write mappings that never reach the file, and
 * a mapping that keeps the old bytes after the file is replaced.
 */
class MappedFileTest {
    @TempDir
    Path dir;

    /** 100 bytes: 25 little-endian ints 0, 1000, 2000, ... */
    private Path ints() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(100).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 25; i++) {
            b.putInt(i * 1000);
        }
        return Files.write(dir.resolve("ints"), b.array());
    }

    @Test
    void chunkSizesHoldWholeRows() {
        assertEquals(MappedFile.MAX_CHUNK, MappedFile.chunkFor(1));
        assertEquals(MappedFile.MAX_CHUNK, MappedFile.chunkFor(0));
        assertEquals(MappedFile.MAX_CHUNK - MappedFile.MAX_CHUNK % 3, MappedFile.chunkFor(3));
        assertEquals(0, MappedFile.chunkFor(12) % 12);
        assertEquals(MappedFile.MAX_CHUNK, MappedFile.chunkFor(MappedFile.MAX_CHUNK + 1), "a row over 1 GiB");
    }

    @Test
    void aFileIsMappedInChunksThatReadLittleEndian() throws IOException {
        MappedFile f = MappedFile.map(ints(), 100, MapMode.READ_ONLY, 12);
        assertEquals(9, f.chunkCount(), "ceil(100 / 12)");
        assertEquals(100, f.length());
        for (int c = 0; c < f.chunkCount(); c++) {
            ByteBuffer chunk = f.chunk(c);
            assertEquals(ByteOrder.LITTLE_ENDIAN, chunk.order());
            assertEquals(c < 8 ? 12 : 4, chunk.remaining());
            assertEquals(c * 3 * 1000, chunk.getInt(0), "chunk " + c);
        }
        ByteBuffer v = f.view(24, 8);
        assertNotNull(v, "inside chunk 2");
        assertEquals(ByteOrder.LITTLE_ENDIAN, v.order());
        assertEquals(6000, v.getInt(0));
        assertEquals(7000, v.getInt(4));
        assertNull(f.view(20, 8), "straddles chunks 1 and 2: no view");
        assertNull(f.view(20, 0), "nothing to view");
    }

    @Test
    void copiesStraddlingChunksAreWholeAndBoundsAreChecked() throws IOException {
        Path file = ints();
        MappedFile f = MappedFile.map(file, 100, MapMode.READ_ONLY, 12);
        byte[] all = Files.readAllBytes(file);
        ByteBuffer dst = ByteBuffer.allocate(90);
        dst.position(2);
        f.copyTo(5, 87, dst);
        assertEquals(89, dst.position());
        byte[] got = new byte[87];
        dst.get(2, got);
        assertArrayEquals(java.util.Arrays.copyOfRange(all, 5, 92), got);
        assertThrows(IndexOutOfBoundsException.class, () -> f.copyTo(90, 11, ByteBuffer.allocate(20)));
        assertThrows(IndexOutOfBoundsException.class, () -> f.copyTo(-1, 1, ByteBuffer.allocate(20)));
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> f.view(96, 8));
        assertTrue(e.getMessage().contains("read past EOF") && e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void aShortFileOrABadChunkIsRefusedAndAnEmptyMappingNeedsNoFile() throws IOException {
        Path file = ints();
        IOException e = assertThrows(IOException.class, () -> MappedFile.map(file, 101, MapMode.READ_ONLY, 12));
        assertEquals("ints holds 100 bytes, 101 expected", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MappedFile.map(file, 100, MapMode.READ_ONLY, 0));
        assertThrows(IllegalArgumentException.class,
                () -> MappedFile.map(file, 100, MapMode.READ_ONLY, MappedFile.MAX_CHUNK + 1));
        assertEquals(0, MappedFile.map(dir.resolve("missing"), 0, MapMode.READ_ONLY, 12).chunkCount());
        assertThrows(java.nio.file.NoSuchFileException.class,
                () -> MappedFile.map(dir.resolve("missing"), 1, MapMode.READ_ONLY, 12));
    }

    @Test
    void aPrivateMappingTakesWritesThatNeverReachTheFile() throws IOException {
        Path file = ints();
        byte[] before = Files.readAllBytes(file);
        MappedFile f = MappedFile.map(file, 100, MapMode.PRIVATE, 12);
        f.copyFrom(10, 6, ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6})); // across chunks 0 and 1
        ByteBuffer got = ByteBuffer.allocate(6);
        f.copyTo(10, 6, got);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6}, got.array());
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    @Test
    void aMappingKeepsTheOldBytesAfterTheFileIsReplaced() throws IOException {
        Path file = ints();
        MappedFile f = MappedFile.map(file, 100, MapMode.READ_ONLY, 12);
        Path fresh = Files.write(dir.resolve("fresh"), new byte[100]);
        Files.move(fresh, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        assertEquals(24_000, f.chunk(8).getInt(0), "a view opened before a save keeps reading the old content");
        Files.delete(file);
        assertEquals(3000, f.view(12, 4).getInt(0));
    }
}
