package dev.numpack.model;

/**
 * One operation, built by {@link OpFactory} from a {@link Step} and the model state it runs on: {@link #run}
 * does it on the real store (asserting what it must observe, including the exception of an invalid
 * operation), {@link #apply} does it on the model.
 */
public final class Op {
    /** Runs against the store. */
    public interface Run {
        /** @param s the session @throws Exception on failure */
        void run(StoreSession s) throws Exception;
    }

    /** Applies to the model. */
    public interface Apply {
        /** @param m the model */
        void apply(StoreModel m);
    }

    private final String desc;
    private final Run run;
    private final Apply apply;
    private final boolean mutates;

    Op(String desc, boolean mutates, Run run, Apply apply) {
        this.desc = desc;
        this.mutates = mutates;
        this.run = run;
        this.apply = apply;
    }

    /** @return whether the operation may change the store (a commit) */
    public boolean mutates() {
        return mutates;
    }

    /**
     * @param s the session
     * @throws Exception when the store fails
     */
    public void run(StoreSession s) throws Exception {
        run.run(s);
    }

    /** @param m the model to change */
    public void apply(StoreModel m) {
        apply.apply(m);
    }

    @Override
    public String toString() {
        return desc;
    }
}
