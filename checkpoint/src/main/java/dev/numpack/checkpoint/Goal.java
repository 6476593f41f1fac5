package dev.numpack.checkpoint;

/** Whether a smaller or a larger metric is better, for keep-best. */
public enum Goal {
    /** Smaller is better (losses). */
    MIN,
    /** Larger is better (accuracies). */
    MAX
}
