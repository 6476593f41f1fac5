package dev.numpack.checkpoint;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.training.optimizer.Adadelta;
import ai.djl.training.optimizer.Adagrad;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.optimizer.AdamW;
import ai.djl.training.optimizer.Nag;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.optimizer.RmsProp;
import ai.djl.training.optimizer.Sgd;
import java.lang.reflect.Field;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads and writes the private state of DJL 0.36's optimizers.
 *
 * <p>DJL keeps an optimizer's moments in private maps keyed by {@code Parameter.getId()}, a random id that
 * changes every run, and its update counts in private fields of {@link Optimizer}; none of it is saved by
 * {@code Model.save}. This class reaches them by reflection, by field name, for the optimizers it knows,
 * and translates the keys to parameter names, which are stable. An optimizer of another class is refused
 * rather than half saved.
 */
final class OptimizerState {
    /** The per-parameter state maps of each supported optimizer, by field name. */
    private static final Map<Class<?>, List<String>> STATES = Map.of(
            Adam.class, List.of("means", "variances"),
            AdamW.class, List.of("means", "variances"),
            Sgd.class, List.of("momentumStates"),
            Nag.class, List.of("momentumStates"),
            RmsProp.class, List.of("means", "variances", "momentums"),
            Adagrad.class, List.of("history"),
            Adadelta.class, List.of("accumG", "accumDelta"));

    private OptimizerState() {}

    /** @return whether this optimizer's state can be saved */
    static boolean supports(Optimizer optimizer) {
        return STATES.containsKey(optimizer.getClass());
    }

    /** @return the names of the optimizer's per-parameter states, e.g. {@code [means, variances]} */
    static List<String> stateNames(Optimizer optimizer) {
        List<String> names = STATES.get(optimizer.getClass());
        if (names == null) {
            throw new IllegalArgumentException("optimizer " + optimizer.getClass().getName() + " is not one of "
                    + "Adam, AdamW, Sgd, Nag, RmsProp, Adagrad, Adadelta: its state cannot be saved");
        }
        return names;
    }

    /**
     * @param optimizer the optimizer
     * @param state one of {@link #stateNames}
     * @return parameter id to its state array (on one device; DJL keeps a copy per device)
     */
    static Map<String, NDArray> read(Optimizer optimizer, String state) {
        Map<String, Map<Device, NDArray>> map = stateMap(optimizer, state);
        Map<String, NDArray> out = new LinkedHashMap<>();
        map.forEach((id, perDevice) -> {
            if (!perDevice.isEmpty()) {
                out.put(id, perDevice.values().iterator().next());
            }
        });
        return out;
    }

    /**
     * Replaces a state: afterwards the optimizer holds exactly {@code arrays}, each on its device.
     *
     * @param arrays parameter id to the array
     */
    static void write(Optimizer optimizer, String state, Map<String, NDArray> arrays) {
        Map<String, Map<Device, NDArray>> map = stateMap(optimizer, state);
        // the replaced arrays are detached (owned by nobody): free their native memory now
        map.values().forEach(perDevice -> perDevice.values().forEach(NDArray::close));
        map.clear();
        arrays.forEach((id, a) -> {
            Map<Device, NDArray> perDevice = new ConcurrentHashMap<>();
            perDevice.put(a.getDevice(), a);
            map.put(id, perDevice);
        });
    }

    /** @return parameter id to updates applied to it */
    static Map<String, Integer> updateCounts(Optimizer optimizer) {
        return new LinkedHashMap<>(updateCountMap(optimizer));
    }

    /** Replaces the per-parameter update counts. */
    static void setUpdateCounts(Optimizer optimizer, Map<String, Integer> counts) {
        Map<String, Integer> map = updateCountMap(optimizer);
        map.clear();
        map.putAll(counts);
    }

    /** @return the optimizer's global update count ({@code numUpdate}) */
    static int numUpdate(Optimizer optimizer) {
        try {
            return field(Optimizer.class, "numUpdate").getInt(optimizer);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sets the optimizer's global update count. */
    static void setNumUpdate(Optimizer optimizer, int value) {
        try {
            field(Optimizer.class, "numUpdate").setInt(optimizer, value);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Integer> updateCountMap(Optimizer optimizer) {
        try {
            return (Map<String, Integer>) field(Optimizer.class, "updateCounts").get(optimizer);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<Device, NDArray>> stateMap(Optimizer optimizer, String state) {
        if (!stateNames(optimizer).contains(state)) {
            throw new IllegalArgumentException(optimizer.getClass().getSimpleName() + " has no state " + state);
        }
        try {
            return (Map<String, Map<Device, NDArray>>) field(optimizer.getClass(), state).get(optimizer);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Field field(Class<?> owner, String name) {
        try {
            Field f = owner.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (NoSuchFieldException e) {
            // DJL renamed its private fields: this version is not the one this class was written for
            throw new IllegalStateException("DJL's " + owner.getName() + " has no field '" + name
                    + "'; checkpoint supports DJL 0.36's optimizers", e);
        }
    }
}
