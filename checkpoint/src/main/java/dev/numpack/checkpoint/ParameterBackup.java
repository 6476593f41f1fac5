package dev.numpack.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.numpack.djl.TensorMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Copies of parameters' memory, made on a second thread while a restore reads the checkpoint into the
 * parameters one after another, so that a restore that fails halfway (a bad checksum in a later array)
 * can put every parameter back as it was.
 *
 * <p>Why not verify first and copy after: that reads the checkpoint twice, and the first read, from disk,
 * is the slow one. Why not stage the checkpoint and copy it in after: that copy comes after all the
 * reading and adds to it. Copying the parameters aside instead overlaps the reading: while the restore
 * waits for the disk on parameter {@code i}, this thread copies parameter {@code i + 1}. The restore
 * waits for copy {@code i} ({@link #awaitCopied}) before it overwrites parameter {@code i}.
 */
final class ParameterBackup implements AutoCloseable {
    private final List<ByteBuffer> targets;
    private final List<ByteBuffer> copies = new ArrayList<>();
    private final List<CompletableFuture<Void>> copied = new ArrayList<>();
    private final NDManager manager;
    private final Thread copier;
    private volatile boolean cancelled;

    /**
     * Starts copying.
     *
     * @param targets the parameters' own memory ({@link TensorMemory#own}), in the order they will be
     *     overwritten
     * @param like a manager on the parameters' device, whose sub-manager holds the copies until closed
     */
    ParameterBackup(List<ByteBuffer> targets, NDManager like) {
        this.targets = targets;
        this.manager = like.newSubManager();
        for (int i = 0; i < targets.size(); i++) {
            copied.add(new CompletableFuture<>());
        }
        this.copier = new Thread(this::copyAll, "numpack-checkpoint-backup");
        copier.setDaemon(true);
        copier.start();
    }

    private void copyAll() {
        for (int i = 0; i < targets.size(); i++) {
            if (cancelled) {
                copied.get(i).cancel(false);
                continue;
            }
            try {
                ByteBuffer src = targets.get(i);
                ByteBuffer copy = newBuffer(src.capacity());
                copy.put(0, src, 0, src.capacity());
                synchronized (copies) {
                    copies.add(copy);
                }
                copied.get(i).complete(null);
            } catch (RuntimeException | Error e) {
                copied.get(i).completeExceptionally(e);
            }
        }
    }

    /** An uninitialised tensor's memory where the engine shares it (no zeroing pass), else a direct buffer. */
    private ByteBuffer newBuffer(int bytes) {
        NDArray a = manager.create(new ai.djl.ndarray.types.Shape(bytes), ai.djl.ndarray.types.DataType.UINT8);
        ByteBuffer own = TensorMemory.own(a);
        if (own != null) {
            return own;
        }
        a.close();
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Waits until parameter {@code i} is copied aside, after which it may be overwritten.
     *
     * @throws IllegalStateException if the copy failed (out of memory, say): the restore must not go on
     */
    void awaitCopied(int i) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    copied.get(i).get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true; // the restore cannot stop between a copy and its use: wait on
                } catch (ExecutionException e) {
                    throw new IllegalStateException("could not copy parameter " + i + " aside: " + e.getCause(),
                            e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Puts parameters {@code [0, count)} back as they were when copied (each of them was awaited).
     *
     * @param count how many parameters the restore may have overwritten, in order
     */
    void undo(int count) {
        for (int i = 0; i < count; i++) {
            ByteBuffer copy;
            synchronized (copies) {
                copy = copies.get(i);
            }
            targets.get(i).put(0, copy, 0, copy.capacity());
        }
    }

    /** Stops copying, waits for the copier and frees the copies. */
    @Override
    public void close() {
        cancelled = true;
        boolean interrupted = false;
        while (copier.isAlive()) {
            try {
                copier.join();
            } catch (InterruptedException e) {
                interrupted = true; // the copies are freed only once the copier no longer writes them
            }
        }
        manager.close();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
