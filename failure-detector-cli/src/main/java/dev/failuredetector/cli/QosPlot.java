package dev.failuredetector.cli;

import dev.failuredetector.qos.QosAdvisor;
import dev.failuredetector.qos.QosCurve;
import dev.failuredetector.qos.QosPoint;
import dev.failuredetector.qos.QosTarget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code tune --plot FILE.svg}: the 99th percentile of detection time (log scale) against mistakes
 * per day (log scale; zero mistakes at the left edge), one line per detector, the target as a
 * dashed line and the chosen setting circled. Plain SVG 1.1, no script, no external resource.
 */
final class QosPlot {

  private static final int WIDTH = 860;
  private static final int HEIGHT = 520;
  private static final int LEFT = 80;
  private static final int RIGHT = 200;
  private static final int TOP = 40;
  private static final int BOTTOM = 60;
  private static final String[] COLORS = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};

  private QosPlot() {}

  static void write(Path file, List<QosCurve> curves, QosTarget target,
      QosAdvisor.Recommendation advice) throws IOException {
    double minRate = Double.POSITIVE_INFINITY;
    double maxRate = 0;
    boolean p99 = target instanceof QosTarget.MaxDetectionTime;
    double minTime = Double.POSITIVE_INFINITY;
    double maxTime = 0;
    for (QosCurve curve : curves) {
      for (QosPoint point : curve.points()) {
        double rate = point.report().mistakesPerDay();
        if (rate > 0) {
          minRate = Math.min(minRate, rate);
          maxRate = Math.max(maxRate, rate);
        }
        double time = seconds(point, p99);
        minTime = Math.min(minTime, time);
        maxTime = Math.max(maxTime, time);
      }
    }
    if (target instanceof QosTarget.MaxMistakesPerDay budget && budget.perDay() > 0) {
      minRate = Math.min(minRate, budget.perDay());
      maxRate = Math.max(maxRate, budget.perDay());
    } else if (target instanceof QosTarget.MaxDetectionTime limit) {
      minTime = Math.min(minTime, limit.limit().toNanos() / 1e9);
      maxTime = Math.max(maxTime, limit.limit().toNanos() / 1e9);
    }
    if (!(minRate < Double.POSITIVE_INFINITY)) { // no mistakes anywhere
      minRate = 0.1;
      maxRate = 10;
    }
    Axis x = new Axis(Math.floor(Math.log10(minRate)) - 0.5, Math.ceil(Math.log10(maxRate)),
        LEFT + 30, WIDTH - RIGHT);
    Axis y = new Axis(Math.floor(Math.log10(Math.max(minTime, 1e-6))),
        Math.ceil(Math.log10(Math.max(maxTime, 1e-6) * 1.01)), HEIGHT - BOTTOM, TOP);
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>%n<svg"
        + " xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
        + " font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    // The statistic the advice chose by (p99 above): the mean for a mistake budget, the p99 for
    // a detection time limit, so the circled pick is where the rule put it.
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\">Detection time"
        + " (%s) against mistakes per day</text>%n", LEFT, p99 ? "p99" : "mean"));
    // Grid and ticks: one per decade.
    for (int decade = (int) Math.ceil(x.low); decade <= x.high; decade++) {
      double px = x.at(decade);
      svg.append(line(px, TOP, px, HEIGHT - BOTTOM, "#e0e0e0", ""));
      svg.append(text(px, HEIGHT - BOTTOM + 16, "middle", tick(decade)));
    }
    svg.append(line(LEFT, TOP, LEFT, HEIGHT - BOTTOM, "#e0e0e0", ""));
    svg.append(text(LEFT, HEIGHT - BOTTOM + 16, "middle", "0"));
    for (int decade = (int) Math.ceil(y.low); decade <= y.high; decade++) {
      double py = y.at(decade);
      svg.append(line(LEFT, py, WIDTH - RIGHT, py, "#e0e0e0", ""));
      svg.append(text(LEFT - 6, py + 4, "end", tick(decade) + " s"));
    }
    svg.append(line(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM, "black", ""));
    svg.append(line(LEFT, TOP, LEFT, HEIGHT - BOTTOM, "black", ""));
    svg.append(text((LEFT + WIDTH - RIGHT) / 2.0, HEIGHT - 18, "middle",
        "mistakes per day (log scale; 0 at the left)"));
    svg.append(String.format(Locale.ROOT, "<text x=\"18\" y=\"%d\" transform=\"rotate(-90 18 %d)\""
        + " text-anchor=\"middle\">detection time, %s (log scale)</text>%n",
        (TOP + HEIGHT - BOTTOM) / 2, (TOP + HEIGHT - BOTTOM) / 2,
        p99 ? "99th percentile" : "mean"));
    // The target.
    if (target instanceof QosTarget.MaxMistakesPerDay budget && budget.perDay() > 0) {
      double px = x.at(Math.log10(budget.perDay()));
      svg.append(line(px, TOP, px, HEIGHT - BOTTOM, "black", " stroke-dasharray=\"6 4\""));
      svg.append(text(px + 4, TOP + 12, "start", "target " + QosAdvisor.rate(budget.perDay())
          + "/day"));
    } else if (target instanceof QosTarget.MaxDetectionTime limit) {
      double py = y.at(Math.log10(limit.limit().toNanos() / 1e9));
      svg.append(line(LEFT, py, WIDTH - RIGHT, py, "black", " stroke-dasharray=\"6 4\""));
      svg.append(text(WIDTH - RIGHT - 4, py - 4, "end", "target p99 "
          + limit.limit().toMillis() + " ms"));
    }
    // One line per detector, and its legend entry.
    for (int c = 0; c < curves.size(); c++) {
      String color = COLORS[c % COLORS.length];
      StringBuilder points = new StringBuilder();
      for (QosPoint point : curves.get(c).points()) {
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", xOf(x, point),
            y.at(Math.log10(Math.max(seconds(point, p99), 1e-6)))));
      }
      svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\""
          + " stroke-width=\"2\" points=\"%s\"/>%n", color, points.toString().trim()));
      double ly = TOP + 10 + 18 * c;
      svg.append(line(WIDTH - RIGHT + 16, ly, WIDTH - RIGHT + 40, ly, color,
          " stroke-width=\"3\""));
      svg.append(text(WIDTH - RIGHT + 46, ly + 4, "start", curves.get(c).detector()));
    }
    // The chosen point.
    QosPoint chosen = advice.point();
    double cx = xOf(x, chosen);
    double cy = y.at(Math.log10(Math.max(seconds(chosen, p99), 1e-6)));
    svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"7\" fill=\"none\""
        + " stroke=\"black\" stroke-width=\"2.5\"/>%n", cx, cy));
    svg.append(text(cx + 10, cy - 8, "start", (advice.met() ? "chosen: " : "closest: ")
        + advice.detector() + " " + QosAdvisor.format(chosen.setting())));
    svg.append("</svg>\n");
    Files.writeString(file, svg, StandardCharsets.UTF_8);
  }

  private static double xOf(Axis x, QosPoint point) {
    double rate = point.report().mistakesPerDay();
    return rate > 0 ? x.at(Math.log10(rate)) : LEFT;
  }

  private static double seconds(QosPoint point, boolean p99) {
    return (p99 ? point.report().detectionTimeP99Nanos()
        : point.report().detectionTimeMeanNanos()) / 1e9;
  }

  private static String tick(int decade) {
    return decade >= 0 ? String.format(Locale.ROOT, "%.0f", Math.pow(10, decade))
        : String.format(Locale.ROOT, "%." + (-decade) + "f", Math.pow(10, decade));
  }

  private static String line(double x1, double y1, double x2, double y2, String color,
      String extra) {
    return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\""
        + " stroke=\"%s\"%s/>%n", x1, y1, x2, y2, color, extra);
  }

  private static String text(double x, double y, String anchor, String content) {
    return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>%n",
        x, y, anchor, content.replace("&", "&amp;").replace("<", "&lt;"));
  }

  /** A log10 range mapped onto pixels. */
  private record Axis(double low, double high, double from, double to) {
    double at(double log) {
      double span = high - low;
      return from + (to - from) * (span == 0 ? 0.5 : (log - low) / span);
    }
  }
}
