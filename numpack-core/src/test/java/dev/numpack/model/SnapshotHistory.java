package dev.numpack.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The states of a replayed sequence, kept to judge what a read-only snapshot may show while the writer goes
 * on committing (the contract in {@code NumPack}'s javadoc: "each holds one consistent snapshot ... Rows the
 * writer replaces in place show through").
 *
 * <p>A snapshot of state {@code m} keeps state {@code m}'s names, dtypes, shapes and deletions, and maps the
 * data files its arrays lived in then: their {@link ArrayModel.Generation}s. Later commits write into those
 * files only in place: {@code replace}, and a batch commit that kept an array's shape and changed few of its
 * rows ({@link ArrayModel#committedByBatch}). Whatever else keeps the files writes no row the snapshot sees:
 * an append (of one array or of several in one commit) writes past its end, a logical delete (by
 * {@code delete} or a batch that only deletes) writes a new bitmap. A save, compaction or clone writes new
 * files, which the snapshot does not map. So the generation, not the name of the operation, says what shows
 * through: each row of the snapshot is physical row {@code p} of its array's generation in state {@code m},
 * and may hold any value that physical row of that generation held in a state from {@code m} to the last
 * one that may have started before the snapshot was read ({@code hi}); a commit in flight may show some of
 * its rows and not others. Nothing else: not a row of another physical index, not bytes no state held.
 */
public final class SnapshotHistory {
    /** One array in one state: its generation and the physical rows live in it. */
    private record Placed(ArrayModel.Generation gen, int[] livePhysical) { }

    private final List<TreeMap<String, Snap>> snaps = new ArrayList<>();
    private final List<Map<String, Placed>> placed = new ArrayList<>();
    /** Per state: each generation's physical rows as they were then (rows are never changed in place). */
    private final List<Map<ArrayModel.Generation, List<byte[]>>> rows = new ArrayList<>();
    private final Map<String, Integer> firstByDigest = new HashMap<>();
    private final List<String> digests = new ArrayList<>();

    /**
     * Records the next state (the first call records state 0).
     *
     * @param model the model after the operations so far
     */
    public void record(StoreModel model) {
        TreeMap<String, Snap> s = model.snaps();
        Map<String, Placed> p = new HashMap<>();
        Map<ArrayModel.Generation, List<byte[]>> r = new IdentityHashMap<>();
        for (Map.Entry<String, ArrayModel> e : model.arrays().entrySet()) {
            ArrayModel a = e.getValue();
            p.put(e.getKey(), new Placed(a.gen, a.livePhysical()));
            r.computeIfAbsent(a.gen, g -> new ArrayList<>(g.phys));
        }
        String digest = Snap.digest(s);
        firstByDigest.putIfAbsent(digest, snaps.size());
        digests.add(digest);
        snaps.add(s);
        placed.add(p);
        rows.add(r);
    }

    /** @return how many states were recorded */
    public int size() {
        return snaps.size();
    }

    /** @param k a state @return its observable content */
    public TreeMap<String, Snap> state(int k) {
        return snaps.get(k);
    }

    /** @param k a state @return {@link Snap#digest} of it */
    public String digest(int k) {
        return digests.get(k);
    }

    /** @param digest a {@link Snap#digest} @return the first state with it, or {@code null} */
    public Integer firstWith(String digest) {
        return firstByDigest.get(digest);
    }

    /**
     * @param seen what a read-only snapshot showed
     * @param m the state it was taken at
     * @param hi the last state whose commit may have started before the snapshot was read, {@code >= m}
     * @return whether {@code seen} is state {@code m} with rows that commits up to {@code hi} wrote in place
     *     into state {@code m}'s files showing through (see the class comment)
     */
    public boolean shows(Map<String, Snap> seen, int m, int hi) {
        TreeMap<String, Snap> base = snaps.get(m);
        if (!seen.keySet().equals(base.keySet())) {
            return false;
        }
        for (Map.Entry<String, Snap> e : seen.entrySet()) {
            Snap got = e.getValue();
            if (!got.sameStructure(base.get(e.getKey()))) {
                return false;
            }
            Placed at = placed.get(m).get(e.getKey());
            for (int r = 0; r < at.livePhysical().length; r++) {
                if (!heldBetween(at.gen(), at.livePhysical()[r], got.row(r), m, hi)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether physical row {@code p} of {@code gen} held {@code bytes} in some state of {@code m..hi}. */
    private boolean heldBetween(ArrayModel.Generation gen, int p, byte[] bytes, int m, int hi) {
        for (int k = m; k <= hi && k < rows.size(); k++) {
            List<byte[]> then = rows.get(k).get(gen);
            if (then != null && p < then.size() && Arrays.equals(then.get(p), bytes)) {
                return true;
            }
        }
        return false;
    }
}
