package dev.numpack.internal.store;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A second process for {@link StoreLockTest}: takes the writer lock of the store in {@code args[0]},
 * prints {@code held}, and keeps it until its standard input ends (or it is killed).
 */
public final class HoldLockChild {
    private HoldLockChild() {}

    /**
     * @param args the store directory
     * @throws Exception if the lock cannot be taken (the parent sees no {@code held})
     */
    public static void main(String[] args) throws Exception {
        StoreLock lock = StoreLock.acquire(Path.of(args[0]), Duration.ZERO);
        try {
            System.out.println("held");
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold until the parent closes our input
            }
        } finally {
            lock.close();
        }
    }
}
