package io.github.dax4j.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.DoubleFunction;

/**
 * A line chart as SVG text, without a charting library: x on a log scale with a tick at every measured x and no
 * other; y on a log or a linear scale with ticks in the caller's units; one line per series, each with its own
 * colour (a palette told apart by people with the common colour blindnesses) and marker, an error bar on every
 * point that has one, an optional horizontal reference line, and a legend beside the plot.
 */
final class SvgChart {

    /** Okabe and Ito's palette without its yellow, which vanishes on white; then two darker extras. */
    private static final String[] COLOURS = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
            "#000000", "#8c564b", "#7f7f7f"};
    private static final String[] MARKERS = {"circle", "square", "triangle", "diamond", "down", "cross", "plus",
            "circle", "square"};
    private static final int WIDTH = 900, HEIGHT = 500, LEFT = 90, RIGHT = 280, TOP = 46, BOTTOM = 62;

    private SvgChart() {
    }

    /** A point with its error (the 99.9% half-width; NaN: none). */
    record Point(double x, double y, double error) {
    }

    /**
     * A named line. A dashed one is an anchor of the same kind as a solid one; {@code colour} picks the palette's
     * entry (so that the same mechanism has the same colour in dax4j's line and the C loop's), -1 the next one.
     */
    record Series(String name, List<Point> points, boolean dashed, int colour) {
        Series(String name, List<Point> points, boolean dashed) {
            this(name, points, dashed, -1);
        }
    }

    /**
     * @param logY     a log y axis (ticks at 1, 2 and 5 of each decade), else a linear one
     * @param yTick    labels a y value (e.g. {@link #nanos}); {@code xTick} an x value (e.g. {@link #bytes})
     * @param reference a y value to draw a dashed grey line at (NaN: none), named {@code referenceLabel}
     */
    static String chart(String title, String xLabel, String yLabel, List<Series> series, boolean logY,
                        DoubleFunction<String> xTick, DoubleFunction<String> yTick, double reference,
                        String referenceLabel) {
        TreeSet<Double> xs = new TreeSet<>();
        double minY = Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
        for (Series s : series) {
            for (Point p : s.points()) {
                xs.add(p.x());
                double e = Double.isNaN(p.error()) ? 0 : p.error();
                minY = Math.min(minY, logY ? p.y() : p.y() - e);
                maxY = Math.max(maxY, p.y() + e);
            }
        }
        if (xs.isEmpty()) {
            xs.add(1.0);
            minY = 1;
            maxY = 2;
        }
        if (!Double.isNaN(reference)) {
            minY = Math.min(minY, reference);
            maxY = Math.max(maxY, reference);
        }
        double x0 = Math.log10(xs.first()), x1 = Math.log10(xs.last());
        double pad = x1 > x0 ? (x1 - x0) * 0.04 : 0.5;
        x0 -= pad;
        x1 += pad;
        double y0, y1;
        List<Double> yTicks = new ArrayList<>();
        if (logY) {
            y0 = Math.floor(Math.log10(minY));
            y1 = Math.ceil(Math.log10(maxY));
            if (y1 <= y0) {
                y1 = y0 + 1;
            }
            int[] marks = y1 - y0 > 4 ? new int[] {1} : new int[] {1, 2, 5}; // no crowding on a wide axis
            for (double d = y0; d <= y1 + 1e-9; d++) {
                for (int m : marks) {
                    double v = m * Math.pow(10, d);
                    if (Math.log10(v) <= y1 + 1e-9) {
                        yTicks.add(v);
                    }
                }
            }
        } else {
            double span = Math.max(maxY - minY, 1e-9);
            double step = niceStep(span / 6);
            y0 = Math.floor(minY / step) * step - step;
            y1 = Math.ceil(maxY / step) * step + step;
            for (double v = y0; v <= y1 + step / 2; v += step) {
                yTicks.add(v);
            }
        }
        int plotW = WIDTH - LEFT - RIGHT, plotH = HEIGHT - TOP - BOTTOM;
        double fx0 = x0, fx1 = x1, fy0 = y0, fy1 = y1;
        java.util.function.DoubleUnaryOperator px = v -> LEFT + (Math.log10(v) - fx0) / (fx1 - fx0) * plotW;
        java.util.function.DoubleUnaryOperator py = v -> TOP + plotH
                - ((logY ? Math.log10(v) : v) - fy0) / (fy1 - fy0) * plotH;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(text(LEFT + plotW / 2.0, 24, title, "middle", 15));
        for (double x : xs) {
            svg.append(line(px.applyAsDouble(x), TOP, px.applyAsDouble(x), TOP + plotH, "#e4e4e4", ""));
            svg.append(text(px.applyAsDouble(x), TOP + plotH + 18, xTick.apply(x), "middle", 11));
        }
        for (double y : yTicks) {
            double at = py.applyAsDouble(y);
            svg.append(line(LEFT, at, LEFT + plotW, at, "#e4e4e4", ""));
            svg.append(text(LEFT - 6, at + 4, yTick.apply(y), "end", 11));
        }
        svg.append(line(LEFT, TOP + plotH, LEFT + plotW, TOP + plotH, "#000", ""));
        svg.append(line(LEFT, TOP, LEFT, TOP + plotH, "#000", ""));
        svg.append(text(LEFT + plotW / 2.0, HEIGHT - 16, xLabel, "middle", 12));
        svg.append(String.format(Locale.ROOT, "<text x=\"20\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90"
                + " 20 %.1f)\">%s</text>%n", TOP + plotH / 2.0, TOP + plotH / 2.0, escape(yLabel)));
        int legendRow = 0;
        if (!Double.isNaN(reference)) {
            double at = py.applyAsDouble(reference);
            svg.append(line(LEFT, at, LEFT + plotW, at, "#555", "6 4"));
            double ly = TOP + 8;
            svg.append(line(WIDTH - RIGHT + 16, ly, WIDTH - RIGHT + 46, ly, "#555", "6 4"));
            svg.append(text(WIDTH - RIGHT + 54, ly + 4, referenceLabel, "start", 11));
            legendRow++;
        }
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            String colour = COLOURS[(s.colour() >= 0 ? s.colour() : i) % COLOURS.length];
            String marker = MARKERS[i % MARKERS.length];
            String dash = s.dashed() ? "5 3" : "";
            StringBuilder points = new StringBuilder();
            for (Point p : s.points()) {
                double x = px.applyAsDouble(p.x()), y = py.applyAsDouble(p.y());
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                if (!Double.isNaN(p.error()) && p.error() > 0) {
                    double lo = p.y() - p.error(), hi = p.y() + p.error();
                    double ylo = logY && lo <= 0 ? TOP + plotH : py.applyAsDouble(lo), yhi = py.applyAsDouble(hi);
                    svg.append(line(x, ylo, x, yhi, colour, ""));
                    svg.append(line(x - 4, ylo, x + 4, ylo, colour, ""));
                    svg.append(line(x - 4, yhi, x + 4, yhi, colour, ""));
                }
            }
            if (s.points().size() > 1) {
                svg.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\""
                        + " stroke-width=\"1.8\"%s/>%n", points.toString().trim(), colour,
                        dash.isEmpty() ? "" : " stroke-dasharray=\"" + dash + "\""));
            }
            for (Point p : s.points()) {
                svg.append(marker(marker, px.applyAsDouble(p.x()), py.applyAsDouble(p.y()), colour));
            }
            double ly = TOP + 8 + legendRow++ * 20;
            svg.append(line(WIDTH - RIGHT + 16, ly, WIDTH - RIGHT + 46, ly, colour, dash));
            svg.append(marker(marker, WIDTH - RIGHT + 31, ly, colour));
            svg.append(text(WIDTH - RIGHT + 54, ly + 4, s.name(), "start", 11));
        }
        return svg.append("</svg>\n").toString();
    }

    private static double niceStep(double raw) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * magnitude >= raw) {
                return m * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String marker(String shape, double x, double y, String colour) {
        double r = 4.5;
        return switch (shape) {
            case "square" -> String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
                    + " fill=\"%s\"/>%n", x - r, y - r, 2 * r, 2 * r, colour);
            case "triangle" -> polygon(colour, x, y - r - 1, x - r - 1, y + r, x + r + 1, y + r);
            case "down" -> polygon(colour, x, y + r + 1, x - r - 1, y - r, x + r + 1, y - r);
            case "diamond" -> polygon(colour, x, y - r - 1, x + r + 1, y, x, y + r + 1, x - r - 1, y);
            case "cross" -> line(x - r, y - r, x + r, y + r, colour, "", 2.5) + line(x - r, y + r, x + r, y - r, colour,
                    "", 2.5);
            case "plus" -> line(x - r - 1, y, x + r + 1, y, colour, "", 2.5) + line(x, y - r - 1, x, y + r + 1, colour,
                    "", 2.5);
            default -> String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"/>%n", x, y,
                    r, colour);
        };
    }

    private static String polygon(String colour, double... xy) {
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < xy.length; i += 2) {
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", xy[i], xy[i + 1]));
        }
        return "<polygon points=\"" + points.toString().trim() + "\" fill=\"" + colour + "\"/>\n";
    }

    private static String line(double x1, double y1, double x2, double y2, String colour, String dash) {
        return line(x1, y1, x2, y2, colour, dash, 1.2);
    }

    private static String line(double x1, double y1, double x2, double y2, String colour, String dash, double width) {
        return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\""
                + " stroke-width=\"%.1f\"%s/>%n", x1, y1, x2, y2, colour, width,
                dash.isEmpty() ? "" : " stroke-dasharray=\"" + dash + "\"");
    }

    private static String text(double x, double y, String s, String anchor, int size) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">%s</text>%n",
                x, y, anchor, size, escape(s));
    }

    /** {@return a size in bytes as people write it: 64 B, 4 KiB, 2 MiB} */
    static String bytes(double value) {
        double b = Math.rint(value);
        if (b >= 1 << 30) return fmt(b / (1 << 30)) + " GiB";
        if (b >= 1 << 20) return fmt(b / (1 << 20)) + " MiB";
        if (b >= 1 << 10) return fmt(b / (1 << 10)) + " KiB";
        return fmt(b) + " B";
    }

    /** {@return a time given in nanoseconds in the unit that reads best: 500 ns, 2 us, 1 ms, 3 s} */
    static String nanos(double ns) {
        if (ns >= 1e9) return fmt(ns / 1e9) + " s";
        if (ns >= 1e6) return fmt(ns / 1e6) + " ms";
        if (ns >= 1e3) return fmt(ns / 1e3) + " us";
        return fmt(ns) + " ns";
    }

    /** {@return {@code v} with up to 3 significant digits and no trailing zeros: 0.5, 20, 1.25} */
    static String number(double v) {
        return v >= 1 ? fmt(v) : new java.math.BigDecimal(String.format(Locale.ROOT, "%.3g", v)).stripTrailingZeros()
                .toPlainString();
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.3g", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
