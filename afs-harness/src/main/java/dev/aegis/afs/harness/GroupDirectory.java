package dev.aegis.afs.harness;

import dev.aegis.afs.core.access.UnixAccounts;
import java.util.Set;

/** Which groups a uid belongs to (approver groups). Injected so tests need no real users. */
public interface GroupDirectory {

    Set<String> groupsOf(int uid);

    /** The name service's answer (like {@code id -Gn}), LDAP/SSSD included: the FUSE daemon's {@link UnixAccounts}. */
    static GroupDirectory system() {
        UnixAccounts accounts = UnixAccounts.system();
        return accounts::groupNames;
    }
}
