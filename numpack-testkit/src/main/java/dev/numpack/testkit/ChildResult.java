package dev.numpack.testkit;

import java.util.List;

/**
 * How a child JVM ended.
 *
 * @param exitCode its exit code ({@link ChildJvm#KILLED_EXIT} when it died of SIGKILL)
 * @param out what it wrote on standard output
 * @param err what it wrote on standard error
 */
public record ChildResult(int exitCode, String out, String err) {
    /** @return the lines of standard output, without line terminators */
    public List<String> lines() {
        return out.lines().toList();
    }

    /**
     * @return this
     * @throws AssertionError if the child did not exit with 0; the message holds its standard error
     */
    public ChildResult assertSuccess() {
        if (exitCode != 0) {
            throw new AssertionError("the child exited with " + exitCode + "; stderr:\n" + err + "\nstdout:\n" + out);
        }
        return this;
    }
}
