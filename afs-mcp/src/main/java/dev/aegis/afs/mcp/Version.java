package dev.aegis.afs.mcp;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version this server reports in serverInfo: the afs jar's (afs-version.properties), else "dev". */
final class Version {

    private Version() {
    }

    static String get() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("/afs-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // a version is only informative: fall back to "dev"
        }
        return p.getProperty("version", "dev");
    }
}
