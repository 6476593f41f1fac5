package dev.numpack.checkpoint;

import dev.numpack.djl.DatasetPosition;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where training is, saved beside the weights: epoch and step, the metrics of the moment (what keep-best
 * ranks by), the training data's position and the seeds the run used.
 *
 * @param epoch epochs completed
 * @param step optimizer steps completed (also the checkpoint's number)
 * @param metrics named values, e.g. {@code "validate_loss"}
 * @param position the training dataset's position, or {@code null}
 * @param seeds named seeds of the run, e.g. {@code "engine"} or {@code "data"}
 */
public record TrainingState(long epoch, long step, Map<String, Double> metrics, DatasetPosition position,
        Map<String, Long> seeds) {

    /**
     * @throws IllegalArgumentException if epoch or step is negative
     */
    public TrainingState {
        if (epoch < 0 || step < 0) {
            throw new IllegalArgumentException("negative epoch " + epoch + " or step " + step);
        }
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(metrics, "metrics")));
        seeds = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(seeds, "seeds")));
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the metric, or {@code null} */
    public Double metric(String name) {
        return metrics.get(name);
    }

    /** Builds a {@link TrainingState}. */
    public static final class Builder {
        private long epoch = -1;
        private long step = -1;
        private final Map<String, Double> metrics = new LinkedHashMap<>();
        private DatasetPosition position;
        private final Map<String, Long> seeds = new LinkedHashMap<>();

        Builder() {}

        /** @param epoch epochs completed @return this builder */
        public Builder setEpoch(long epoch) {
            this.epoch = epoch;
            return this;
        }

        /** @param step optimizer steps completed @return this builder */
        public Builder setStep(long step) {
            this.step = step;
            return this;
        }

        /** @param name a metric's name @param value its value @return this builder */
        public Builder optMetric(String name, double value) {
            metrics.put(Objects.requireNonNull(name, "name"), value);
            return this;
        }

        /** @param metrics metrics to add @return this builder */
        public Builder optMetrics(Map<String, ? extends Number> metrics) {
            metrics.forEach((k, v) -> optMetric(k, v.doubleValue()));
            return this;
        }

        /** @param position the training dataset's position @return this builder */
        public Builder optDatasetPosition(DatasetPosition position) {
            this.position = position;
            return this;
        }

        /** @param name what the seed seeds @param seed its value @return this builder */
        public Builder optSeed(String name, long seed) {
            seeds.put(Objects.requireNonNull(name, "name"), seed);
            return this;
        }

        /**
         * @return the state
         * @throws IllegalArgumentException if epoch or step was not set
         */
        public TrainingState build() {
            if (epoch < 0 || step < 0) {
                throw new IllegalArgumentException("TrainingState needs setEpoch and setStep (not negative)");
            }
            return new TrainingState(epoch, step, metrics, position, seeds);
        }
    }
}
