package dev.numpack.spark;

/** Reads what a failed Spark action said, through its chain of causes (Spark wraps task errors). */
final class Failures {
    private Failures() {}

    /** @return the messages of {@code t} and all its causes, one per line */
    static String messages(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append('\n');
        }
        return b.toString();
    }
}
