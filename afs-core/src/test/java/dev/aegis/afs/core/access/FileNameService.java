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

/** Test accounts from passwd/group files of the test's own, as the NSS "files" module would read them. */
public final class FileNameService implements NameService {

    private final Map<String, Integer> uidByName = new HashMap<>();
    private final Map<Integer, String> nameByUid = new HashMap<>();
    private final Map<String, Integer> primaryGid = new HashMap<>();
    private final Map<String, Integer> gidByName = new HashMap<>();
    private final Map<Integer, String> groupByGid = new HashMap<>();
    private final Map<Integer, Set<String>> members = new HashMap<>();

    FileNameService(Path passwd, Path group) throws IOException {
        for (String line : Files.readAllLines(passwd)) {
            String[] f = line.split(":");
            if (f.length > 3) {
                uidByName.put(f[0], Integer.parseInt(f[2]));
                nameByUid.putIfAbsent(Integer.parseInt(f[2]), f[0]);
                primaryGid.put(f[0], Integer.parseInt(f[3]));
            }
        }
        for (String line : Files.readAllLines(group)) {
            String[] f = line.split(":", -1);
            if (f.length > 3) {
                int gid = Integer.parseInt(f[2]);
                gidByName.put(f[0], gid);
                groupByGid.put(gid, f[0]);
                members.put(gid, new HashSet<>(List.of(f[3].split(","))));
            }
        }
    }

    public static UnixAccounts accounts(Path passwd, Path group, Path proc) throws IOException {
        return new UnixAccounts(new FileNameService(passwd, group), proc);
    }

    @Override
    public Optional<Integer> uid(String user) {
        return Optional.ofNullable(uidByName.get(user));
    }

    @Override
    public Optional<Integer> gid(String group) {
        return Optional.ofNullable(gidByName.get(group));
    }

    @Override
    public Optional<String> group(int gid) {
        return Optional.ofNullable(groupByGid.get(gid));
    }

    @Override
    public Optional<String> user(int uid) {
        return Optional.ofNullable(nameByUid.get(uid));
    }

    @Override
    public Set<Integer> groupIds(String user) {
        Set<Integer> out = new HashSet<>();
        if (primaryGid.containsKey(user)) {
            out.add(primaryGid.get(user));
        }
        members.forEach((gid, m) -> {
            if (m.contains(user)) {
                out.add(gid);
            }
        });
        return out;
    }

    @Override
    public Set<String> groupNames(String user) {
        Set<String> out = new HashSet<>();
        groupIds(user).forEach(g -> out.add(groupByGid.get(g)));
        out.remove(null);
        return out;
    }
}
