package dev.aegis.afs.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs a command line as a user would, capturing what it printed and its exit code. */
public record CliRun(int exit, String out, String err) {

    public static CliRun of(CommandLine cl, String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        cl.setOut(new PrintWriter(o));
        cl.setErr(new PrintWriter(e));
        int code = cl.execute(args);
        return new CliRun(code, o.toString(), e.toString());
    }

    /** {@code command} with the one exit-code mapper, as {@code afs} configures it. */
    public static CliRun of(Object command, String... args) {
        CommandLine cl = new CommandLine(command);
        cl.setExitCodeExceptionMapper(new ExitCodes());
        cl.setExecutionExceptionHandler(new ExitCodes());
        return of(cl, args);
    }
}
