package dev.aegis.afs.mcp;

import dev.aegis.afs.core.Afs;
import dev.aegis.afs.core.Caller;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.nio.file.Path;

/** What {@code afs mcp} does over stdio, as a child process the SDK's stdio client can start. */
public final class StdioChild {

    private StdioChild() {
    }

    public static void main(String[] args) throws Exception {
        try (Afs afs = Afs.load(Path.of(args[0]))) {
            afs.startDaemonDuties(); // as afs mcp does as root: captures are registered with the harness
            try (AfsMcpServer server = AfsMcpServer.stdio(afs, Caller.self(), ResultCap.DEFAULT,
                    new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out))) {
                server.awaitTermination();
            }
        }
        System.exit(0);
    }
}
