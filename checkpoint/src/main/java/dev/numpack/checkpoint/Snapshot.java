package dev.numpack.checkpoint;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;
import dev.numpack.NdArray;
import dev.numpack.DType;
import dev.numpack.djl.DatasetPosition;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Everything one checkpoint holds, taken from a model and optimizer at one instant: the arrays by their
 * store names ({@code param.<name>}, {@code optim.<state>.<name>}) and the description ({@link Meta}).
 *
 * <p>A snapshot for a background write owns copies of the tensors' bytes, so that training may change
 * the tensors as soon as {@link #take} returns. A snapshot written at once views the tensors' memory
 * directly where the engine allows it (PyTorch on the CPU): no copy between the tensor and the file.
 */
final class Snapshot {
    static final String PARAM = "param.";
    static final String OPTIM = "optim.";
    static final String META = "meta";
    static final String META_CRC = "meta.crc32c";

    final long step;
    final Map<String, NdArray> arrays;
    final Meta meta;
    final List<NDArray> temporaries; // CPU copies of off-CPU tensors, closed after the write

    private Snapshot(long step, Map<String, NdArray> arrays, Meta meta, List<NDArray> temporaries) {
        this.step = step;
        this.arrays = arrays;
        this.meta = meta;
        this.temporaries = temporaries;
    }

    /**
     * @param model the model, initialized
     * @param optimizer its optimizer, or {@code null} to save weights only
     * @param state epoch, step, metrics, position, seeds
     * @param sequence the write order of this checkpoint in its directory
     * @param copy whether to copy the tensors' bytes (for a background write)
     * @param where the manager's directory, for messages
     */
    static Snapshot take(Model model, Optimizer optimizer, TrainingState state, long sequence, boolean copy,
            Path where) {
        Map<String, NdArray> arrays = new LinkedHashMap<>();
        List<NDArray> temporaries = new ArrayList<>();
        Meta meta = new Meta();
        meta.sequence = sequence;
        meta.step = state.step();
        meta.epoch = state.epoch();
        meta.metrics.putAll(state.metrics());
        meta.seeds.putAll(state.seeds());
        DatasetPosition p = state.position();
        if (p != null) {
            meta.datasetPosition = new Meta.Position();
            meta.datasetPosition.epoch = p.epoch();
            meta.datasetPosition.batch = p.batch();
            meta.datasetPosition.sampling = p.sampling();
        }
        meta.createdAt = Instant.now().toString();
        meta.model.name = model.getName();
        meta.model.block = String.valueOf(model.getBlock());
        meta.model.djlVersion = Engine.getDjlVersion();
        meta.model.engine = model.getNDManager().getEngine().getEngineName();
        Map<String, String> nameOfId = new HashMap<>();
        try {
            for (Pair<String, Parameter> e : model.getBlock().getParameters()) {
                String name = e.getKey();
                Parameter param = e.getValue();
                nameOfId.put(param.getId(), name);
                NDArray a = param.getArray();
                Meta.Parameter d = new Meta.Parameter();
                d.name = name;
                d.shape = a.getShape().getShape();
                d.dtype = a.getDataType().toString();
                meta.model.parameters.add(d);
                put(arrays, meta, PARAM + name, a, copy, temporaries, where);
            }
            if (optimizer != null) {
                meta.optimizer = new Meta.Optimizer();
                meta.optimizer.type = optimizer.getClass().getName();
                meta.optimizer.numUpdate = OptimizerState.numUpdate(optimizer);
                for (String s : OptimizerState.stateNames(optimizer)) {
                    meta.optimizer.states.add(s);
                    for (Map.Entry<String, NDArray> st : OptimizerState.read(optimizer, s).entrySet()) {
                        String name = nameOfId.get(st.getKey());
                        if (name != null) { // state of a parameter no longer in the model is not kept
                            put(arrays, meta, OPTIM + s + "." + name, st.getValue(), copy, temporaries, where);
                        }
                    }
                }
                OptimizerState.updateCounts(optimizer).forEach((id, n) -> {
                    String name = nameOfId.get(id);
                    if (name != null) {
                        meta.optimizer.updateCounts.put(name, n);
                    }
                });
            }
        } catch (RuntimeException e) {
            temporaries.forEach(NDArray::close);
            throw e;
        }
        // one CRC32C pass per array, on all cores: the arrays are independent
        arrays.entrySet().parallelStream().forEach(e -> meta.arrays.get(e.getKey()).crc32c = crc(e.getValue().buffer()));
        return new Snapshot(state.step(), arrays, meta, temporaries);
    }

    private static void put(Map<String, NdArray> arrays, Meta meta, String name, NDArray a, boolean copy,
            List<NDArray> temporaries, Path where) {
        DType t = DTypes.toNumPack(a.getDataType());
        if (t == null) {
            throw new CheckpointException(where, name, "DJL type " + a.getDataType()
                    + " has no NumPack counterpart to save it as", null);
        }
        NDArray cpu = a;
        if (!Device.Type.CPU.equals(a.getDevice().getDeviceType())) {
            cpu = a.toDevice(Device.cpu(), true);
            temporaries.add(cpu);
        }
        ByteBuffer bytes = cpu.toByteBuffer(true);
        long[] shape = a.getShape().getShape();
        NdArray array = bytes.isDirect() && !copy
                ? NdArray.wrap(t, shape, bytes)
                : NdArray.copyOf(t, shape, bytes);
        arrays.put(name, array);
        Meta.ArrayMeta am = new Meta.ArrayMeta();
        am.dtype = t.numpyName();
        am.shape = shape;
        meta.arrays.put(name, am); // its crc32c is filled in by take(), all arrays at once
    }

    /** @return the CRC32C of the buffer's remaining bytes, as 8 hex digits */
    static String crc(ByteBuffer bytes) {
        CRC32C c = new CRC32C();
        c.update(bytes.duplicate());
        return String.format("%08x", c.getValue());
    }

    /** Releases CPU copies made of off-CPU tensors. */
    void release() {
        temporaries.forEach(NDArray::close);
        temporaries.clear();
    }
}
