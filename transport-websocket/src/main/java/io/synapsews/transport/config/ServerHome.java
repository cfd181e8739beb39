package io.synapsews.transport.config;

import java.io.File;
import java.net.URL;

/** Resolves configured file paths: relative ones are taken against the server home. */
public final class ServerHome {

    private ServerHome() {
    }

    /**
     * The server home: {@code carbon.home} or {@code synapse.home} when set, else the parent of
     * the Axis2 repository, else the working directory.
     */
    public static File home(URL axis2Repository) {
        for (String key : new String[] {"carbon.home", "synapse.home"}) {
            String value = System.getProperty(key);
            if (value != null && !value.isEmpty()) {
                return new File(value);
            }
        }
        if (axis2Repository != null && "file".equals(axis2Repository.getProtocol())) {
            File repo = new File(axis2Repository.getPath());
            if (repo.getParentFile() != null) {
                return repo.getParentFile();
            }
        }
        return new File(System.getProperty("user.dir"));
    }

    public static File resolve(URL axis2Repository, String path) {
        return resolve(home(axis2Repository), path);
    }

    /** {@code path} as it is when absolute, else against {@code home}. */
    public static File resolve(File home, String path) {
        File f = new File(path);
        return f.isAbsolute() ? f : new File(home, path);
    }
}
