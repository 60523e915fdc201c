package dev.aegis.afs.cli;

import dev.aegis.afs.core.Afs;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.fuse.AfsFuse;
import dev.aegis.afs.core.metrics.MountMetrics;
import dev.aegis.afs.fuse.FuseMount;
import dev.aegis.afs.fuse.MetricsEndpoint;
import dev.aegis.afs.fuse.MountTable;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code afs mount [--config F] [-f] MOUNTPOINT}. In the foreground it is the daemon: it serves
 * until unmounted, and unmounts cleanly on SIGTERM/SIGINT. Without {@code -f} it starts that
 * daemon in the background ({@link BackgroundDaemon}) and returns once the mount is live.
 */
@Command(name = "mount", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Mounts the tree described by namespaces.yaml at MOUNTPOINT (created when missing).",
                "Without -f the daemon runs in the background and logs to a file; stop it with afs unmount."})
public final class MountCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Option(names = {"-f", "--foreground"}, description = "serve in this process until unmounted (Ctrl-C unmounts)")
    boolean foreground;

    @Parameters(paramLabel = "MOUNTPOINT", description = "where to mount, e.g. /mnt/afs")
    Path mountpoint;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path mp = mountpoint.toAbsolutePath().normalize();
        Path cfg = config.file();
        PrintWriter out = spec.commandLine().getOut();
        clearStale(mp, out);
        if (!foreground) {
            // fail fast, with file:line:column, before starting anything
            Afs.load(cfg).close();
            return new BackgroundDaemon(cfg, mp).start(out, spec.commandLine().getErr());
        }
        return serve(cfg, mp, out);
    }

    /**
     * The line that points skills and runbooks (written as {@code "$AFS/teams/..."}) at this
     * mount, whatever its path: {@code export AFS=/srv/afs # skills and runbooks use $AFS}.
     */
    static String exportHint(Path mountpoint) {
        String path = mountpoint.toString();
        String quoted = path.matches("[A-Za-z0-9_./-]+") ? path : "'" + path.replace("'", "'\\''") + "'";
        return "export AFS=" + quoted + "   # skills and runbooks name paths as \"$AFS/...\"";
    }

    private static void clearStale(Path mp, PrintWriter out) throws IOException {
        if (!MountTable.system().isAfsMount(mp)) {
            return;
        }
        if (!FuseMount.isStale(mp)) {
            throw new AfsException(AfsError.ALREADY_EXISTS, mp + " is already mounted by a running afs; unmount it first: afs unmount " + mp);
        }
        out.println("afs mount: " + mp + " was left mounted by an afs daemon that died; unmounting it");
        out.flush();
        FuseMount.unmount(mp);
    }

    private static int serve(Path cfg, Path mp, PrintWriter out) throws IOException, InterruptedException {
        MountMetrics metrics = new MountMetrics();
        Afs afs = Afs.load(cfg, metrics);
        FuseMount mount;
        MetricsEndpoint endpoint = null;
        try {
            afs.startDaemonDuties();
            if (afs.config().metricsListen().isPresent()) {
                endpoint = MetricsEndpoint.start(afs.config().metricsListen().get(), metrics.registry());
            }
            mount = FuseMount.mount(new AfsFuse(afs::resolve, afs.errors(), java.time.Clock.systemUTC(), metrics), mp);
        } catch (IOException | RuntimeException e) {
            if (endpoint != null) {
                endpoint.close();
            }
            afs.close();
            throw e;
        }
        MetricsEndpoint served = endpoint;
        Runnable closeAll = () -> {
            if (served != null) {
                served.close();
            }
            afs.close();
        };
        Thread unmount = new Thread(() -> {
            mount.close();
            closeAll.run();
        }, "afs-unmount");
        Runtime.getRuntime().addShutdownHook(unmount);
        long pid = ProcessHandle.current().pid();
        out.printf("afs: mounted %s at %s (pid %d); stop it with: afs unmount %s (or kill %d)%n", cfg, mp, pid, mp, pid);
        if (served != null) {
            out.printf("afs: metrics at http://%s:%d/metrics%n", afs.config().metricsListen().get().getHostString(), served.port());
        }
        out.println(exportHint(mp));
        out.flush();
        mount.awaitUnmount();
        try {
            Runtime.getRuntime().removeShutdownHook(unmount);
        } catch (IllegalStateException e) {
            return ExitCodes.OK; // already shutting down: the hook unmounts
        }
        closeAll.run();
        out.printf("afs: %s was unmounted; exiting%n", mp);
        out.flush();
        return ExitCodes.OK;
    }
}
