package dev.numpack.cli;

import java.io.PrintStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The top-level {@code numpack} command: global options and the list of subcommands. */
@Command(name = "numpack",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Inspect and edit NumPack 0.7 array stores.",
        subcommands = {
            InfoCommand.class,
            VerifyCommand.class,
            ImportCommand.class,
            ExportCommand.class,
            AppendCommand.class,
            ReplaceCommand.class,
            DropCommand.class,
            CompactCommand.class,
            DemoCommand.class,
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the operation failed (message on stderr)", "2:invalid command line"})
public final class NumpackCommand implements Runnable {
    private final PrintStream err;

    @Spec
    private CommandSpec spec;

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "Print stack traces with errors.")
    private boolean debug;

    private Boolean progress; // null: automatic, on when stderr is a terminal

    /** @param err where progress bars are drawn */
    public NumpackCommand(PrintStream err) {
        this.err = err;
    }

    @Option(names = "--progress", scope = ScopeType.INHERIT,
            description = "Always draw progress bars on stderr (default: only when it is a terminal).")
    void setProgress(boolean on) {
        progress = Boolean.TRUE;
    }

    @Option(names = "--no-progress", scope = ScopeType.INHERIT, description = "Never draw progress bars.")
    void setNoProgress(boolean on) {
        progress = Boolean.FALSE;
    }

    /** @return whether --debug was given */
    boolean debug() {
        return debug;
    }

    /**
     * @param label what the bar measures, e.g. {@code import x}
     * @return a progress bar on stderr, or a silent one when bars are off
     */
    ProgressBar progressBar(String label) {
        boolean on = progress != null ? progress : Terminal.stderrIsTerminal();
        return on ? new ProgressBar(err, label) : ProgressBar.silent();
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(),
                "missing command: one of info, verify, import, export, append, drop, compact, demo");
    }
}
