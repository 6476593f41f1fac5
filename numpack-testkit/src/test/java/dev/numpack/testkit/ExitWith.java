package dev.numpack.testkit;

/**
 * A child program for {@link ChildJvmTest}: prints its arguments after the first and a system property
 * to standard output, a line to standard error, and exits with the code its first argument gives.
 */
public final class ExitWith {
    private ExitWith() {}

    /** @param args the exit code, then lines to print */
    public static void main(String[] args) {
        for (int i = 1; i < args.length; i++) {
            System.out.println(args[i]);
        }
        System.out.println("ai.djl.offline=" + System.getProperty("ai.djl.offline"));
        System.out.println("cwd=" + System.getProperty("user.dir"));
        System.err.println("exiting with " + args[0]);
        System.exit(Integer.parseInt(args[0]));
    }
}
