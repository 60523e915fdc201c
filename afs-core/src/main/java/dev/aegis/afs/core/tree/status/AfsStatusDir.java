package dev.aegis.afs.core.tree.status;

import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.ErrorJournal;
import dev.aegis.afs.core.Help;
import dev.aegis.afs.core.tree.StaticDir;
import dev.aegis.afs.core.tree.TextFile;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;

/**
 * {@code /.afs}: {@code status} (what is mounted, defaults, how to widen a cut read) and
 * {@code errors} (the caller's newest failures with their reasons, newest last) and {@code help}
 * (every term of log and metrics files, with examples).
 */
public final class AfsStatusDir extends StaticDir {

    public AfsStatusDir(Clock clock, Function<Caller, String> status, ErrorJournal errors) {
        super(".afs", clock.instant(), List.of(
                new TextFile("status", clock, status::apply),
                new TextFile("errors", clock, caller -> errors(errors, caller)),
                new TextFile("help", clock, caller -> Help.all())));
    }

    private static String errors(ErrorJournal journal, Caller caller) {
        StringBuilder out = new StringBuilder();
        for (ErrorJournal.Entry e : journal.recent(caller)) {
            out.append(e).append('\n');
        }
        return out.toString();
    }
}
