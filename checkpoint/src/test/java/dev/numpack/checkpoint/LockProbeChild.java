package dev.numpack.checkpoint;

import java.nio.file.Path;

/** Tries to open a checkpoint directory from its own JVM; prints {@code acquired} or {@code refused}. */
public final class LockProbeChild {
    private LockProbeChild() {}

    /**
     * @param args the checkpoint directory
     */
    public static void main(String[] args) {
        try (CheckpointManager c = CheckpointManager.builder().setDirectory(Path.of(args[0])).build()) {
            System.out.println("acquired");
        } catch (CheckpointException e) {
            System.out.println("refused");
        }
    }
}
