package io.synapsews.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the RESULT lines of a benchmark run into one markdown table per shape: the median of the
 * runs for each target, with ratios against nginx and against the backend reached directly.
 */
public final class Report {

    private Report() {
    }

    public static void main(String[] args) throws Exception {
        // shape -> target -> metric -> values
        Map<String, Map<String, Map<String, List<Double>>>> data = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            if (!line.startsWith("RESULT")) {
                continue;
            }
            Map<String, String> kv = new LinkedHashMap<>();
            for (String part : line.split(" ")) {
                int eq = part.indexOf('=');
                if (eq > 0) {
                    kv.put(part.substring(0, eq), part.substring(eq + 1));
                }
            }
            String[] label = kv.getOrDefault("label", "?/?").split("/");
            Map<String, List<Double>> metrics = data.computeIfAbsent(label[0], k -> new LinkedHashMap<>())
                    .computeIfAbsent(label[1], k -> new LinkedHashMap<>());
            for (Map.Entry<String, String> e : kv.entrySet()) {
                try {
                    metrics.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(Double.parseDouble(e.getValue()));
                } catch (NumberFormatException ignored) {
                    // label, mode
                }
            }
        }
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, Map<String, Map<String, List<Double>>>> shape : data.entrySet()) {
            String name = shape.getKey();
            Map<String, Map<String, List<Double>>> targets = shape.getValue();
            out.append("\n### ").append(name).append("\n\n");
            if (name.startsWith("idle")) {
                row(out, "target", "connections", "RSS KiB/conn", "live heap KiB/conn", "KiB per connection", "vs nginx");
                row(out, "---", "---:", "---:", "---:", "---:", "---:");
                double nginx = median(targets, "nginx", "kib_per_connection");
                for (String t : targets.keySet()) {
                    double v = median(targets, t, "kib_per_connection");
                    row(out, t, fmt(median(targets, t, "connections")), fmt1(median(targets, t, "rss_kib_per_connection")),
                            fmt1(median(targets, t, "heap_kib_per_connection")), fmt1(v), ratio(v, nginx));
                }
            } else if (name.startsWith("handshakes")) {
                row(out, "target", "handshakes/s", "vs nginx", "vs direct", "CPU µs/handshake", "CPU vs nginx");
                row(out, "---", "---:", "---:", "---:", "---:", "---:");
                double nginx = median(targets, "nginx", "handshakes_per_s");
                double direct = median(targets, "direct", "handshakes_per_s");
                double nginxCpu = median(targets, "nginx", "cpu_us_per_handshake");
                for (String t : targets.keySet()) {
                    double v = median(targets, t, "handshakes_per_s");
                    double cpu = median(targets, t, "cpu_us_per_handshake");
                    row(out, t, fmt(v), ratio(v, nginx), ratio(v, direct), fmt1(cpu), ratio(cpu, nginxCpu));
                }
            } else {
                row(out, "target", "msgs/s", "vs nginx", "vs direct", "p50 µs", "p99 µs", "p99.9 µs", "p99 added µs",
                        "CPU µs/msg", "CPU vs nginx", "errors");
                row(out, "---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:");
                double nginx = median(targets, "nginx", "msgs_per_s");
                double direct = median(targets, "direct", "msgs_per_s");
                double directP99 = median(targets, "direct", "p99_us");
                double nginxCpu = median(targets, "nginx", "cpu_us_per_msg");
                for (String t : targets.keySet()) {
                    double v = median(targets, t, "msgs_per_s");
                    double p99 = median(targets, t, "p99_us");
                    double cpu = median(targets, t, "cpu_us_per_msg");
                    row(out, t, fmt(v), ratio(v, nginx), ratio(v, direct), fmt(median(targets, t, "p50_us")), fmt(p99),
                            fmt(median(targets, t, "p999_us")), "direct".equals(t) ? "" : fmt(p99 - directP99),
                            fmt1(cpu), ratio(cpu, nginxCpu), fmt(median(targets, t, "errors")));
                }
            }
        }
        System.out.print(out);
    }

    private static double median(Map<String, Map<String, List<Double>>> targets, String target, String metric) {
        Map<String, List<Double>> m = targets.get(target);
        if (m == null || !m.containsKey(metric)) {
            return Double.NaN;
        }
        List<Double> v = new ArrayList<>(m.get(metric));
        v.sort(null);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    private static String ratio(double v, double base) {
        return Double.isNaN(v) || Double.isNaN(base) || base == 0 ? "" : String.format("%.2f", v / base);
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "" : String.format("%.0f", v);
    }

    private static String fmt1(double v) {
        return Double.isNaN(v) ? "" : String.format("%.1f", v);
    }

    private static void row(StringBuilder out, String... cells) {
        out.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }
}
