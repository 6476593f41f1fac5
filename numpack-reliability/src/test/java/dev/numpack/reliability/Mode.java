package dev.numpack.reliability;

/**
 * How hard the suite tortures: {@link #CI} inside {@code mvn verify} (minutes), {@link #LONG} for the figures of
 * the README (set {@code -Dnumpack.reliability=long}). Each suite picks its case counts with {@link #pick}.
 */
public enum Mode {
    /** The short mode that runs in every CI build. */
    CI,
    /** The long mode whose figures the README reports. */
    LONG;

    /** @return the mode of this run, from the system property {@code numpack.reliability} */
    public static Mode current() {
        String v = System.getProperty("numpack.reliability", "ci").trim();
        switch (v) {
            case "ci":
            case "":
                return CI;
            case "long":
                return LONG;
            default:
                throw new IllegalArgumentException(
                        "numpack.reliability must be ci or long, not '" + v + "'");
        }
    }

    /**
     * @param ci the count in CI mode
     * @param longRun the count in long mode
     * @return the count for this mode
     */
    public int pick(int ci, int longRun) {
        return this == CI ? ci : longRun;
    }
}
