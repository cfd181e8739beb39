package io.synapsews.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** CPU time and resident memory of the processes under test, read from /proc. */
final class ProcessStats {

    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private final List<Long> pids = new ArrayList<>();

    ProcessStats(String pidList) {
        if (pidList != null && !pidList.isBlank()) {
            for (String p : pidList.split(",")) {
                pids.add(Long.parseLong(p.trim()));
            }
        }
    }

    boolean isEmpty() {
        return pids.isEmpty();
    }

    /** User plus system CPU time of all the processes, in milliseconds. */
    long cpuMillis() throws IOException {
        long ticks = 0;
        for (long pid : pids) {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
        }
        return ticks * 1000 / TICKS_PER_SECOND;
    }

    /** Resident set size of all the processes, in KiB. */
    long rssKib() throws IOException {
        long kib = 0;
        for (long pid : pids) {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        }
        return kib;
    }
}
