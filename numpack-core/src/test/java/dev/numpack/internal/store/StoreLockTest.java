package dev.numpack.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.NumPackException;
import dev.numpack.StoreLockedException;
import dev.numpack.testkit.ChildJvm;
import dev.numpack.testkit.ChildProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StoreLock}: one writer at a time, in this JVM and across processes; a second acquire is refused
 * with {@link StoreLockedException} at once or after its timeout; the OS releases the lock of a killed
 * process; a lock file that is not a plain file is refused.
 */
class StoreLockTest {
    @TempDir
    Path dir;

    private Path store;

    @BeforeEach
    void store() throws Exception {
        store = Files.createDirectories(dir.resolve("store"));
    }

    @Test
    void aSecondAcquireInThisJvmIsRefusedUntilTheFirstIsClosed() {
        StoreLock first = StoreLock.acquire(store, Duration.ZERO);
        assertTrue(Files.isRegularFile(store.resolve(StoreLayout.LOCK)));
        StoreLockedException e = assertThrows(StoreLockedException.class, () -> StoreLock.acquire(store, Duration.ZERO));
        assertTrue(e.getMessage().contains(store.toString()) && e.getMessage().contains(StoreLayout.LOCK),
                e.getMessage());
        assertFalse(e.getMessage().contains("waited"), "no wait with a zero timeout: " + e.getMessage());
        assertNull(StoreLock.tryAcquire(store), "tryAcquire answers null instead of throwing");
        first.close();
        StoreLock again = StoreLock.tryAcquire(store);
        assertNotNull(again, "released by close");
        again.close();
        again.close(); // twice is harmless
    }

    @Test
    void anAcquireWaitsForTheHolderUpToItsTimeout() throws Exception {
        StoreLock first = StoreLock.acquire(store, Duration.ZERO);
        long t0 = System.nanoTime();
        StoreLockedException e = assertThrows(StoreLockedException.class,
                () -> StoreLock.acquire(store, Duration.ofMillis(300)));
        assertTrue(System.nanoTime() - t0 >= 300_000_000L, "waited the timeout out");
        assertTrue(e.getMessage().contains("waited 300 ms"), e.getMessage());
        Thread releaser = new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException ignored) {
                // release at once then
            }
            first.close();
        });
        releaser.start();
        try (StoreLock second = StoreLock.acquire(store, Duration.ofSeconds(30))) {
            assertNotNull(second, "taken once the holder released it");
        }
        releaser.join();
    }

    @Test
    void anInterruptedWaitIsRefusedAndKeepsTheInterrupt() throws Exception {
        StoreLock first = StoreLock.acquire(store, Duration.ZERO);
        try {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicReference<Boolean> interrupted = new AtomicReference<>();
            Thread t = new Thread(() -> {
                Thread.currentThread().interrupt();
                try {
                    StoreLock.acquire(store, Duration.ofSeconds(30)).close();
                } catch (Throwable e) {
                    thrown.set(e);
                }
                interrupted.set(Thread.currentThread().isInterrupted());
            });
            t.start();
            t.join(10_000);
            assertTrue(thrown.get() instanceof StoreLockedException, String.valueOf(thrown.get()));
            assertTrue(thrown.get().getMessage().contains("interrupted"), thrown.get().getMessage());
            assertTrue(interrupted.get(), "the interrupt is kept");
        } finally {
            first.close();
        }
    }

    /**
     * A refused acquire in the holder's JVM must not open and close a channel of its own on the lock file:
     * closing any descriptor of a file drops every POSIX lock the process holds on it, so the holder would
     * silently lose the lock to other processes. (Found by numpack-reliability's concurrency test: a
     * read-only store in the writer's JVM that met a commit in flight tried the lock to see whether the
     * writer had died; then a second writer process opened the store and swept the live commit's files.)
     */
    @Test
    void aRefusedAcquireInTheHoldersJvmKeepsTheLockAgainstOtherProcesses() throws Exception {
        try (StoreLock first = StoreLock.acquire(store, Duration.ZERO)) {
            assertNull(StoreLock.tryAcquire(store), "refused in this JVM");
            assertThrows(StoreLockedException.class, () -> StoreLock.acquire(store, Duration.ofMillis(50)));
            try (ChildProcess child = ChildJvm.main(HoldLockChild.class, store.toString()).start()) {
                String line = child.stdout().readLine();
                child.process().getOutputStream().close(); // a child that took the lock gives it back now
                child.await(Duration.ofSeconds(60));
                assertNull(line, "another process took the lock this JVM holds");
                assertTrue(child.stderrText().contains("StoreLockedException"), child::stderrText);
            }
        }
    }

    @Test
    void anotherProcessHoldingTheLockLocksUsOutUntilItIsKilled() throws Exception {
        try (ChildProcess child = ChildJvm.main(HoldLockChild.class, store.toString()).start()) {
            assertEquals("held", child.stdout().readLine(), child::stderrText);
            assertNull(StoreLock.tryAcquire(store), "held by another process");
            assertThrows(StoreLockedException.class, () -> StoreLock.acquire(store, Duration.ofMillis(100)));
            assertEquals(ChildJvm.KILLED_EXIT, child.kill());
        }
        try (StoreLock mine = StoreLock.tryAcquire(store)) {
            assertNotNull(mine, "the OS released the killed process's lock: no stale lock");
        }
    }

    @Test
    void aLockFileThatIsNotAPlainFileIsRefused() throws Exception {
        Path elsewhere = Files.write(dir.resolve("elsewhere"), new byte[0]);
        Files.createSymbolicLink(store.resolve(StoreLayout.LOCK), elsewhere);
        NumPackException e = assertThrows(NumPackException.class, () -> StoreLock.tryAcquire(store));
        assertTrue(e.getMessage().contains(StoreLayout.LOCK + " is not a regular file")
                && e.getMessage().contains("remove it") && e.getMessage().contains(store.toString()), e.getMessage());
        Files.delete(store.resolve(StoreLayout.LOCK));
        Files.createDirectory(store.resolve(StoreLayout.LOCK));
        assertThrows(NumPackException.class, () -> StoreLock.acquire(store, Duration.ZERO));
    }
}
