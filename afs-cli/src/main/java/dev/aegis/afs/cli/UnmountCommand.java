package dev.aegis.afs.cli;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.fuse.FuseMount;
import dev.aegis.afs.fuse.MountTable;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code afs unmount MOUNTPOINT}: the daemon serving it then exits. */
@Command(name = "unmount", aliases = "umount", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Unmounts an afs mount (also one left stale by a daemon that died).")
public final class UnmountCommand implements Callable<Integer> {

    @Parameters(paramLabel = "MOUNTPOINT")
    Path mountpoint;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path mp = mountpoint.toAbsolutePath().normalize();
        if (!MountTable.system().isAfsMount(mp)) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, mp + " is not an afs mount (afs mounts: "
                    + MountTable.system().afsMounts() + ")");
        }
        FuseMount.unmount(mp);
        spec.commandLine().getOut().println("afs: unmounted " + mp);
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
