package dev.aegis.afs.core.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ObjectFieldsTest {

    private static JsonNode json(String text) throws Exception {
        return new ObjectMapper().readTree(text.replace('\'', '"'));
    }

    @Test
    void lastChangeIsTheNewestKnownTime() throws Exception {
        JsonNode pod = json("{'metadata':{'name':'p','creationTimestamp':'2026-11-21T10:00:00Z',"
                + "'managedFields':[{'time':'2026-11-21T11:00:00Z'}]},"
                + "'status':{'conditions':[{'lastTransitionTime':'2026-11-21T12:00:00Z'}],"
                + "'containerStatuses':[{'lastState':{'terminated':{'finishedAt':'2026-11-21T12:30:00Z'}}}]}}");
        assertEquals(Instant.parse("2026-11-21T12:30:00Z"), ObjectFields.lastChange(pod));
        assertEquals(Instant.EPOCH, ObjectFields.lastChange(json("{'metadata':{'name':'x'}}")));
    }

    @Test
    void fieldPathsAndEventTimes() throws Exception {
        JsonNode pod = json("{'status':{'phase':'Failed'},'spec':{'nodeName':'n1'}}");
        assertEquals("Failed", ObjectFields.field(pod, "status.phase"));
        assertNull(ObjectFields.field(pod, "status.reason"));
        assertNull(ObjectFields.field(pod, "spec"));
        JsonNode event = json("{'eventTime':'2026-11-21T10:00:00.123456Z','metadata':{'creationTimestamp':'2026-11-21T09:00:00Z'}}");
        assertEquals(Instant.parse("2026-11-21T10:00:00.123456Z"), ObjectFields.eventTime(event));
    }
}
