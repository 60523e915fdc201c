package dev.aegis.afs.cli;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.OutputStream;
import picocli.CommandLine;

/** {@code afs}: the command line. Exit codes: see {@link ExitCodes}. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        // the daemon log: one escaped entry per line, whatever a caller put in a path or query
        for (java.util.logging.Handler handler : java.util.logging.Logger.getLogger("").getHandlers()) {
            handler.setFormatter(new dev.aegis.afs.core.DaemonLogFormatter());
        }
        // results of sh/grep/tail go out byte for byte, not through a Writer
        OutputStream stdout = new FileOutputStream(FileDescriptor.out);
        int code = commandLine(stdout).execute(args);
        System.out.flush();
        System.exit(code);
    }

    /**
     * The configured command line. Tests capture output with {@code setOut}/{@code setErr};
     * {@code stdout} (null in tests) receives command results as raw bytes.
     */
    public static CommandLine commandLine(OutputStream stdout) {
        CommandLine cl = new CommandLine(new AfsCommand(stdout));
        cl.setExitCodeExceptionMapper(new ExitCodes());
        cl.setExecutionExceptionHandler(new ExitCodes());
        // grep's own options (-i, -v, -E, -c, -h, ...) pass through to the grep being emulated
        cl.getSubcommands().get("grep").setUnmatchedOptionsArePositionalParams(true);
        return cl;
    }
}
