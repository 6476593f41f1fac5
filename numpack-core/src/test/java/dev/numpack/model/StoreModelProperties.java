package dev.numpack.model;

import static dev.numpack.model.Step.Kind.APPEND;
import static dev.numpack.model.Step.Kind.APPEND_BIG;
import static dev.numpack.model.Step.Kind.APPEND_MULTI;
import static dev.numpack.model.Step.Kind.BATCH;
import static dev.numpack.model.Step.Kind.CLONE;
import static dev.numpack.model.Step.Kind.COMPACT;
import static dev.numpack.model.Step.Kind.COMPACT_ALL;
import static dev.numpack.model.Step.Kind.DELETE;
import static dev.numpack.model.Step.Kind.DROP;
import static dev.numpack.model.Step.Kind.INVALID;
import static dev.numpack.model.Step.Kind.REOPEN;
import static dev.numpack.model.Step.Kind.REPLACE;
import static dev.numpack.model.Step.Kind.SAVE_MULTI;
import static dev.numpack.model.Step.Kind.SAVE_NEW;
import static dev.numpack.model.Step.Kind.SAVE_OVERWRITE;
import static dev.numpack.model.Step.Kind.VIEW_OPEN;
import static dev.numpack.model.Step.Kind.WBATCH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.numpack.ArrayInfo;
import dev.numpack.Durability;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.ReadOnlyStoreException;
import dev.numpack.internal.store.FileOps;
import dev.numpack.internal.store.Journal;
import dev.numpack.internal.store.StoreLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Random operation sequences run against a real store in a temp directory and against {@link StoreModel};
 * after every step the store's names, shapes, dtypes, infos and contents (load, gather, lazy gather and
 * slices, readRows, stream chunks), and what open lazy views show, must equal the model. Invalid
 * operations must throw {@code InvalidArgumentException} / {@code ArrayNotFoundException} and change
 * nothing.
 */
class StoreModelProperties {

    // ------------------------------------------------------------------ properties

    @Property(tries = 150, shrinking = ShrinkingMode.BOUNDED)
    void randomSequencesMatchTheModel(@ForAll("mixed") List<Step> steps, @ForAll("segmentTargets") long segmentTarget,
            @ForAll("durabilities") Durability durability) throws Exception {
        runSequence(steps, segmentTarget, durability);
    }

    @Property(tries = 60, shrinking = ShrinkingMode.BOUNDED)
    void invalidOperationsThrowAndChangeNothing(@ForAll("mostlyInvalid") List<Step> steps,
            @ForAll("segmentTargets") long segmentTarget) throws Exception {
        runSequence(steps, segmentTarget, Durability.NO_FSYNC);
    }

    @Property(tries = 60, shrinking = ShrinkingMode.BOUNDED)
    void batchesCommitAllOrNothing(@ForAll("batches") List<Step> steps, @ForAll("segmentTargets") long segmentTarget)
            throws Exception {
        runSequence(steps, segmentTarget, Durability.NO_FSYNC);
    }

    @Property(tries = 60, shrinking = ShrinkingMode.BOUNDED)
    void segmentedArraysMatchTheModel(@ForAll("segmented") List<Step> steps, @ForAll("smallSegmentTargets") long segmentTarget)
            throws Exception {
        runSequence(steps, segmentTarget, Durability.NO_FSYNC);
    }

    @Property(tries = 60, shrinking = ShrinkingMode.BOUNDED)
    void lazyViewsKeepTheirSnapshot(@ForAll("views") List<Step> steps, @ForAll("segmentTargets") long segmentTarget)
            throws Exception {
        runSequence(steps, segmentTarget, Durability.NO_FSYNC);
    }

    // ------------------------------------------------------------------ the runner

    static void runSequence(List<Step> steps, long segmentTarget, Durability durability) throws Exception {
        Path tmp = Files.createTempDirectory("np-model");
        Path dir = tmp.resolve("store");
        OpFactory f = new OpFactory(OpFactory.Config.properties());
        StoreModel m = new StoreModel();
        Random r = new Random(steps.hashCode() * 31L + segmentTarget);
        List<String> log = new ArrayList<>();
        try {
            try (StoreSession s = new StoreSession(dir, durability, segmentTarget)) {
                for (int i = 0; i < steps.size(); i++) {
                    Op op = f.make(steps.get(i), m);
                    log.add(i + ": " + op);
                    String ctx = "step " + i + " " + op + "\nsequence so far:\n  " + String.join("\n  ", log);
                    try {
                        op.run(s);
                        op.apply(m);
                        String d = op.toString();
                        Statistics.label("operations").collect(d.startsWith("INVALID") ? "invalid" : d.split(" ")[0]);
                        StoreChecks.assertMatches(s.np, m, r, ctx);
                        StoreChecks.assertViews(s, ctx);
                        if (i % 8 == 7) {
                            try (NumPack ro = NumPack.openReadOnly(dir)) {
                                StoreChecks.assertMatches(ro, m, r, ctx + " (read-only store)");
                                assertThrows(ReadOnlyStoreException.class,
                                        () -> ro.save("x", NdArray.of(new int[] {1})));
                            }
                        }
                    } catch (AssertionError | RuntimeException e) {
                        throw new AssertionError(ctx + "\n-> " + e, e);
                    }
                }
                s.np.verify();
                long segmented = s.np.infos().stream().filter(ArrayInfo::segmented).count();
                Statistics.label("segmented arrays at the end").collect(segmented > 0);
                Statistics.label("steps").collect(steps.size() < 8 ? "<8" : steps.size() < 16 ? "8-15" : "16+");
            }
            // a clean reopen sees the same state, and leaves no temporary file behind
            try (NumPack np = NumPack.open(dir)) {
                StoreChecks.assertMatches(np, m, r, "final reopen after:\n  " + String.join("\n  ", log));
            }
            try (Stream<Path> files = Files.walk(dir)) {
                List<Path> temps = files.filter(p -> p.getFileName().toString().contains(".tmp-np")).toList();
                assertEquals(List.of(), temps, "temporary files left after a clean close");
            }
            assertFalse(new Journal(new StoreLayout(dir.toAbsolutePath().normalize()), new FileOps(false)).present(),
                    "a committed journal left after a clean close");
        } finally {
            deleteTree(tmp);
        }
    }

