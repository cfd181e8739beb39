package io.synapsews.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /**
     * Live Java heap of those processes that are JVMs, after a full GC, in KiB (0 for others):
     * a JVM's resident size hardly moves once its heap pages are touched, so this is its measure.
     */
    long liveHeapKib() throws IOException, InterruptedException {
        long kib = 0;
        for (long pid : pids) {
            String cmd = Files.readString(Path.of("/proc/" + pid + "/cmdline"));
            if (!cmd.contains("java")) {
                continue;
            }
            jcmd(pid, "GC.run");
            for (String line : jcmd(pid, "GC.heap_info").split("\n")) {
                Matcher m = Pattern.compile("total \\d+K, used (\\d+)K").matcher(line);
                if (m.find()) {
                    kib += Long.parseLong(m.group(1));
                    break;
                }
            }
        }
        return kib;
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("jcmd", String.valueOf(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
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
