package dev.numpack.checkpoint;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which checkpoints to keep: the {@code keepLast} written last, the best {@code keepBest} by a metric, and
 * every one whose step is a multiple of {@code keepEvery}. "Last" is write order, not step: after a run
 * resumed from an older checkpoint, its new checkpoints are the last ones even with smaller steps.
 */
record Retention(int keepLast, int keepBest, String metric, Goal goal, long keepEvery) {
    /**
     * @param all the checkpoints in the directory
     * @param justWritten the checkpoint just published, never deleted
     * @return the checkpoints of {@code all} to delete
     */
    List<CheckpointInfo> toDelete(List<CheckpointInfo> all, String justWritten) {
        List<CheckpointInfo> byStep = new ArrayList<>(all);
        byStep.sort(Comparator.comparingLong(CheckpointInfo::sequence).reversed());
        Set<String> keep = new HashSet<>();
        keep.add(justWritten);
        for (int i = 0; i < byStep.size() && i < Math.max(1, keepLast); i++) {
            keep.add(byStep.get(i).name());
        }
        if (keepBest > 0) {
            best(all).stream().limit(keepBest).forEach(c -> keep.add(c.name()));
        }
        if (keepEvery > 0) {
            all.stream().filter(c -> c.step() % keepEvery == 0).forEach(c -> keep.add(c.name()));
        }
        List<CheckpointInfo> out = new ArrayList<>();
        for (CheckpointInfo c : byStep) {
            if (!keep.contains(c.name())) {
                out.add(c);
            }
        }
        return out;
    }

    /** @return checkpoints with the metric, best first (ties: the later written first) */
    List<CheckpointInfo> best(List<CheckpointInfo> all) {
        if (metric == null) {
            return List.of();
        }
        Comparator<CheckpointInfo> byMetric = Comparator.comparingDouble(c -> c.metrics().get(metric));
        if (goal == Goal.MAX) {
            byMetric = byMetric.reversed();
        }
        return all.stream().filter(c -> c.metrics().get(metric) != null && !c.metrics().get(metric).isNaN())
                .sorted(byMetric.thenComparing(Comparator.comparingLong(CheckpointInfo::sequence).reversed()))
                .toList();
    }
}
