package dev.aegis.afs.core.tree.logs;

import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.CallerProcesses;
import dev.aegis.afs.core.MountedPaths;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.shell.ToolCommand;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * The mount's settings for plain tools on live logs: whether a plain {@code grep}, {@code tail}
 * or {@code head} is pushed down ({@code plain_tools: {pushdown: false}} in namespaces.yaml turns
 * it off), how callers are seen, and the one scheduler that polls followed streams.
 *
 * <p>The rule: the caller (the FUSE request's pid) must be a grep/egrep/fgrep, tail or head whose
 * command line {@link ToolCommand} understands, and one of its operands, resolved against its
 * cwd, must be the file being opened. {@code cat f | grep} opens f as cat: not pushed down.
 */
public final class PlainTools implements AutoCloseable {

    /** Nothing pushed down, nobody seen; follows still work. */
    public static PlainTools off() {
        return new PlainTools(false, CallerProcesses.NONE, List::of);
    }

    private final boolean pushdown;
    private final CallerProcesses processes;
    private final Supplier<List<String>> mountpoints;
    private ScheduledExecutorService scheduler;

    /**
     * @param pushdown    whether plain tools are pushed down
     * @param processes   reads callers' command lines and cwd
     * @param mountpoints where afs is mounted (to match a caller's operand against the file opened)
     */
    public PlainTools(boolean pushdown, CallerProcesses processes, Supplier<List<String>> mountpoints) {
        this.pushdown = pushdown;
        this.processes = Objects.requireNonNull(processes, "processes is null");
        this.mountpoints = Objects.requireNonNull(mountpoints, "mountpoints is null");
    }

    public static PlainTools system(boolean pushdown) {
        return new PlainTools(pushdown, CallerProcesses.proc(),
                () -> MountedPaths.mountpoints(Path.of("/proc/mounts")));
    }

    CallerProcesses processes() {
        return processes;
    }

    /** The tool {@code caller} runs on {@code treePath}, if it is one that can be pushed down. */
    Optional<ToolCommand> toolFor(Caller caller, String treePath) {
        if (!pushdown) {
            return Optional.empty();
        }
        Optional<CallerProcesses.CallerProcess> process = processes.describe(caller.pid());
        if (process.isEmpty()) {
            return Optional.empty();
        }
        ToolCommand tool;
        try {
            tool = ToolCommand.parse(process.get().argv());
        } catch (IllegalArgumentException e) { // QuerySyntaxException too
            return Optional.empty(); // not a tool, or options it cannot be served for: the default window
        }
        List<String> mounts = mountpoints.get();
        for (String operand : tool.operands()) {
            if (operand.isEmpty() || operand.equals("-")) {
                continue;
            }
            Path absolute = process.get().cwd().resolve(operand).normalize();
            if (treePath.equals(MountedPaths.toTreePath(absolute.toString(), mounts))) {
                return Optional.of(tool);
            }
        }
        return Optional.empty();
    }

    /**
     * The {@code tail -f} (or {@code -F}, {@code --follow}) that {@code caller} runs on
     * {@code treePath}, if it is one: for streams that follow but push no plain tool down.
     */
    public Optional<ToolCommand> tailFollowing(Caller caller, String treePath) {
        return toolFor(caller, treePath).filter(ToolCommand::follow);
    }

    /** The scheduler that polls followed streams (two daemon threads, created on first use). */
    synchronized ScheduledExecutorService scheduler() {
        if (scheduler == null) {
            scheduler = Executors.newScheduledThreadPool(2, r -> {
                Thread t = new Thread(r, "afs-follow");
                t.setDaemon(true);
                return t;
            });
        }
        return scheduler;
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
