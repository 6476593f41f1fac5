package dev.numpack.model;

import java.util.Map;
import java.util.TreeMap;

/** The in-memory model of a whole store: arrays by name, sorted as {@code NumPack.names()} sorts them. */
public final class StoreModel {
    final TreeMap<String, ArrayModel> arrays = new TreeMap<>();

    /** @return the arrays by name (live, mutable) */
    public Map<String, ArrayModel> arrays() {
        return arrays;
    }

    /** @param name array @return its model or {@code null} */
    public ArrayModel get(String name) {
        return arrays.get(name);
    }

    /** @return an independent deep copy */
    public StoreModel deepCopy() {
        StoreModel m = new StoreModel();
        for (Map.Entry<String, ArrayModel> e : arrays.entrySet()) {
            m.arrays.put(e.getKey(), e.getValue().deepCopy());
        }
        return m;
    }

    /** @return the logical state as comparable snapshots */
    public TreeMap<String, Snap> snaps() {
        TreeMap<String, Snap> out = new TreeMap<>();
        for (Map.Entry<String, ArrayModel> e : arrays.entrySet()) {
            ArrayModel a = e.getValue();
            out.put(e.getKey(), new Snap(a.dtype(), a.shape(), a.deletedRows(), a.logicalBytes()));
        }
        return out;
    }

    @Override
    public String toString() {
        return arrays.toString();
    }
}
