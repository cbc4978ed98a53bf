package io.github.dax4j.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the JSON that JMH writes ({@code -rf json}): objects, arrays, strings, numbers, booleans, null. Just
 * enough of JSON for that, so the report needs no JSON library.
 */
final class JmhJson {

    private final String text;
    private int at;

    private JmhJson(String text) {
        this.text = text;
    }

    /** {@return the value {@code text} holds: a Map, List, String, Double, Boolean or null} */
    static Object parse(String text) {
        JmhJson parser = new JmhJson(text);
        Object value = parser.value();
        parser.space();
        if (parser.at != text.length()) {
            throw parser.error("trailing content");
        }
        return value;
    }

    /**
     * One JMH result: the benchmark's short name, its mode ({@code avgt}, {@code sample}, ...), its parameters,
     * score, error and unit, and the percentiles of a sampling run ({@code SampleTime}; empty otherwise), keyed by
     * JMH's names ({@code "50.0"}, {@code "99.0"}); how many forks and threads it ran with.
     */
    record Result(String benchmark, String mode, Map<String, String> params, double score, double error,
                  String unit, Map<String, Double> percentiles, int forks, int threads) {
        String param(String name) {
            return params.getOrDefault(name, "");
        }

        /** {@return the percentile {@code p} (e.g. {@code "99.0"}), or NaN where the run did not sample} */
        double percentile(String p) {
            return percentiles.getOrDefault(p, Double.NaN);
        }
    }

