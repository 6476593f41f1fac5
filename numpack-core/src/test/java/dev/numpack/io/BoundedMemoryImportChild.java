package dev.numpack.io;

import dev.numpack.LazyArray;
import dev.numpack.NumPack;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * Child JVM of {@link BoundedMemoryImportTest}, run with a heap far smaller than the files: imports the
 * deflated member of an {@code .npz} archive and a gzipped IDX file into a store, then prints the CRC-32 of
 * each array's rows as stored.
 *
 * <p>Arguments: the archive, the IDX file, the store directory.
 */
public final class BoundedMemoryImportChild {
    private BoundedMemoryImportChild() {}

    public static void main(String[] args) {
        try (NumPack np = NumPack.open(Path.of(args[2]))) {
            np.importNpz(Path.of(args[0]));
            np.importIdx("idx", Path.of(args[1]));
            System.out.println(crc(np, "big") + " " + crc(np, "idx"));
        }
    }

    private static long crc(NumPack np, String name) {
        CRC32 crc = new CRC32();
        try (LazyArray a = np.lazy(name)) {
            a.scanRows(0, a.rows(), crc::update);
        }
        return crc.getValue();
    }
}
