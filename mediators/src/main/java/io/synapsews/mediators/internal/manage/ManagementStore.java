package io.synapsews.mediators.internal.manage;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.nimbusds.jose.util.JSONObjectUtils;

/**
 * The management state on disk, in the server home: one JSON file per API, application and
 * subscription ({@code apis/<id>.json}, ...), and the Synapse configuration generated from them
 * ({@code synapse-config/}), for the administrator to read, diff and version. Every file is written
 * to a temporary file and moved into place, so a crash leaves the old or the new file, never half of
 * one. Callers serialize writes.
 */
final class ManagementStore {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9-]{1,64}");

    private final File dir;

    ManagementStore(File dir) {
        this.dir = dir;
    }

    File dir() {
        return dir;
    }

    /** Every document of {@code kind} (apis, applications, subscriptions), in file name order. */
    List<Map<String, Object>> load(String kind) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        Path d = new File(dir, kind).toPath();
        if (!Files.isDirectory(d)) {
            return out;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(d)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().collect(java.util.stream.Collectors.toList());
        }
        for (Path p : files) {
            try {
                out.add(JSONObjectUtils.parse(Files.readString(p, StandardCharsets.UTF_8)));
            } catch (ParseException e) {
                throw new IOException(p + ": not a JSON object: " + e.getMessage(), e);
            }
        }
        return out;
    }

    void save(String kind, String id, Map<String, Object> doc) throws IOException {
        write(new File(new File(dir, kind), checked(id) + ".json"), JSONObjectUtils.toJSONString(doc) + "\n");
    }

    void delete(String kind, String id) throws IOException {
        Files.deleteIfExists(new File(new File(dir, kind), checked(id) + ".json").toPath());
    }

    /** Writes {@code text} to {@code file} (under this store's directory) atomically. */
    void write(File file, String text) throws IOException {
        Files.createDirectories(file.getParentFile().toPath());
        Path tmp = Files.createTempFile(file.getParentFile().toPath(), "." + file.getName(), ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file.toPath(), StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Ids become file names: only letters, digits and dashes. */
    private static String checked(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("not an id: " + id);
        }
        return id;
    }
}
