package dev.aegis.afs.core.access;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Users and groups of this machine, from passwd and group files, and the groups a calling
 * process holds (from {@code /proc/<pid>/status}). Injected so tests can use their own files.
 */
public final class UnixAccounts {

    private final Map<String, Integer> uidByName = new HashMap<>();
    private final Map<Integer, String> nameByUid = new HashMap<>();
    private final Map<String, Integer> gidByName = new HashMap<>();
    private final Map<Integer, Integer> primaryGidByUid = new HashMap<>();
    private final Map<Integer, Set<String>> membersByGid = new HashMap<>();
    private final Path proc;

    public UnixAccounts(Path passwd, Path group, Path proc) {
        this.proc = proc;
        for (String line : lines(passwd)) {
            String[] f = line.split(":");
            if (f.length > 3 && f[2].matches("\\d+")) {
                uidByName.put(f[0], Integer.parseInt(f[2]));
                nameByUid.putIfAbsent(Integer.parseInt(f[2]), f[0]);
                if (f[3].matches("\\d+")) {
                    primaryGidByUid.putIfAbsent(Integer.parseInt(f[2]), Integer.parseInt(f[3]));
                }
            }
        }
        for (String line : lines(group)) {
            String[] f = line.split(":", -1);
            if (f.length > 3 && f[2].matches("\\d+")) {
                int gid = Integer.parseInt(f[2]);
                gidByName.put(f[0], gid);
                Set<String> members = new HashSet<>();
                for (String m : f[3].split(",")) {
                    if (!m.isBlank()) {
                        members.add(m.trim());
                    }
                }
                membersByGid.put(gid, members);
            }
        }
    }

    public static UnixAccounts system() {
        return new UnixAccounts(Path.of("/etc/passwd"), Path.of("/etc/group"), Path.of("/proc"));
    }

    public Optional<Integer> uid(String user) {
        return Optional.ofNullable(uidByName.get(user));
    }

    public Optional<Integer> gid(String group) {
        return Optional.ofNullable(gidByName.get(group));
    }

    /** The NSS name of {@code uid}, if it has one. */
    public Optional<String> userName(int uid) {
        return Optional.ofNullable(nameByUid.get(uid));
    }

    /** The NSS name of {@code gid}, if it has one. */
    public Optional<String> groupName(int gid) {
        return gidByName.entrySet().stream().filter(e -> e.getValue() == gid).map(Map.Entry::getKey).findFirst();
    }

    /** Every gid the caller holds: its primary gid, the process' supplementary groups, and /etc/group membership. */
    public Set<Integer> groupsOf(int uid, int gid, long pid) {
        Set<Integer> out = new HashSet<>();
        out.add(gid);
        Integer primary = primaryGidByUid.get(uid);
        if (primary != null) {
            out.add(primary);
        }
        for (String line : pid <= 0 ? List.<String>of() : lines(proc.resolve(Long.toString(pid)).resolve("status"))) {
            if (line.startsWith("Groups:")) {
                for (String g : line.substring(7).trim().split("\\s+")) {
                    if (g.matches("\\d+")) {
                        out.add(Integer.parseInt(g));
                    }
                }
            }
        }
        String name = nameByUid.get(uid);
        if (name != null) {
            membersByGid.forEach((g, members) -> {
                if (members.contains(name)) {
                    out.add(g);
                }
            });
        }
        return out;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }
}
