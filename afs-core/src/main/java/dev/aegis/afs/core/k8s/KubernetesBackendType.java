package dev.aegis.afs.core.k8s;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.BackendContext;
import dev.aegis.afs.core.source.BackendType;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code type: kubernetes}. Options: {@code context} (a kubeconfig context; default the current
 * one), {@code kubeconfig} (a path; default the standard chain: {@code $KUBECONFIG}, then
 * {@code ~/.kube/config}), or {@code in_cluster: true} (the pod's service account); {@code master_url}
 * (overrides the server, e.g. for tests); {@code timeout} (30s). Read-only: it only ever sends GETs.
 * Write credentials belong to the harness, never here.
 */
public final class KubernetesBackendType implements BackendType {

    private static final int RETRIES = 2;
    private static final int RETRY_INTERVAL_MILLIS = 200;
    static final String SERVICE_ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount/";

    @Override
    public String type() {
        return "kubernetes";
    }

    @Override
    public Backend create(String name, ConfigNode options, BackendContext context) {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(options, "options is null");
        Objects.requireNonNull(context, "context is null");
        options.allowOnly(Backend.keys(Backend.COMMON_OPTION_KEYS, "context", "in_cluster", "kubeconfig",
                "master_url", "timeout"));
        Duration timeout = options.get("timeout").map(ConfigNode::asDuration).orElse(Duration.ofSeconds(30));
        if (timeout.isZero()) {
            throw options.require("timeout").error("timeout must be positive; write e.g. 30s");
        }
        Config config = config(options, context);
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        config.setRequestTimeout(millis);
        config.setConnectionTimeout(millis);
        // fabric8 retries 5xx answers; keep that short so an outage fails a read within the timeout.
        config.setRequestRetryBackoffLimit(RETRIES);
        config.setRequestRetryBackoffInterval(RETRY_INTERVAL_MILLIS);
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        return new KubernetesBackend(name, client, timeout, context.clock());
    }

    private static Config config(ConfigNode options, BackendContext context) {
        boolean inCluster = options.get("in_cluster").map(ConfigNode::asBoolean).orElse(false);
        Optional<String> kubeContext = options.optString("context");
        Optional<ConfigNode> kubeconfig = options.get("kubeconfig");
        Optional<ConfigNode> masterUrl = options.get("master_url");
        if (inCluster && (kubeContext.isPresent() || kubeconfig.isPresent())) {
            throw options.require("in_cluster").error("in_cluster: true uses the pod's service account;"
                    + " remove context/kubeconfig, or remove in_cluster to use a kubeconfig");
        }
        Config config;
        if (masterUrl.isPresent() && kubeContext.isEmpty() && kubeconfig.isEmpty() && !inCluster) {
            config = new ConfigBuilder(Config.empty()).build();
        } else if (inCluster) {
            config = inCluster(options.require("in_cluster"), context);
        } else if (kubeconfig.isPresent()) {
            Path path = context.configDir().resolve(kubeconfig.get().asString());
            try {
                config = Config.fromKubeconfig(kubeContext.orElse(null),
                        Files.readString(path, StandardCharsets.UTF_8), path.toString());
            } catch (IOException | KubernetesClientException e) {
                throw kubeconfig.get().error("cannot read kubeconfig " + path + " (" + e.getClass().getSimpleName()
                        + "); check the path, or omit kubeconfig to use $KUBECONFIG or ~/.kube/config");
            }
            checkContext(config, kubeContext, options);
        } else {
            config = Config.autoConfigure(kubeContext.orElse(null));
            checkContext(config, kubeContext, options);
        }
        masterUrl.ifPresent(url -> config.setMasterUrl(checkedUrl(url)));
        return config;
    }

    private static String checkedUrl(ConfigNode node) {
        String url = node.asString();
        try {
            java.net.URI uri = java.net.URI.create(url);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getUserInfo() == null) {
                return url;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw node.error("master_url must be an http(s) URL without credentials, e.g. https://10.0.0.1:6443;"
                + " put credentials in the kubeconfig");
    }

    private static void checkContext(Config config, Optional<String> wanted, ConfigNode options) {
        if (wanted.isEmpty()) {
            return;
        }
        NamedContext current = config.getCurrentContext();
        if (current == null || !wanted.get().equals(current.getName())) {
            String known = config.getContexts() == null ? "none"
                    : String.join(", ", config.getContexts().stream().map(NamedContext::getName).sorted().toList());
            throw options.require("context").error("no kubeconfig context named '" + wanted.get()
                    + "' (known: " + known + "); use one of these, or set kubeconfig to the file that has it");
        }
    }

    private static Config inCluster(ConfigNode where, BackendContext context) {
        String host = context.environment().apply("KUBERNETES_SERVICE_HOST");
        String port = context.environment().apply("KUBERNETES_SERVICE_PORT");
        Path token = Path.of(SERVICE_ACCOUNT + "token");
        if (host == null || port == null || !Files.isReadable(token)) {
            throw where.error("in_cluster: true, but this is not running in a pod (KUBERNETES_SERVICE_HOST/PORT"
                    + " or " + token + " missing); set context or kubeconfig instead");
        }
        String url = "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl(url)
                .withCaCertFile(SERVICE_ACCOUNT + "ca.crt")
                .build();
        // The kubelet rotates the projected token: read it for every request, never keep it.
        config.setOauthTokenProvider(() -> {
            try {
                return Files.readString(token, StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new KubernetesClientException("cannot read the service account token " + token);
            }
        });
        return config;
    }
}
