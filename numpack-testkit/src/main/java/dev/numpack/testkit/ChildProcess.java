package dev.numpack.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** A running {@link ChildJvm}: its output as it comes, a {@code kill -9} at any instant, its exit code. */
public final class ChildProcess implements AutoCloseable {
    /** How long a killed child may take to be reaped. */
    private static final long KILL_WAIT_SECONDS = 30;

    private final Process process;
    private final Path stderr;
    private final boolean ownLog;
    private BufferedReader stdout;

    ChildProcess(Process process, Path stderr, boolean ownLog) {
        this.process = process;
        this.stderr = stderr;
        this.ownLog = ownLog;
    }

    /** @return the process */
    public Process process() {
        return process;
    }

    /** @return whether the child is still running */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * @return the child's standard output as UTF-8 text, read as the child writes it; always the same
     *     reader, so that no line it buffered is lost to another
     */
    public synchronized BufferedReader stdout() {
        if (stdout == null) {
            stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }
        return stdout;
    }

    /** @return the file that receives the child's standard error */
    public Path stderrFile() {
        return stderr;
    }

    /** @return what the child wrote on standard error so far (or why it cannot be read), for messages */
    public String stderrText() {
        try {
            return Files.readString(stderr, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }

    /**
     * Kills the child with SIGKILL, as {@code kill -9} does, and waits until it is gone. It is killed
     * through its {@link ProcessHandle}, which, unlike {@link Process#destroyForcibly()}, leaves this end of
     * the output pipe open: what the child wrote before it died can still be read from {@link #stdout()}.
     *
     * @return its exit code: {@link ChildJvm#KILLED_EXIT}, unless it had exited by itself already
     * @throws InterruptedException if interrupted while waiting
     * @throws AssertionError if it is still there 30 seconds later
     */
    public int kill() throws InterruptedException {
        process.toHandle().destroyForcibly();
        if (!process.waitFor(KILL_WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("the child did not die within " + KILL_WAIT_SECONDS + " s of SIGKILL");
        }
        return process.exitValue();
    }

    /**
     * Waits for the child to exit.
     *
     * @param timeout how long
     * @return its exit code
     * @throws InterruptedException if interrupted while waiting
     * @throws AssertionError if it is still running after {@code timeout}: it is killed, and the message
     *     holds its standard error
     */
    public int await(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
            throw new AssertionError("the child ran longer than " + timeout.toMillis() + " ms and was killed; stderr:\n"
                    + stderrText());
        }
        return process.exitValue();
    }

    /**
     * Reads the rest of the child's standard output while it runs, and waits for it to exit.
     *
     * @param timeout how long it may still run
     * @return its exit code, the output not read before through {@link #stdout()}, and its standard error
     * @throws InterruptedException if interrupted while waiting
     * @throws AssertionError as {@link #await} does
     */
    public ChildResult finish(Duration timeout) throws InterruptedException {
        // a thread of its own drains the pipe, so that a child writing more than the pipe holds cannot block
        // (not the common pool: on a small machine it has one thread, which another child could be holding)
        CompletableFuture<String> out = CompletableFuture.supplyAsync(this::readRest, task -> {
            Thread t = new Thread(task, "child-stdout");
            t.setDaemon(true);
            t.start();
        });
        int code = await(timeout);
        try {
            return new ChildResult(code, out.get(KILL_WAIT_SECONDS, TimeUnit.SECONDS), stderrText());
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            // a grandchild that inherited the pipe could keep it open after the child exited
            throw new AssertionError("cannot read the child's output after it exited: " + e, e);
        }
    }

    private String readRest() {
        StringBuilder sb = new StringBuilder();
        char[] buf = new char[8192];
        try {
            for (int n; (n = stdout().read(buf)) >= 0; ) {
                sb.append(buf, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sb.toString();
    }

    /** Kills the child if it still runs, and deletes its standard-error log if {@link ChildJvm} made it. */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } finally {
            if (ownLog) {
                try {
                    Files.deleteIfExists(stderr);
                } catch (IOException ignored) {
                    // a leftover temporary file is harmless
                }
            }
        }
    }
}
