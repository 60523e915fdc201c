package dev.aegis.afs.core.access;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Users and groups for access lists and approvals, from the {@link NameService} (NSS in
 * production: the same answers as {@code id} and {@code getent}, LDAP and SSSD included), and
 * the groups a calling process holds (from {@code /proc/<pid>/status}). One implementation for
 * the FUSE daemon and the harness.
 */
public final class UnixAccounts {

    private final NameService names;
    private final Path proc;

    public UnixAccounts(NameService names, Path proc) {
        this.names = Objects.requireNonNull(names, "names is null");
        this.proc = Objects.requireNonNull(proc, "proc is null");
    }

    public static UnixAccounts system() {
        return new UnixAccounts(new NssNameService(), Path.of("/proc"));
    }

    public Optional<Integer> uid(String user) {
        return names.uid(user);
    }

    public Optional<Integer> gid(String group) {
        return names.gid(group);
    }

    /** The NSS name of {@code uid}, if it has one. */
    public Optional<String> userName(int uid) {
        return names.user(uid);
    }

    /** The NSS name of {@code gid}, if it has one. */
    public Optional<String> groupName(int gid) {
        return names.group(gid);
    }

    /**
     * Every gid the caller holds: its primary gid, the process' supplementary groups, and the
     * groups the name service gives its user (so a group added in LDAP counts before re-login).
     */
    public Set<Integer> groupsOf(int uid, int gid, long pid) {
        Set<Integer> out = new HashSet<>();
        out.add(gid);
        for (String line : lines(proc.resolve(Long.toString(pid)).resolve("status"))) {
            if (line.startsWith("Groups:")) {
                for (String g : line.substring(7).trim().split("\\s+")) {
                    if (g.matches("\\d{1,10}")) {
                        out.add(Integer.parseInt(g));
                    }
                }
            }
        }
        names.user(uid).ifPresent(user -> out.addAll(names.groupIds(user)));
        return out;
    }

    /** The names of the groups {@code uid} belongs to (for approver groups), empty for an unknown uid. */
    public Set<String> groupNames(int uid) {
        return names.user(uid).map(names::groupNames).orElse(Set.of());
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }
}
