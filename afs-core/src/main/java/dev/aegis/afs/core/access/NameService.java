package dev.aegis.afs.core.access;

import java.util.Optional;
import java.util.Set;

/**
 * Users and groups as the system's name service switch knows them (files, LDAP, SSSD, ...):
 * what {@code getent} and {@code id} answer. Injected so tests can use their own accounts.
 */
public interface NameService {

    Optional<Integer> uid(String user);

    Optional<Integer> gid(String group);

    /** The group name of {@code gid}. */
    Optional<String> group(int gid);

    /** The user name of {@code uid}. */
    Optional<String> user(int uid);

    /** Every gid {@code user} belongs to: its primary group and its supplementary groups. */
    Set<Integer> groupIds(String user);

    /** The names of those groups. */
    Set<String> groupNames(String user);
}
