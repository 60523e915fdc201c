package dev.aegis.afs.evidence.store;

import com.adobe.testing.s3mock.S3MockApplication;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.catalina.Service;
import org.apache.catalina.connector.Connector;

/**
 * Adobe's S3Mock, started in the test's JVM (its Spring Boot application), serving plain HTTP on
 * 127.0.0.1 only. S3Mock adds its HTTP connector on every interface; this swaps it for one bound
 * to the loopback address before any request is made.
 */
final class S3MockServer implements AutoCloseable {

    private final S3MockApplication app;
    private final Connector http;

    private S3MockServer(S3MockApplication app, Connector http) {
        this.app = app;
        this.http = http;
    }

    @SuppressWarnings("removal")
    static S3MockServer start(Path root) throws Exception {
        Map<String, Object> props = new HashMap<>();
        props.put(S3MockApplication.PROP_ROOT_DIRECTORY, root.toString());
        props.put(S3MockApplication.PROP_SILENT, "true");
        props.put(S3MockApplication.PROP_HTTP_PORT, "0");
        props.put(S3MockApplication.PROP_HTTPS_PORT, "0");
        props.put("server.address", "127.0.0.1"); // the HTTPS connector
        props.put("spring.jmx.enabled", "false");
        S3MockApplication app = S3MockApplication.start(props);
        Field config = S3MockApplication.class.getDeclaredField("config");
        config.setAccessible(true);
        Object cfg = config.get(app);
        // the configuration bean is a CGLIB subclass: look the getter up on the class S3Mock declares
        Method getter = Class.forName("com.adobe.testing.s3mock.S3MockConfiguration").getDeclaredMethod("getHttpConnector");
        getter.setAccessible(true);
        Connector wide = (Connector) getter.invoke(cfg);
        Service service = wide.getService();
        Connector local = new Connector();
        local.setPort(0);
        local.setProperty("address", "127.0.0.1");
        service.addConnector(local);
        service.removeConnector(wide);
        return new S3MockServer(app, local);
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + http.getLocalPort());
    }

    @Override
    public void close() {
        app.stop();
    }
}
