package dev.aegis.afs.cli;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.ParseResult;

/**
 * The one exit-code mapper: 0 ok, 1 a check or verification failed (returned by the command),
 * 2 usage or configuration error (USER errors), 3 backend or machine failure (EXTERNAL). {@code afs sh}
 * and {@code afs grep} exit as bash would (a final grep: 0 selected, 1 none); {@code afs grep}
 * fails with 2 as GNU grep does ({@link #grepTrouble}).
 * Failures print their reason, the text {@code /.afs/errors} shows, to stderr.
 */
public final class ExitCodes implements IExitCodeExceptionMapper, IExecutionExceptionHandler {

    public static final int OK = 0;
    public static final int CHECK_FAILED = 1;
    public static final int USAGE = 2;
    public static final int EXTERNAL = 3;

    @Override
    public int getExitCode(Throwable t) {
        if (t instanceof CommandLine.ParameterException || t instanceof ConfigException) {
            return USAGE;
        }
        if (t instanceof AfsException e) {
            return e.error().type() == AfsError.Type.USER ? USAGE : EXTERNAL;
        }
        return EXTERNAL;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine command, ParseResult parsed) {
        command.getErr().println(command.getCommandName().equals("afs") ? "afs: " + reason(e)
                : "afs " + command.getCommandName() + ": " + reason(e));
        if (getExitCode(e) == EXTERNAL && !(e instanceof AfsException) && System.getenv("AFS_DEBUG") != null) {
            e.printStackTrace(command.getErr());
        }
        command.getErr().flush();
        return getExitCode(e);
    }

    /**
     * {@code afs grep}'s failures, as GNU grep: exit 2 for any trouble (a missing file, a bad
     * pattern, an unreachable backend), the reason on stderr unless {@code -s} asked for silence
     * about missing or unreadable files.
     */
    static int grepTrouble(Exception e, CommandLine command, boolean noMessages) {
        boolean fileError = e instanceof AfsException a
                && (a.error() == AfsError.NOT_FOUND || a.error() == AfsError.ACCESS_DENIED);
        if (!(noMessages && fileError)) {
            command.getErr().println("afs grep: " + reason(e));
            command.getErr().flush();
        }
        return USAGE;
    }

    static String reason(Throwable e) {
        if (e instanceof AfsException a) {
            return a.error().errno() + ": " + a.getMessage();
        }
        if (e instanceof ConfigException || e instanceof java.io.IOException) {
            return e.getMessage();
        }
        return e + " (set AFS_DEBUG=1 for a stack trace)";
    }
}
