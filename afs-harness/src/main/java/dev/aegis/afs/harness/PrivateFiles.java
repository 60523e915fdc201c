package dev.aegis.afs.harness;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The harness's data at rest (docs/trust-model.md, "Data at rest"): {@code data_dir} is 0700 and
 * everything in it (harness.db, ledger.jsonl, keys, tokens) 0600, owned by the harness's user.
 * Each is created with its mode and set to it exactly (a umask can only take bits away, never
 * add them), and checked at every start: a directory or file that others can read or write is
 * refused with the chmod that fixes it, because it would leak every team's plans or let another
 * local user act as the harness.
 */
final class PrivateFiles {

    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private PrivateFiles() {
    }

    /** Creates {@code dir} 0700 when absent; refuses it when others may enter, read or write it. */
    static Path directory(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            Files.createDirectories(dir.toAbsolutePath().getParent());
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException e) {
                // created meanwhile: checked below like any existing directory
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
        refuseShared(dir, "700");
        return dir;
    }

    /** Creates {@code file} empty and 0600 when absent; refuses it when others may read or write it. */
    static Path file(Path file) throws IOException {
        if (!Files.exists(file)) {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (FileAlreadyExistsException e) {
                // created meanwhile: checked below
            }
        }
        refuseShared(file, "600");
        return file;
    }

    /** Refuses an existing file or directory that others may use. */
    static void refuseShared(Path path, String mode) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path);
        if (perms.stream().anyMatch(OTHERS::contains)) {
            throw new IOException(path + " is open to other users (mode " + PosixFilePermissions.toString(perms)
                    + "): it holds harness state that must stay private; run chmod " + mode + " " + path);
        }
    }
}
