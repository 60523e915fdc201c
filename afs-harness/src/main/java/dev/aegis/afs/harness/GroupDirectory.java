package dev.aegis.afs.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Which groups a uid belongs to (approver groups). Injected so tests need no real users. */
public interface GroupDirectory {

    Set<String> groupsOf(int uid);

    /** Reads /etc/passwd (primary group) and /etc/group (supplementary members). */
    static GroupDirectory system() {
        return uid -> {
            Set<String> out = new HashSet<>();
            try {
                String user = null;
                String primaryGid = null;
                for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                    String[] f = line.split(":");
                    if (f.length > 3 && f[2].equals(String.valueOf(uid))) {
                        user = f[0];
                        primaryGid = f[3];
                        break;
                    }
                }
                for (String line : Files.readAllLines(Path.of("/etc/group"))) {
                    String[] f = line.split(":", -1);
                    if (f.length < 4) {
                        continue;
                    }
                    if (f[2].equals(primaryGid) || (user != null && List.of(f[3].split(",")).contains(user))) {
                        out.add(f[0]);
                    }
                }
            } catch (IOException e) {
                // no group database: only uids can approve
            }
            return out;
        };
    }
}
