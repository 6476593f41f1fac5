package dev.numpack.cli;

/** Placeholder entry point, replaced by the CLI work. */
public final class Main {
    private Main() {}

    /** @param args command line */
    public static void main(String[] args) {
        System.out.println("numpack");
    }
}
