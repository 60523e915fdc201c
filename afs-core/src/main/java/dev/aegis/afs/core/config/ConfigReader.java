package dev.aegis.afs.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads YAML (or JSON) into {@link ConfigNode}s with positions. Duplicate keys, alias bombs,
 * deep nesting and oversized documents are errors that say where and what the limit is.
 */
public final class ConfigReader {

    /** Largest document read, in bytes. */
    public static final int MAX_BYTES = 4 * 1024 * 1024;
    /** Deepest nesting accepted. */
    public static final int MAX_DEPTH = 64;

    private ConfigReader() {
    }

    public static ConfigNode read(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new ConfigException(file + ": " + size + " bytes is larger than the limit of " + MAX_BYTES
                        + " bytes; split the file or remove unused entries");
            }
            return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
        } catch (java.nio.charset.MalformedInputException e) {
            throw new ConfigException(file + ": not valid UTF-8 text; save the file as UTF-8");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage()
                    + "; check the path given with --config", e);
        }
    }

    /** Parses {@code text}; {@code name} is used in error positions. */
    public static ConfigNode parse(String name, String text) {
        if (text.length() > MAX_BYTES) {
            throw new ConfigException(name + ": document is larger than the limit of " + MAX_BYTES + " bytes");
        }
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(20);
        options.setAllowRecursiveKeys(false);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setCodePointLimit(MAX_BYTES);
        YAMLFactory factory = YAMLFactory.builder()
                .loaderOptions(options)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                .build();
        try (Reader reader = new StringReader(text); JsonParser parser = factory.createParser(reader)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return new ConfigNode(ConfigNode.Kind.NULL, name + ":1:1", null, null, null);
            }
            ConfigNode root = node(name, parser, 0);
            if (parser.nextToken() != null) {
                throw new ConfigException(position(name, parser.currentTokenLocation())
                        + ": more than one YAML document; keep a single document (remove the '---')");
            }
            return root;
        } catch (JsonProcessingException e) {
            String message = e.getOriginalMessage().lines().findFirst().orElse("syntax error");
            throw new ConfigException(position(name, e.getLocation()) + ": " + message
                    + "; fix the YAML syntax at this position", e);
        } catch (IOException e) {
            throw new ConfigException(name + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static ConfigNode node(String name, JsonParser parser, int depth) throws IOException {
        String where = position(name, parser.currentTokenLocation());
        if (depth > MAX_DEPTH) {
            throw new ConfigException(where + ": nested deeper than " + MAX_DEPTH + " levels");
        }
        JsonToken token = parser.currentToken();
        switch (token) {
            case START_OBJECT -> {
                Map<String, ConfigNode> map = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    String keyWhere = position(name, parser.currentTokenLocation());
                    parser.nextToken();
                    ConfigNode value = node(name, parser, depth + 1);
                    if (map.containsKey(key)) {
                        throw new ConfigException(keyWhere + ": duplicate key '" + key + "' (first at "
                                + map.get(key).where() + "); keep one of them");
                    }
                    map.put(key, value);
                }
                return new ConfigNode(ConfigNode.Kind.MAP, where, null, map, null);
            }
            case START_ARRAY -> {
                List<ConfigNode> list = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    list.add(node(name, parser, depth + 1));
                }
                return new ConfigNode(ConfigNode.Kind.LIST, where, null, null, list);
            }
            case VALUE_NULL -> {
                return new ConfigNode(ConfigNode.Kind.NULL, where, null, null, null);
            }
            default -> {
                return new ConfigNode(ConfigNode.Kind.SCALAR, where, parser.getText(), null, null);
            }
        }
    }

    private static String position(String name, JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return name;
        }
        return name + ":" + location.getLineNr() + ":" + location.getColumnNr();
    }
}