    /** {@return the results in a JMH JSON file's text} */
    @SuppressWarnings("unchecked")
    static List<Result> results(String text) {
        List<Result> results = new ArrayList<>();
        for (Object o : (List<Object>) parse(text)) {
            Map<String, Object> run = (Map<String, Object>) o;
            String name = (String) run.get("benchmark");
            Map<String, String> params = new LinkedHashMap<>();
            Object p = run.get("params");
            if (p instanceof Map<?, ?> map) {
                map.forEach((k, v) -> params.put((String) k, String.valueOf(v)));
            }
            Map<String, Object> metric = (Map<String, Object>) run.get("primaryMetric");
            Object error = metric.get("scoreError");
            Map<String, Double> percentiles = new LinkedHashMap<>();
            if (metric.get("scorePercentiles") instanceof Map<?, ?> map) {
                map.forEach((k, v) -> percentiles.put((String) k, (Double) v));
            }
            results.add(new Result(name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1),
                    String.valueOf(run.get("mode")), params,
                    (Double) metric.get("score"), error instanceof Double d && !d.isNaN() ? d : Double.NaN,
                    (String) metric.get("scoreUnit"), percentiles, count(run.get("forks")),
                    count(run.get("threads"))));
        }
        return results;
    }

    private static int count(Object number) {
        return number instanceof Double d ? d.intValue() : 1;
    }

    /**
     * {@return the runs of several JMH JSON files of the same benchmarks, merged per benchmark and parameters} The
     * score is the mean of every measurement iteration of every file and the error its 99.9% confidence half-width,
     * {@code t(0.999, n - 1) * s / sqrt(n)}, as JMH computes it within one run. A sampled run ({@code SampleTime})
     * gives each iteration's mean to the same arithmetic, and its percentiles ({@code "50.0"}, {@code "99.0"}) are
     * those of every sample of every file together. Its fork count is the sum of the files'.
     */
    @SuppressWarnings("unchecked")
    static List<Result> merged(List<String> texts) {
        Map<String, List<Double>> iterations = new LinkedHashMap<>();
        Map<String, java.util.TreeMap<Double, Long>> histograms = new LinkedHashMap<>();
        Map<String, Result> first = new LinkedHashMap<>();
        Map<String, Integer> forkCounts = new LinkedHashMap<>();
        for (String text : texts) {
            List<Result> results = results(text);
            List<Object> runs = (List<Object>) parse(text);
            for (int i = 0; i < runs.size(); i++) {
                Result r = results.get(i);
                String key = r.benchmark() + r.params();
                first.putIfAbsent(key, r);
                forkCounts.merge(key, r.forks(), Integer::sum);
                Map<String, Object> metric = (Map<String, Object>) ((Map<String, Object>) runs.get(i))
                        .get("primaryMetric");
                List<Double> values = iterations.computeIfAbsent(key, k -> new ArrayList<>());
                if (metric.get("rawDataHistogram") instanceof List<?> forks) {
                    java.util.TreeMap<Double, Long> histogram = histograms.computeIfAbsent(key,
                            k -> new java.util.TreeMap<>());
                    for (Object fork : forks) {
                        for (Object iteration : (List<Object>) fork) {
                            double sum = 0;
                            long count = 0;
                            for (Object bin : (List<Object>) iteration) {
                                double value = (Double) ((List<Object>) bin).get(0);
                                long n = ((Number) ((List<Object>) bin).get(1)).longValue();
                                sum += value * n;
                                count += n;
                                histogram.merge(value, n, Long::sum);
                            }
                            if (count > 0) {
                                values.add(sum / count);
                            }
                        }
                    }
                    continue;
                }
                if (!(metric.get("rawData") instanceof List<?>)) {
                    continue; // no iterations to merge: the file's own score stands (below)
                }
                for (Object fork : (List<Object>) metric.get("rawData")) {
                    for (Object value : (List<Object>) fork) {
                        values.add((Double) value);
                    }
                }
            }
        }
        List<Result> merged = new ArrayList<>();
        first.forEach((key, r) -> {
            List<Double> values = iterations.get(key);
            if (values.isEmpty()) {
                merged.add(r); // written without raw data (by hand, or an old JMH): nothing to merge
                return;
            }
            int n = values.size();
            double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double variance = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum() / Math.max(1, n - 1);
            double error = n < 2 ? Double.NaN : studentT999(n - 1) * Math.sqrt(variance / n);
            Map<String, Double> percentiles = new LinkedHashMap<>();
            java.util.TreeMap<Double, Long> histogram = histograms.get(key);
            if (histogram != null) {
                for (String p : List.of("50.0", "99.0")) {
                    percentiles.put(p, percentile(histogram, Double.parseDouble(p) / 100));
                }
            }
            merged.add(new Result(r.benchmark(), r.mode(), r.params(), mean, error, r.unit(), percentiles,
                    forkCounts.get(key), r.threads()));
        });
        return merged;
    }

    /** {@return the smallest value with at least {@code q} of the samples at or below it} */
    static double percentile(java.util.TreeMap<Double, Long> histogram, double q) {
        long total = histogram.values().stream().mapToLong(Long::longValue).sum();
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (Map.Entry<Double, Long> bin : histogram.entrySet()) {
            seen += bin.getValue();
            if (seen >= rank) {
                return bin.getKey();
            }
        }
        return Double.NaN;
    }

    /** Two-sided 99.9% quantiles of Student's t, rounded up from a table: conservative between its rows. */
    private static double studentT999(int degrees) {
        int[] df = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 18, 20, 24, 29, 40, 60, 120};
        double[] t = {636.62, 31.599, 12.924, 8.610, 6.869, 5.959, 5.408, 5.041, 4.781, 4.587, 4.318, 4.140,
                4.015, 3.922, 3.850, 3.745, 3.659, 3.551, 3.460, 3.373};
        for (int i = df.length - 1; i >= 0; i--) {
            if (degrees >= df[i]) {
                return t[i];
            }
        }
        return t[0];
    }

    private Object value() {
        space();
        if (at >= text.length()) {
            throw error("unexpected end");
        }
        char c = text.charAt(at);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> number();
        };
    }

    private Map<String, Object> object() {
        Map<String, Object> map = new LinkedHashMap<>();
        at++;
        space();
        if (text.charAt(at) == '}') {
            at++;
            return map;
        }
        while (true) {
            space();
            String key = string();
            space();
            expect(':');
            map.put(key, value());
            space();
            if (text.charAt(at) == ',') {
                at++;
            } else {
                expect('}');
                return map;
            }
        }
    }

    private List<Object> array() {
        List<Object> list = new ArrayList<>();
        at++;
        space();
        if (text.charAt(at) == ']') {
            at++;
            return list;
        }
        while (true) {
            list.add(value());
            space();
            if (text.charAt(at) == ',') {
                at++;
            } else {
                expect(']');
                return list;
            }
        }
    }

    private String string() {
        expect('"');
        StringBuilder out = new StringBuilder();
        while (text.charAt(at) != '"') {
            char c = text.charAt(at++);
            if (c == '\\') {
                char e = text.charAt(at++);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        at += 4;
                    }
                    default -> out.append(e);
                }
            } else {
                out.append(c);
            }
        }
        at++;
        return out.toString();
    }

    private Object number() {
        int start = at;
        while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
        String n = text.substring(start, at);
        if (n.isEmpty()) {
            // JMH writes NaN scores as the string "NaN"; anything else here is not JSON
            throw error("unexpected character '" + text.charAt(start) + "'");
        }
        return Double.parseDouble(n);
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, at)) {
            throw error("expected " + word);
        }
        at += word.length();
        return value;
    }

    private void expect(char c) {
        if (at >= text.length() || text.charAt(at) != c) {
            throw error("expected '" + c + "'");
        }
        at++;
    }

    private void space() {
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
            at++;
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("JMH JSON: " + what + " at character " + at);
    }
}
