package dev.numpack.reliability.concurrency;

import dev.numpack.NumPack;
import dev.numpack.StoreLockedException;
import java.nio.file.Path;

/** A second process that tries to open a store for writing and prints {@code LOCKED} or {@code OPENED}. */
public final class LockProbe {
    private LockProbe() {}

    /** @param args the store directory */
    public static void main(String[] args) {
        try (NumPack np = NumPack.open(Path.of(args[0]))) {
            System.out.println("OPENED " + np.names());
        } catch (StoreLockedException e) {
            System.out.println("LOCKED " + e.getMessage());
        } catch (Throwable t) {
            System.out.println("FAILED " + t);
        }
        System.out.flush();
    }
}
