package dev.numpack.checkpoint;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import dev.numpack.djl.DatasetPosition;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The description a checkpoint carries in its {@code meta} array (UTF-8 JSON): the training state, the
 * model (block structure, parameters with shapes and types, DJL version and engine), the optimizer, and a
 * CRC32C checksum of every other array. Plain fields for Gson.
 */
final class Meta {
    static final String FORMAT = "numpack-checkpoint/1";
    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().setPrettyPrinting()
            .disableHtmlEscaping().create();

    String format = FORMAT;
    /** Write order within the directory: keep-last and "latest" go by it, not by step. */
    long sequence;
    long step;
    long epoch;
    Map<String, Double> metrics = new LinkedHashMap<>();
    Map<String, Long> seeds = new LinkedHashMap<>();
    Position datasetPosition;
    String createdAt;
    Model model = new Model();
    Optimizer optimizer;
    Map<String, ArrayMeta> arrays = new LinkedHashMap<>();

    /** The dataset position, as {@link DatasetPosition} holds it. */
    static final class Position {
        long epoch;
        long batch;
        String sampling;
    }

    /** The model's description. */
    static final class Model {
        String name;
        String block;
        String djlVersion;
        String engine;
        List<Parameter> parameters = new ArrayList<>();
    }

    /** One parameter. */
    static final class Parameter {
        String name;
        long[] shape;
        String dtype;
    }

    /** The optimizer's class, counts and which states it has. */
    static final class Optimizer {
        String type;
        int numUpdate;
        List<String> states = new ArrayList<>();
        Map<String, Integer> updateCounts = new LinkedHashMap<>();
    }

    /** One array of the checkpoint store. */
    static final class ArrayMeta {
        String dtype;
        long[] shape;
        String crc32c;
    }

    byte[] encode() {
        return GSON.toJson(this).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @throws JsonParseException if the bytes are not a checkpoint description
     */
    static Meta decode(byte[] bytes) {
        Meta m = GSON.fromJson(new String(bytes, StandardCharsets.UTF_8), Meta.class);
        if (m == null || !FORMAT.equals(m.format)) {
            throw new JsonParseException("not a " + FORMAT + " description: format " + (m == null ? null : m.format));
        }
        if (m.model == null || m.model.parameters == null || m.arrays == null || m.metrics == null
                || m.seeds == null) {
            throw new JsonParseException("incomplete description");
        }
        return m;
    }

    TrainingState state() {
        TrainingState.Builder b = TrainingState.builder().setEpoch(epoch).setStep(step);
        metrics.forEach(b::optMetric);
        seeds.forEach(b::optSeed);
        if (datasetPosition != null) {
            b.optDatasetPosition(new DatasetPosition(datasetPosition.epoch, datasetPosition.batch,
                    datasetPosition.sampling));
        }
        return b.build();
    }
}