    static void deleteTree(Path p) {
        dev.numpack.testkit.TestFiles.deleteTree(p);
    }

    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<Long> segmentTargets() {
        return Arbitraries.of(0L, 0L, 48L, 128L, 1024L);
    }

    @Provide
    Arbitrary<Long> smallSegmentTargets() {
        return Arbitraries.of(16L, 48L, 100L, 256L);
    }

    @Provide
    Arbitrary<Durability> durabilities() {
        return Arbitraries.frequency(Tuple.of(4, Durability.NO_FSYNC), Tuple.of(1, Durability.FSYNC));
    }

    @Provide
    Arbitrary<List<Step>> mixed() {
        return steps(24, Tuple.of(10, SAVE_NEW), Tuple.of(5, SAVE_OVERWRITE), Tuple.of(3, SAVE_MULTI),
                Tuple.of(10, APPEND), Tuple.of(3, APPEND_BIG), Tuple.of(3, APPEND_MULTI), Tuple.of(8, REPLACE),
                Tuple.of(8, DELETE), Tuple.of(5, COMPACT), Tuple.of(2, COMPACT_ALL), Tuple.of(3, DROP),
                Tuple.of(3, CLONE), Tuple.of(5, BATCH), Tuple.of(5, WBATCH), Tuple.of(3, REOPEN), Tuple.of(3, VIEW_OPEN),
                Tuple.of(6, INVALID));
    }

    @Provide
    Arbitrary<List<Step>> mostlyInvalid() {
        return steps(20, Tuple.of(6, SAVE_NEW), Tuple.of(3, APPEND), Tuple.of(3, DELETE), Tuple.of(1, REOPEN),
                Tuple.of(2, VIEW_OPEN), Tuple.of(20, INVALID));
    }

    @Provide
    Arbitrary<List<Step>> batches() {
        return steps(16, Tuple.of(6, SAVE_NEW), Tuple.of(3, APPEND), Tuple.of(3, DELETE), Tuple.of(2, COMPACT),
                Tuple.of(2, VIEW_OPEN), Tuple.of(1, REOPEN), Tuple.of(10, BATCH), Tuple.of(8, WBATCH));
    }

    @Provide
    Arbitrary<List<Step>> segmented() {
        return steps(20, Tuple.of(6, SAVE_NEW), Tuple.of(3, SAVE_OVERWRITE), Tuple.of(6, APPEND), Tuple.of(6, APPEND_BIG),
                Tuple.of(2, APPEND_MULTI), Tuple.of(6, REPLACE), Tuple.of(5, DELETE), Tuple.of(4, COMPACT),
                Tuple.of(2, CLONE), Tuple.of(2, DROP), Tuple.of(2, BATCH), Tuple.of(4, WBATCH), Tuple.of(2, REOPEN),
                Tuple.of(2, VIEW_OPEN), Tuple.of(2, INVALID));
    }

    @Provide
    Arbitrary<List<Step>> views() {
        return steps(20, Tuple.of(6, SAVE_NEW), Tuple.of(3, SAVE_OVERWRITE), Tuple.of(6, APPEND), Tuple.of(2, APPEND_BIG),
                Tuple.of(8, REPLACE), Tuple.of(5, DELETE), Tuple.of(4, COMPACT), Tuple.of(2, CLONE), Tuple.of(2, DROP),
                Tuple.of(2, BATCH), Tuple.of(3, WBATCH), Tuple.of(1, REOPEN), Tuple.of(8, VIEW_OPEN));
    }

    @SafeVarargs
    @SuppressWarnings("varargs")
    private static Arbitrary<List<Step>> steps(int maxSize, Tuple.Tuple2<Integer, Step.Kind>... weights) {
        Arbitrary<Step.Kind> kinds = Arbitraries.frequency(weights);
        Arbitrary<Integer> ints = Arbitraries.integers().between(0, 1_000_000);
        Arbitrary<Long> seeds = Arbitraries.longs();
        Arbitrary<Step> step = Combinators.combine(kinds, ints, ints, ints, seeds).as(Step::new);
        return step.list().ofMinSize(maxSize / 2).ofMaxSize(maxSize);
    }
}
