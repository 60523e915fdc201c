package dev.aegis.afs.mcp;

/** The version this server reports in serverInfo: the jar's, or "dev" when run from classes. */
final class Version {

    private Version() {
    }

    static String get() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
