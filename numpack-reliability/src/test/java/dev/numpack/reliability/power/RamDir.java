package dev.numpack.reliability.power;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a simulation keeps its stores and states: a fresh directory in RAM ({@code /dev/shm}) when there is one,
 * else under the test's temporary directory. The simulation creates and deletes many thousand small files; on a
 * disk that other processes fsync, each of those metadata changes may wait for the file system's journal
 * (four times slower here on a shared machine), and nothing here needs a disk: durability is the recorder's
 * model. tmpfs has inodes and file keys as a disk file system does. Removed at {@link #close()}.
 */
final class RamDir implements AutoCloseable {
    private static final Path SHM = Path.of("/dev/shm");

    private final Path path;
    private final boolean ours;

    private RamDir(Path path, boolean ours) {
        this.path = path;
        this.ours = ours;
    }

    /**
     * @param fallback the directory to use when there is no writable {@code /dev/shm}
     * @return the directory
     */
    static RamDir orElse(Path fallback) throws IOException {
        if (Files.isDirectory(SHM) && Files.isWritable(SHM)) {
            return new RamDir(Files.createTempDirectory(SHM, "numpack-power-"), true);
        }
        return new RamDir(fallback, false);
    }

    /** @return the directory */
    Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        if (ours) {
            PowerLossSimulation.deleteTree(path);
        }
    }
}
