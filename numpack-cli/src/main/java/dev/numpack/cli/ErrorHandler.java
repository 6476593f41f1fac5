package dev.numpack.cli;

import dev.numpack.NumPackException;
import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns failures into one line {@code numpack: error: <message>} on stderr and an exit code: 2 for an
 * invalid command line, 1 for anything else. Stack traces only with {@code --debug}.
 */
final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {
    static final int FAILURE = 1;
    static final int USAGE = 2;
    static final String PREFIX = "numpack: error: ";

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        return report(cmd.getErr(), ex, debugMatched(parseResult), FAILURE);
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String help = cmd.getCommandSpec().qualifiedName() + " --help";
        PrintWriter err = cmd.getErr();
        err.println(PREFIX + oneLine(message(ex)) + " (see '" + help + "')");
        if (Arrays.asList(args).contains("--debug")) {
            ex.printStackTrace(err);
        }
        err.flush();
        return USAGE;
    }

    /**
     * Prints the error line (and the stack trace when debugging).
     *
     * @param err standard error
     * @param t the failure
     * @param debug whether to print the stack trace
     * @param code the exit code to return
     * @return {@code code}
     */
    static int report(PrintWriter err, Throwable t, boolean debug, int code) {
        err.println(PREFIX + oneLine(message(t)));
        if (debug) {
            t.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    /** @return the message, or the exception type when it has none */
    static String message(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            Throwable c = t.getCause();
            return c != null && c != t ? message(c) : t.getClass().getSimpleName();
        }
        boolean selfExplaining = t instanceof NumPackException || t instanceof ParameterException
                || t instanceof IllegalArgumentException;
        return selfExplaining ? m : t.getClass().getSimpleName() + ": " + m;
    }

    /** @return {@code s} with line breaks folded into spaces */
    static String oneLine(String s) {
        return s.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    private static boolean debugMatched(ParseResult pr) {
        for (ParseResult p = pr; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return false;
    }
}
