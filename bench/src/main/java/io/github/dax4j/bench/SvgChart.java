package io.github.dax4j.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A log-log line chart as SVG text: one polyline per series, a legend, decade grid lines. Enough for "latency vs
 * size per mechanism" without a charting library.
 */
final class SvgChart {

    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
            "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939"};
    private static final int WIDTH = 860, HEIGHT = 480, LEFT = 80, RIGHT = 230, TOP = 40, BOTTOM = 60;

    private SvgChart() {
    }

    /**
     * @param series name -> points {x, y}, both positive; points are drawn in the order given; x is a size in bytes
     */
    static String logLog(String title, String xLabel, String yLabel, Map<String, List<double[]>> series) {
        return logLog(title, xLabel, yLabel, series, SvgChart::bytes);
    }

    /** {@link #logLog(String, String, String, Map)} with x a count, or whatever {@code xTick} labels. */
    static String logLog(String title, String xLabel, String yLabel, Map<String, List<double[]>> series,
                         java.util.function.DoubleFunction<String> xTick) {
        double minX = Double.MAX_VALUE, maxX = 0, minY = Double.MAX_VALUE, maxY = 0;
        for (List<double[]> points : series.values()) {
            for (double[] p : points) {
                minX = Math.min(minX, p[0]);
                maxX = Math.max(maxX, p[0]);
                minY = Math.min(minY, p[1]);
                maxY = Math.max(maxY, p[1]);
            }
        }
        // x: ticks at powers of 4 (sizes: 64 B, 256 B, 1 KiB, ...); y: decades
        double log4 = Math.log10(4);
        double x0 = Math.floor(Math.log10(minX) / log4) * log4, x1 = Math.ceil(Math.log10(maxX) / log4) * log4;
        double y0 = Math.floor(Math.log10(minY)), y1 = Math.ceil(Math.log10(maxY));
        if (x1 <= x0) x1 = x0 + log4;
        if (y1 == y0) y1++;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(text(WIDTH / 2.0, 22, title, "middle", 15));
        int plotW = WIDTH - LEFT - RIGHT, plotH = HEIGHT - TOP - BOTTOM;
        for (double d = x0; d <= x1 + 1e-9; d += log4) {
            double x = LEFT + (d - x0) / (x1 - x0) * plotW;
            svg.append(line(x, TOP, x, TOP + plotH, "#ddd"));
            svg.append(text(x, TOP + plotH + 18, xTick.apply(Math.pow(10, d)), "middle", 11));
        }
        for (double d = y0; d <= y1; d++) {
            double y = TOP + plotH - (d - y0) / (y1 - y0) * plotH;
            svg.append(line(LEFT, y, LEFT + plotW, y, "#ddd"));
            svg.append(text(LEFT - 6, y + 4, number(Math.pow(10, d)), "end", 11));
        }
        svg.append(line(LEFT, TOP + plotH, LEFT + plotW, TOP + plotH, "#000"));
        svg.append(line(LEFT, TOP, LEFT, TOP + plotH, "#000"));
        svg.append(text(LEFT + plotW / 2.0, HEIGHT - 15, xLabel, "middle", 12));
        svg.append(String.format(Locale.ROOT, "<text x=\"18\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 18"
                + " %.1f)\">%s</text>%n", TOP + plotH / 2.0, TOP + plotH / 2.0, escape(yLabel)));
        int i = 0;
        for (Map.Entry<String, List<double[]>> s : series.entrySet()) {
            String colour = COLOURS[i % COLOURS.length];
            StringBuilder points = new StringBuilder();
            for (double[] p : s.getValue()) {
                double x = LEFT + (Math.log10(p[0]) - x0) / (x1 - x0) * plotW;
                double y = TOP + plotH - (Math.log10(p[1]) - y0) / (y1 - y0) * plotH;
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>%n",
                        x, y, colour));
            }
            svg.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\""
                    + " stroke-width=\"1.6\"/>%n", points.toString().trim(), colour));
            double ly = TOP + 10 + i * 18;
            svg.append(line(WIDTH - RIGHT + 15, ly, WIDTH - RIGHT + 40, ly, colour));
            svg.append(text(WIDTH - RIGHT + 46, ly + 4, s.getKey(), "start", 11));
            i++;
        }
        return svg.append("</svg>\n").toString();
    }

    /** One row of a {@link #ratios} chart: the ratio with its interval, and the bar it is held to. */
    record Ratio(String label, double ratio, double low, double high, double bar, boolean higherIsBetter) {
    }

    /**
     * A dot plot of ratios to an anchor, one row each: the dot is the ratio, the whisker its interval, a dashed line
     * marks parity (1.0) and a red tick each row's bar. Green where the ratio meets the bar, orange where it misses
     * it but the interval reaches it, red otherwise.
     */
    static String ratios(String title, String xLabel, List<Ratio> rows) {
        double lo = 0.9, hi = 1.1;
        for (Ratio r : rows) {
            lo = Math.min(lo, Math.min(r.low(), r.bar()));
            hi = Math.max(hi, Math.max(r.high(), r.bar()));
        }
        lo = Math.floor(lo * 20) / 20;
        hi = Math.ceil(hi * 20) / 20;
        int left = 230, right = 40, top = 50, rowHeight = 26;
        int width = 860, height = top + rows.size() * rowHeight + 60;
        double plot = width - left - right;
        double scale = plot / (hi - lo);
        double lowX = lo;
        java.util.function.DoubleUnaryOperator x = v -> left + (v - lowX) * scale;
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\">%n"
                        + "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", width, height));
        svg.append(text(width / 2.0, 24, title, "middle", 15));
        double bottom = top + rows.size() * rowHeight;
        for (double t = lo; t <= hi + 1e-9; t += 0.05) {
            double tx = x.applyAsDouble(t);
            svg.append(line(tx, top - 6, tx, bottom, "#e0e0e0"));
            svg.append(text(tx, bottom + 18, String.format(Locale.ROOT, "%.2f", t), "middle", 11));
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#444\""
                + " stroke-dasharray=\"4 3\"/>%n", x.applyAsDouble(1), top - 6, x.applyAsDouble(1), bottom));
        svg.append(text(left + plot / 2, bottom + 42, xLabel, "middle", 12));
        for (int i = 0; i < rows.size(); i++) {
            Ratio r = rows.get(i);
            double y = top + i * rowHeight + rowHeight / 2.0;
            boolean met = r.higherIsBetter() ? r.ratio() >= r.bar() : r.ratio() <= r.bar();
            boolean reaches = r.higherIsBetter() ? r.high() >= r.bar() : r.low() <= r.bar();
            String colour = met ? "#2ca02c" : reaches ? "#ff7f0e" : "#d62728";
            svg.append(text(left - 10, y + 4, r.label(), "end", 12));
            svg.append(line(x.applyAsDouble(r.low()), y, x.applyAsDouble(r.high()), y, colour));
            svg.append(line(x.applyAsDouble(r.low()), y - 4, x.applyAsDouble(r.low()), y + 4, colour));
            svg.append(line(x.applyAsDouble(r.high()), y - 4, x.applyAsDouble(r.high()), y + 4, colour));
            svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>%n",
                    x.applyAsDouble(r.ratio()), y, colour));
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\""
                    + " stroke=\"#d62728\" stroke-width=\"2\"/>%n", x.applyAsDouble(r.bar()), y - 8,
                    x.applyAsDouble(r.bar()), y + 8));
        }
        return svg.append("</svg>\n").toString();
    }

    private static String line(double x1, double y1, double x2, double y2, String colour) {
        return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>%n",
                x1, y1, x2, y2, colour);
    }

    private static String text(double x, double y, String s, String anchor, int size) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">%s</text>%n",
                x, y, anchor, size, escape(s));
    }

    static String bytes(double value) {
        double b = Math.rint(value);
        if (b >= 1 << 30) return fmt(b / (1 << 30)) + " GiB";
        if (b >= 1 << 20) return fmt(b / (1 << 20)) + " MiB";
        if (b >= 1 << 10) return fmt(b / (1 << 10)) + " KiB";
        return fmt(b) + " B";
    }

    static String number(double v) {
        return v >= 1 ? fmt(v) : String.format(Locale.ROOT, "%.3g", v);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.3g", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
