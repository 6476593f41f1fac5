package dev.numpack.reliability.crash;

import dev.numpack.model.OpFactory;
import dev.numpack.model.Step;
import dev.numpack.model.Step.Kind;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;

/**
 * The endless, deterministic operation sequence of a crash child: steps drawn from a seeded random source
 * with the weights of a {@link Mix}. The parent replays it to know every state the store may be in.
 */
final class Workload {
    /** Which operations a trial exercises. */
    enum Mix {
        /** Single-array operations: save (new, overwrite), append, replace, delete, compact, drop, clone. */
        SINGLE(Map.of(Kind.SAVE_NEW, 8, Kind.SAVE_OVERWRITE, 6, Kind.SAVE_MULTI, 2, Kind.APPEND, 12, Kind.APPEND_BIG, 3,
                Kind.APPEND_MULTI, 3, Kind.REPLACE, 10, Kind.DELETE, 8, Kind.COMPACT, 6, Kind.DROP, 3)),
        /** BatchMode and writable-batch commits of several arrays, with some setup operations. */
        BATCHES(Map.of(Kind.SAVE_NEW, 5, Kind.APPEND, 4, Kind.APPEND_BIG, 1, Kind.DELETE, 3, Kind.COMPACT, 2,
                Kind.BATCH, 12, Kind.WBATCH, 10, Kind.SAVE_MULTI, 2)),
        /** Segmented arrays: big appends crossing segments, replace, delete, compact, overwrite. */
        SEGMENTED(Map.of(Kind.SAVE_NEW, 6, Kind.SAVE_OVERWRITE, 4, Kind.APPEND, 6, Kind.APPEND_BIG, 10,
                Kind.APPEND_MULTI, 3, Kind.REPLACE, 8, Kind.DELETE, 5, Kind.COMPACT, 5, Kind.WBATCH, 3, Kind.DROP, 2)),
        /** New segmented arrays saved and dropped over and over (many segment files per save). */
        SEGMENTED_SAVES(Map.of(Kind.SAVE_NEW, 10, Kind.DROP, 5, Kind.SAVE_OVERWRITE, 4, Kind.APPEND_BIG, 3,
                Kind.CLONE, 2, Kind.COMPACT, 1, Kind.DELETE, 2)),
        /**
         * Streams of small appends (committed through the append log), with the commits that apply the log to
         * the metadata mixed in: replace, save, delete (after which appends to that array commit whole).
         */
        APPENDS(Map.of(Kind.APPEND, 14, Kind.APPEND_MULTI, 5, Kind.REPLACE, 2, Kind.SAVE_NEW, 2, Kind.DELETE, 1,
                Kind.COMPACT, 1)),
        /** Everything, including clone, compactAll and closing/reopening the store. */
        MIXED(mixed());

        final Map<Kind, Integer> weights;

        Mix(Map<Kind, Integer> weights) {
            this.weights = new EnumMap<>(weights);
        }

        private static Map<Kind, Integer> mixed() {
            Map<Kind, Integer> m = new EnumMap<>(Kind.class);
            m.put(Kind.SAVE_NEW, 8);
            m.put(Kind.SAVE_OVERWRITE, 5);
            m.put(Kind.SAVE_MULTI, 2);
            m.put(Kind.APPEND, 10);
            m.put(Kind.APPEND_BIG, 4);
            m.put(Kind.APPEND_MULTI, 2);
            m.put(Kind.REPLACE, 8);
            m.put(Kind.DELETE, 6);
            m.put(Kind.COMPACT, 4);
            m.put(Kind.COMPACT_ALL, 1);
            m.put(Kind.DROP, 3);
            m.put(Kind.CLONE, 3);
            m.put(Kind.BATCH, 6);
            m.put(Kind.WBATCH, 5);
            m.put(Kind.REOPEN, 2);
            return m;
        }
    }

    private final Random r;
    private final Mix mix;
    private final int total;

    Workload(long seed, Mix mix) {
        this.r = new Random(seed);
        this.mix = mix;
        int t = 0;
        for (int w : mix.weights.values()) {
            t += w;
        }
        this.total = t;
    }

    /** @return the next step */
    Step next() {
        int x = r.nextInt(total);
        Kind kind = null;
        for (Map.Entry<Kind, Integer> e : mix.weights.entrySet()) {
            x -= e.getValue();
            if (x < 0) {
                kind = e.getKey();
                break;
            }
        }
        return new Step(kind, r.nextInt(1_000_000), r.nextInt(1_000_000), r.nextInt(1_000_000), r.nextLong());
    }

    /**
     * @param segmentTarget the child's segment target (reopens keep it)
     * @param small smaller arrays (for long runs)
     * @return the operation settings of a crash child
     */
    static OpFactory.Config config(long segmentTarget, boolean small) {
        OpFactory.Config c = OpFactory.Config.crash();
        c.reopenSegmentTargets = new long[] {segmentTarget};
        if (small) {
            c.smallRows = 20;
            c.bigRows = 200;
            c.capRows = 600;
        }
        return c;
    }
}
