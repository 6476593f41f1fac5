package dev.numpack.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;

/** Entry point of the {@code numpack} command. */
public final class Main {
    private Main() {}

    /** @param args command line */
    public static void main(String[] args) {
        configureLogging(Arrays.asList(args).contains("--debug"));
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs one command in-process.
     *
     * @param args command line
     * @param out standard output
     * @param err standard error (messages and progress bars)
     * @return the exit code: 0 success, 1 failure, 2 usage error
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cmd = newCommandLine(out, err);
        try {
            return cmd.execute(args);
        } catch (Error e) { // not an Exception: picocli lets it through
            return ErrorHandler.report(cmd.getErr(), e, Arrays.asList(args).contains("--debug"), 1);
        }
    }

    /**
     * @param out standard output
     * @param err standard error
     * @return the command line, with its error handlers, writing to these streams
     */
    public static CommandLine newCommandLine(PrintStream out, PrintStream err) {
        ErrorHandler handler = new ErrorHandler();
        return new CommandLine(new NumpackCommand(err))
                .setOut(writer(out))
                .setErr(writer(err))
                .setExecutionExceptionHandler(handler)
                .setParameterExceptionHandler(handler);
    }

    private static PrintWriter writer(PrintStream s) {
        return new PrintWriter(s, true);
    }

    /** slf4j-simple: warnings only, on stderr, unless --debug (set before any logger exists). */
    private static void configureLogging(boolean debug) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", debug ? "debug" : "warn");
        }
        if (System.getProperty("org.slf4j.simpleLogger.logFile") == null) {
            System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        }
    }
}
