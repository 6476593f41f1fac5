package dev.numpack.reliability.fuzz;

import dev.numpack.Durability;
import dev.numpack.NumPack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One fuzz case from start to end: copy the template store into a fresh {@link CaseDir}, damage the store or
 * write a damaged input, remember the bait, run the read paths (and on half of the cases the write paths),
 * then check that a store that opened before the writes still opens, and that nothing outside the store
 * changed. Runs on a worker thread that {@link FuzzChild} abandons when it outlives its time limit.
 */
final class CaseRun implements Runnable {
    final FuzzCase c;
    final Recorder rec = new Recorder();
    private final CaseDir dir;
    private final Path template;
    volatile String description = "(not mutated yet)";
    volatile boolean done;

    CaseRun(FuzzCase c, CaseDir dir, Path template) {
        this.c = c;
        this.dir = dir;
        this.template = template;
    }

    @Override
    public void run() {
        try {
            execute();
        } catch (Throwable t) {
            rec.note("fuzzer: " + rec.current, Outcome.FAULT, t); // the fuzzer's own failure must be seen too
        } finally {
            done = true;
        }
    }

    private void execute() throws Exception {
        SplittableRandom r = c.random();
        CaseDir.copyTree(template, dir.store);
        Path validNpy = dir.in.resolve("valid.npy");
        Files.write(validNpy, new InputMutator(new SplittableRandom(c.seed() + 1)).npy(false));
        Path input = null;
        if (c.kind().store) {
            description = new StoreMutator(dir, r).mutate(c.kind());
        } else {
            InputMutator m = new InputMutator(r);
            input = m.write(c.kind(), dir.in);
            description = m.what();
        }
        dir.rememberBait();
        if (input != null) {
            new InputPaths(rec).reads(c.kind(), input);
        }
        StorePaths paths = new StorePaths(rec, dir.out);
        if (c.kind().store) {
            NumPack ro = rec.call("openReadOnly", null, () -> NumPack.openReadOnly(dir.store));
            if (ro != null) {
                paths.reads(ro, "read-only", r);
                rec.run("read-only close", null, ro::close);
            }
        }
        boolean writes = c.writes();
        if (c.kind().store || writes) {
            Durability d = r.nextInt(8) == 0 ? Durability.FSYNC : Durability.NO_FSYNC;
            NumPack w = rec.call("open " + d, null, () -> NumPack.builder().setPath(dir.store).optDurability(d).build());
            if (w != null) {
                if (c.kind().store) {
                    paths.names(w, "writable");
                    rec.run("writable verify", null, w::verify);
                }
                if (writes) {
                    if (input != null) {
                        new InputPaths(rec).imports(c.kind(), w, input);
                    } else {
                        paths.writes(w, r, validNpy);
                    }
                }
                rec.run("writable close", null, w::close);
                if (writes) {
                    stillOpens();
                }
            }
        }
        rec.current = "outside check";
        List<String> outside = dir.outsideChanges();
        if (!outside.isEmpty()) {
            rec.note("outside: " + outside, Outcome.OUTSIDE_WRITE, null);
        }
    }

    /** A store that opened before the writes must open after them, read-only and writable. */
    private void stillOpens() {
        for (boolean writable : new boolean[] {false, true}) {
            String what = "reopen " + (writable ? "writable" : "read-only") + " after writes";
            rec.current = what;
            try (NumPack np = writable ? NumPack.open(dir.store) : NumPack.openReadOnly(dir.store)) {
                np.names();
            } catch (Throwable t) {
                rec.note(what, t instanceof OutOfMemoryError ? Outcome.OOM : Outcome.UNOPENABLE, t);
            }
        }
    }
}
