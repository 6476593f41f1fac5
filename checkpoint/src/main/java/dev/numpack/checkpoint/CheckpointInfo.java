package dev.numpack.checkpoint;

import java.nio.file.Path;
import java.util.Map;

/**
 * A checkpoint on disk, as its description says (its arrays are only verified by a restore).
 *
 * @param name the directory's name, {@code checkpoint-<step>}
 * @param path the directory
 * @param sequence the write order in the directory (later saves have larger numbers, whatever their step)
 * @param step optimizer steps completed when it was saved
 * @param epoch epochs completed when it was saved
 * @param metrics its metrics
 */
public record CheckpointInfo(String name, Path path, long sequence, long step, long epoch,
        Map<String, Double> metrics) {}
