package dev.aegis.afs.harness;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The incident tables' SQL (db/harness V4, and the same tables in SQLite), run inside the
 * harness store's transactions so an incident's change commits with its ledger entry. Every
 * statement runs on SQLite and PostgreSQL alike.
 */
final class IncidentStore {

    private IncidentStore() {
    }

    /** One notification delivery attempt as recorded. */
    record Delivery(String incident, String event, String channel, int attempt, String outcome, String detail, long atMillis) {
    }

    static void insert(Connection c, Incident i) throws SQLException {
        update(c, "INSERT INTO incidents(id, state, severity, team, env, title, source, source_key, context, escalation, "
                        + "opened_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", i.id(), i.state().name(),
                i.severity(), i.team(), i.env(), i.title(), i.source(), i.sourceKey().orElse(null), i.context().toString(),
                i.escalation().orElse(null), i.openedMillis(), i.updatedMillis());
    }

    static Optional<Incident> get(Connection c, String id) throws SQLException {
        List<Incident> l = query(c, "SELECT * FROM incidents WHERE id = ?", id);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    /** The newest incident a sender opened under {@code key} that is not closed. */
    static Optional<Incident> openBySource(Connection c, String source, String key) throws SQLException {
        List<Incident> l = query(c, "SELECT * FROM incidents WHERE source = ? AND source_key = ? AND state <> 'CLOSED' "
                + "ORDER BY opened_ms DESC", source, key);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    static List<Incident> list(Connection c, int limit) throws SQLException {
        return query(c, "SELECT * FROM incidents ORDER BY opened_ms DESC, id DESC LIMIT ?", limit);
    }

    /** A free id INC-&lt;n&gt;, n one more than the incidents so far (called with the ledger lock held). */
    static String nextId(Connection c) throws SQLException {
        long n = count(c, "SELECT COUNT(*) FROM incidents") + 1;
        while (get(c, "INC-" + n).isPresent()) {
            n++;
        }
        return "INC-" + n;
    }

    /** Moves the state only if it is still {@code from}: false when someone else moved it first. */
    static boolean moveState(Connection c, String id, IncidentState from, IncidentState to, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE incidents SET state = ?, updated_ms = ? WHERE id = ? AND state = ?")) {
            JdbcRequestStore.bind(ps, to.name(), now, id, from.name());
            return ps.executeUpdate() == 1;
        }
    }

    static void setEscalation(Connection c, String id, String why) throws SQLException {
        update(c, "UPDATE incidents SET escalation = ? WHERE id = ?", why, id);
    }

    static void updateContext(Connection c, String id, String severity, ObjectNode context, long now) throws SQLException {
        update(c, "UPDATE incidents SET severity = ?, context = ?, updated_ms = ? WHERE id = ?", severity, context.toString(),
                now, id);
    }

    static void addUsage(Connection c, String id, String kind, long amount) throws SQLException {
        update(c, "INSERT INTO incident_usage(incident, kind, amount) VALUES (?, ?, ?) ON CONFLICT (incident, kind) "
                + "DO UPDATE SET amount = incident_usage.amount + excluded.amount", id, kind, amount);
    }

    static IncidentBudget usage(Connection c, String id) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT kind, amount FROM incident_usage WHERE incident = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        // change requests are counted from the requests themselves: one that was amended is still one
        out.put("change_requests", count(c, "SELECT COUNT(*) FROM requests WHERE incident = ?", id));
        return IncidentBudget.of(out);
    }

    /** Counts one more sighting of {@code fingerprint} in the incident and returns how many there were in all. */
    static int repeat(Connection c, String id, String fingerprint, long now) throws SQLException {
        update(c, "INSERT INTO incident_repeats(incident, fingerprint, seen, last_ms) VALUES (?, ?, 1, ?) "
                + "ON CONFLICT (incident, fingerprint) DO UPDATE SET seen = incident_repeats.seen + 1, last_ms = excluded.last_ms",
                id, fingerprint, now);
        return (int) count(c, "SELECT seen FROM incident_repeats WHERE incident = ? AND fingerprint = ?", id, fingerprint);
    }

    static void delivery(Connection c, String id, Delivery d) throws SQLException {
        update(c, "INSERT INTO notifications(id, incident, event, channel, attempt, outcome, detail, at_ms) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", id, d.incident(), d.event(), d.channel(), d.attempt(), d.outcome(),
                d.detail(), d.atMillis());
    }

    static List<Delivery> deliveries(Connection c, String incident) throws SQLException {
        List<Delivery> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT incident, event, channel, attempt, outcome, detail, at_ms "
                + "FROM notifications WHERE incident = ? ORDER BY at_ms, channel, attempt")) {
            ps.setString(1, incident);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Delivery(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getString(5),
                            rs.getString(6), rs.getLong(7)));
                }
            }
        }
        return out;
    }

    static Map<IncidentState, Long> countByState(Connection c) throws SQLException {
        Map<IncidentState, Long> out = new EnumMap<>(IncidentState.class);
        try (PreparedStatement ps = c.prepareStatement("SELECT state, COUNT(*) FROM incidents GROUP BY state");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(IncidentState.valueOf(rs.getString(1)), rs.getLong(2));
            }
        }
        return out;
    }

    private static long count(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            JdbcRequestStore.bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private static void update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            JdbcRequestStore.bind(ps, args);
            ps.executeUpdate();
        }
    }

    private static List<Incident> query(Connection c, String sql, Object... args) throws SQLException {
        List<Incident> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            JdbcRequestStore.bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectNode context;
                    try {
                        context = (ObjectNode) Ledger.JSON.readTree(rs.getString("context"));
                    } catch (JsonProcessingException | ClassCastException e) {
                        throw new SQLException("incident " + rs.getString("id") + " has an unreadable context: " + e.getMessage(), e);
                    }
                    out.add(new Incident(rs.getString("id"), IncidentState.valueOf(rs.getString("state")),
                            rs.getString("severity"), rs.getString("team"), rs.getString("env"), rs.getString("title"),
                            rs.getString("source"), Optional.ofNullable(rs.getString("source_key")), context,
                            Optional.ofNullable(rs.getString("escalation")), rs.getLong("opened_ms"), rs.getLong("updated_ms")));
                }
            }
        }
        return out;
    }
}
