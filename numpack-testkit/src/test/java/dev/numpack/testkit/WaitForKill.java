package dev.numpack.testkit;

/**
 * A child program for {@link ChildJvmTest}: prints {@code ready} and a count every few milliseconds until
 * it is killed, or until its standard input ends (then it says so on stderr and exits with 4).
 */
public final class WaitForKill {
    private WaitForKill() {}

    /**
     * @param args {@code stdin} to watch standard input, nothing to run until killed
     * @throws Exception never in practice
     */
    public static void main(String[] args) throws Exception {
        System.out.println("ready");
        System.out.flush();
        if (args.length > 0 && args[0].equals("stdin")) {
            while (System.in.read() >= 0) {
                // only the end of input counts
            }
            System.err.println("stdin ended");
            System.exit(4);
        }
        for (long i = 0; ; i++) {
            System.out.println(i);
            System.out.flush();
            Thread.sleep(5);
        }
    }
}
