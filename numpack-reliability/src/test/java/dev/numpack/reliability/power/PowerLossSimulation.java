package dev.numpack.reliability.power;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Runs operations on a watched tree under a {@link DiskRecorder} and checks the crash states of every recorded
 * instant: at each fsync during an operation, and once after it returned. For each instant it writes up to
 * {@code perInstant} states ({@link CrashStates}: the durable one, the current one, the rest drawn from a seeded
 * generator), skips states already checked against the same expectations, and has the inspector open each one
 * (so recovery runs), verify it and describe its content. A state passes when the acceptance accepts that
 * description given the content before the operation and after it; an instant after the operation returned
 * accepts only the content after it (what returned is durable). The content expected after an operation is
 * what the inspector describes of the current state at that moment.
 */
final class PowerLossSimulation {
    /** Opens a state (recovery runs), verifies it, and describes its content; throws when it cannot. */
    @FunctionalInterface
    interface Inspector {
        String inspect(Path dir) throws Exception;
    }

    /** Whether a crash state's content is one a power loss during the operation may leave. */
    @FunctionalInterface
    interface Acceptance {
        boolean accepts(String state, String before, String after);
    }

    /** One operation on the live tree. */
    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }

    /** The rule for a store: the content before the operation, or after it; nothing else. */
    static final Acceptance BEFORE_OR_AFTER = (state, before, after) -> state.equals(before) || state.equals(after);

    private final Path scratch;
    private final Random rnd;
    private final int perInstant;
    private final Figures figures;
    private final Path keptFailures;
    private long made;
    private int kept;

    /**
     * @param scratch where states are written and removed again (the recorder skips fsyncs there)
     * @param seed the generator's seed: the same seed checks the same states
     * @param perInstant states written per instant (at least 2: the durable and the current one)
     * @param figures where the counts go
     * @param keptFailures where the first failing states are copied for inspection
     */
    PowerLossSimulation(Path scratch, long seed, int perInstant, Figures figures, Path keptFailures) {
        this.scratch = scratch;
        this.rnd = new Random(seed);
        this.perInstant = perInstant;
        this.figures = figures;
        this.keptFailures = keptFailures;
    }

    /**
     * Starts recording a tree: what it holds now is durable, and is the content before the first step.
     *
     * @param root the tree (it must exist)
     * @param inspector how a state is opened and described
     * @param acceptance which content a state during a step may show
     * @return the recording; close it when done (it stops recording)
     */
    Recording record(Path root, Inspector inspector, Acceptance acceptance) throws Exception {
        return new Recording(root, inspector, acceptance);
    }

    /** One recorded tree, driven step by step. */
    final class Recording implements AutoCloseable {
        private final DiskRecorder recorder;
        private final Inspector inspector;
        private final Acceptance acceptance;
        private final Set<String> checked = new HashSet<>();
        private final List<String> labels = new ArrayList<>();
        private String before;

        private Recording(Path root, Inspector inspector, Acceptance acceptance) throws Exception {
            this.inspector = inspector;
            this.acceptance = acceptance;
            this.recorder = new DiskRecorder(root, scratch);
            this.before = expected(recorder.capture("start"));
        }

        /**
         * Runs one operation and checks the states of every instant it recorded.
         *
         * @param operation the operation's kind, as the figures count it
         * @param action the operation
         */
        void step(String operation, Action action) throws Exception {
            List<DiskImage> during = new ArrayList<>();
            recorder.onFsync(during::add);
            try {
                action.run();
            } finally {
                recorder.onFsync(image -> { });
            }
            DiskImage after = recorder.capture("after it returned");
            String expected = expected(after);
            for (DiskImage image : during) {
                labels.add(image.label());
                check(operation, image, before, expected);
            }
            check(operation, after, expected, expected);
            before = expected;
        }

        /**
         * Injects a fault of the code under test: its syncs whose label starts with {@code labelPrefix} take no
         * effect from now on (see {@link DiskRecorder#drop}).
         *
         * @param labelPrefix how the labels of the dropped syncs start
         */
        void dropSyncs(String labelPrefix) {
            recorder.drop(labelPrefix);
        }

        /**
         * @param prefix how a label starts ("msync numpack.appends", "fsync dir .")
         * @return how many instants recorded during the steps so far have such a label: what shows that a
         *     scenario went through the sync it means to check
         */
        long instants(String prefix) {
            return labels.stream().filter(l -> l.startsWith(prefix)).count();
        }

        /** The content of the tree as it is now (the current state, every change applied). */
        private String expected(DiskImage image) throws Exception {
            Path dir = fresh();
            try {
                new CrashStates(image).write(1, rnd, dir);
                return inspector.inspect(dir);
            } finally {
                deleteTree(dir);
            }
        }

        private void check(String operation, DiskImage image, String before, String after) throws IOException {
            figures.instant(operation);
            CrashStates states = new CrashStates(image);
            for (int v = 0; v < perInstant; v++) {
                Path dir = fresh();
                try {
                    String fingerprint = states.write(v, rnd, dir);
                    if (!checked.add(fingerprint + " " + before + " " + after)) {
                        continue; // the same state under the same expectations: counted once
                    }
                    String failure;
                    try {
                        String got = inspector.inspect(dir);
                        failure = acceptance.accepts(got, before, after) ? null
                                : "content is neither the state before nor after it:\n  got    " + got
                                        + "\n  before " + before + "\n  after  " + after;
                    } catch (Exception | AssertionError e) {
                        failure = "the store failed: " + e;
                    }
                    if (failure != null) {
                        failure = "at '" + image.label() + "', variant " + v + " (" + states.units()
                                + " unsynced name changes): " + failure + keep(dir);
                    }
                    figures.state(operation, failure);
                } finally {
                    deleteTree(dir);
                }
            }
        }

        @Override
        public void close() throws Exception {
            recorder.close();
        }
    }

    private Path fresh() throws IOException {
        return Files.createDirectories(scratch.resolve("state-" + made++));
    }

    /** Copies a failing state aside (the first few), so that it can be opened by hand. */
    private String keep(Path dir) throws IOException {
        if (kept >= Figures.KEPT) {
            return "";
        }
        Path to = keptFailures.resolve("failure-" + kept++);
        deleteTree(to);
        Files.createDirectories(to);
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
                Files.createDirectories(to.resolve(dir.relativize(d).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                Files.copy(f, to.resolve(dir.relativize(f).toString()), StandardCopyOption.REPLACE_EXISTING);
                return FileVisitResult.CONTINUE;
            }
        });
        return " (kept in " + to + ")";
    }

    static void deleteTree(Path root) {
        dev.numpack.testkit.TestFiles.deleteTree(root);
    }
}
