package org.distill4j.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * JSON and YAML mapping for configs and results. Unknown keys are errors that name the key and the
 * allowed ones (a misspelt option silently ignored would make a run that is not the one asked for).
 */
public final class Json {
    private static final ObjectMapper JSON = configure(new ObjectMapper());
    private static final ObjectMapper YAML =
            configure(new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)));

    private Json() {}

    private static ObjectMapper configure(ObjectMapper mapper) {
        return mapper.enable(SerializationFeature.INDENT_OUTPUT)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    }

    public static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** One line, no indentation or trailing newline (for values embedded in other files, e.g. ONNX metadata). */
    public static String toCompactJson(Object value) {
        try {
            return JSON.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    public static String toYaml(Object value) {
        try {
            return YAML.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    public static void writeJson(Path file, Object value) throws IOException {
        AtomicFiles.writeString(file, toJson(value));
    }

    public static void writeYaml(Path file, Object value) throws IOException {
        AtomicFiles.writeString(file, toYaml(value));
    }

    public static <T> T readJson(Path file, Class<T> type) {
        return read(JSON, file, type);
    }

    public static <T> T readYaml(Path file, Class<T> type) {
        return read(YAML, file, type);
    }

    /** One value written as YAML ("4", "0.5", "true", "[1, 2, 3]", "name"), as the YAML parser reads it. */
    public static Object parseYamlValue(String text) {
        try {
            return YAML.readValue(text.isEmpty() ? "''" : text, Object.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("'" + text + "' is not a YAML value: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    private static <T> T read(ObjectMapper mapper, Path file, Class<T> type) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": file not found");
        }
        if (isBlank(file)) {
            throw new IllegalArgumentException(file + ": the file is empty; write its keys in it (see the examples in "
                    + "the README and experiments/)");
        }
        try {
            return mapper.readValue(file.toFile(), type);
        } catch (UnrecognizedPropertyException e) {
            String allowed = e.getKnownPropertyIds().stream().map(Object::toString).sorted()
                    .collect(Collectors.joining(", "));
            throw new IllegalArgumentException(file + ": unknown key '" + e.getPropertyName()
                    + "'; allowed keys: " + allowed, e);
        } catch (JsonProcessingException e) {
            Throwable root = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
            String first = root == e ? e.getOriginalMessage() : root.getMessage();
            first = first == null ? e.toString() : first.lines().findFirst().orElse("").strip();
            int marker = first.indexOf(" (start marker at");
            first = marker > 0 ? first.substring(0, marker) : first;
            var where = e.getLocation();
            String at = where != null && where.getLineNr() > 0
                    ? "line " + where.getLineNr() + ", column " + where.getColumnNr() + ": " : "";
            throw new IllegalArgumentException(file + ": " + at + first + "; fix the file", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot be read (" + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            throw new UncheckedIOException(new IOException(file + ": " + e.getMessage(), e));
        }
    }

    private static boolean isBlank(Path file) {
        try {
            return Files.size(file) < 4096 && new String(Files.readAllBytes(file), StandardCharsets.UTF_8).isBlank();
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot be read", e);
        }
    }
}
