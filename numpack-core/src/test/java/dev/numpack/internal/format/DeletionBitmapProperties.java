package dev.numpack.internal.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The bitmap against a naive model (a boolean per row) under random sequences of deletes and appends:
 * live count, logical-to-physical mapping and both encodings must agree with the model after every step.
 */
class DeletionBitmapProperties {

    /** One step: a positive value appends that many rows, a negative one deletes row (-v - 1) % rows. */
    @Provide
    Arbitrary<List<Integer>> steps() {
        return Arbitraries.integers().between(-5000, 150).list().ofMaxSize(60);
    }

    @Property(tries = 400)
    void agreesWithNaiveModel(@ForAll @IntRange(min = 0, max = 300) int initial, @ForAll("steps") List<Integer> steps) {
        List<Boolean> model = new ArrayList<>();
        for (int i = 0; i < initial; i++) {
            model.add(true);
        }
        DeletionBitmap bm = DeletionBitmap.allLive(initial);
        check(model, bm);
        for (int s : steps) {
            if (s >= 0) {
                for (int i = 0; i < s; i++) {
                    model.add(true);
                }
                bm = bm.extendedBy(s);
            } else if (!model.isEmpty()) {
                int row = (-s - 1) % model.size();
                model.set(row, false);
                bm = bm.withDeleted(new long[] {row});
            }
            check(model, bm);
        }
        ByteBuffer enc = bm.encode();
        assertEquals(bm, DeletionBitmap.decode(enc, model.size()));
        ByteBuffer legacy = enc.duplicate().position(16).slice();
        assertEquals(bm, DeletionBitmap.decode(legacy, model.size()));
    }

    private static void check(List<Boolean> model, DeletionBitmap bm) {
        assertEquals(model.size(), bm.totalRows());
        List<Long> live = new ArrayList<>();
        for (int i = 0; i < model.size(); i++) {
            assertEquals(model.get(i), bm.isLive(i), "row " + i);
            if (model.get(i)) {
                live.add((long) i);
            }
        }
        assertEquals(live.size(), bm.liveRows());
        assertEquals(model.size() - live.size(), bm.deletedRows());
        for (int i = 0; i < live.size(); i++) {
            assertEquals((long) live.get(i), bm.physicalRow(i));
        }
        DeletionBitmap finalBm = bm;
        assertThrows(IndexOutOfBoundsException.class, () -> finalBm.physicalRow(live.size()));
    }

    @Property(tries = 300)
    void batchDeleteEqualsSequentialDeletes(@ForAll @IntRange(min = 1, max = 500) int rows,
            @ForAll("rowPicks") List<Integer> picks) {
        long[] batch = new long[picks.size()];
        DeletionBitmap seq = DeletionBitmap.allLive(rows);
        for (int i = 0; i < picks.size(); i++) {
            batch[i] = picks.get(i) % rows;
            seq = seq.withDeleted(new long[] {batch[i]});
        }
        assertEquals(seq, DeletionBitmap.allLive(rows).withDeleted(batch));
    }

    @Provide
    Arbitrary<List<Integer>> rowPicks() {
        return Arbitraries.integers().between(0, 10_000).list().ofMaxSize(200);
    }
}
