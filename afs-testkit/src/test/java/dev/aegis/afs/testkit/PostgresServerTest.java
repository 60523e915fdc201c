package dev.aegis.afs.testkit;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PostgresServerTest {

    @Test
    void startsARealServerKeepsDataAcrossACrashAndRemovesItsDirectory() throws Exception {
        java.nio.file.Path dir;
        try (PostgresServer pg = PostgresServer.start()) {
            String url = pg.createDatabase("kit");
            try (Connection c = DriverManager.getConnection(url, PostgresServer.SUPERUSER, "");
                 Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (v int)");
                s.execute("INSERT INTO t VALUES (42)");
                ResultSet rs = s.executeQuery("SELECT version()");
                rs.next();
                assertTrue(rs.getString(1).startsWith("PostgreSQL 15"), rs.getString(1));
            }
            pg.restart();
            try (Connection c = pg.connect("kit"); Statement s = c.createStatement()) {
                ResultSet rs = s.executeQuery("SELECT v FROM t");
                rs.next();
                assertEquals(42, rs.getInt(1));
            }
            dir = pg.directory();
            assertThrows(IllegalArgumentException.class, () -> pg.createDatabase("x; DROP"));
            int port = pg.port();
            pg.close();
            assertThrows(java.sql.SQLException.class,
                    () -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/kit", "postgres", ""));
        }
        assertFalse(java.nio.file.Files.exists(dir), "the cluster directory is removed");
    }
}
