package dev.failuredetector.cli;

import dev.failuredetector.qos.QosAdvisor;
import dev.failuredetector.qos.QosCurve;
import dev.failuredetector.qos.QosPoint;
import dev.failuredetector.qos.QosReport;
import dev.failuredetector.qos.QosTarget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What {@code tune} measured and chose, written for machines: {@link #writeJson} (the curves and
 * the recommendation) and {@link #writeCsv} (the curves, one row per setting tried). Times in
 * seconds, rates per day.
 *
 * @param trace the trace file
 * @param heartbeats heartbeats in it
 * @param intervalNanos the heartbeat interval tuned for
 * @param warmup heartbeats ignored at the start
 * @param target the target
 * @param headroom the headroom kept below a mistake budget
 * @param curves every detector's curve
 * @param advice the recommendation
 * @param atEdge whether the pick is the first or last setting its sweep tried
 */
record TuneReport(Path trace, int heartbeats, long intervalNanos, int warmup, QosTarget target,
    double headroom, List<QosCurve> curves, QosAdvisor.Recommendation advice, boolean atEdge) {

  private static final String CSV_HEADER = "detector,setting,value,spec,detection_mean_s,"
      + "detection_p99_s,detection_max_s,mistakes,mistakes_per_day,mistakes_per_day_upper95,"
      + "worst_window_mistakes,window_s,mean_mistake_duration_s,query_accuracy";

  void writeCsv(Path file) throws IOException {
    StringBuilder csv = new StringBuilder(CSV_HEADER).append('\n');
    for (QosCurve curve : curves) {
      for (QosPoint point : curve.points()) {
        QosReport r = point.report();
        csv.append(csvField(curve.detector())).append(',').append(csvField(curve.setting()))
            .append(',').append(number(point.setting())).append(',')
            .append(csvField(point.spec() == null ? "" : point.spec().toString())).append(',')
            .append(number(r.detectionTimeMeanNanos() / 1e9)).append(',')
            .append(number(r.detectionTimeP99Nanos() / 1e9)).append(',')
            .append(number(r.detectionTimeMaxNanos() / 1e9)).append(',')
            .append(r.mistakes()).append(',').append(number(r.mistakesPerDay())).append(',')
            .append(number(r.mistakesPerDayUpper95())).append(',')
            .append(r.worstWindowMistakes()).append(',').append(number(r.windowNanos() / 1e9))
            .append(',').append(number(r.meanMistakeDurationNanos() / 1e9)).append(',')
            .append(number(r.queryAccuracy())).append('\n');
      }
    }
    Files.writeString(file, csv, StandardCharsets.UTF_8);
  }

  void writeJson(Path file) throws IOException {
    StringBuilder json = new StringBuilder("{\n  \"trace\": {\"file\": ").append(string(
        trace.toString())).append(", \"heartbeats\": ").append(heartbeats)
        .append(", \"intervalSeconds\": ").append(number(intervalNanos / 1e9))
        .append(", \"warmup\": ").append(warmup).append("},\n  \"target\": ");
    if (target instanceof QosTarget.MaxMistakesPerDay budget) {
      json.append("{\"maxMistakesPerDay\": ").append(number(budget.perDay()))
          .append(", \"headroom\": ").append(number(headroom)).append('}');
    } else {
      json.append("{\"maxDetectionTimeP99Seconds\": ").append(number(
          ((QosTarget.MaxDetectionTime) target).limit().toNanos() / 1e9)).append('}');
    }
    json.append(",\n  \"recommendation\": {\"met\": ").append(advice.met())
        .append(", \"detector\": ").append(string(advice.detector()))
        .append(", \"spec\": ").append(advice.point().spec() == null ? "null"
            : string(advice.point().spec().toString()))
        .append(", \"atEdgeOfSweep\": ").append(atEdge)
        .append(", \"explanation\": ").append(string(advice.explanation()))
        .append(", \"quality\": ");
    point(json, advice.point());
    json.append("},\n  \"curves\": [");
    for (int c = 0; c < curves.size(); c++) {
      QosCurve curve = curves.get(c);
      json.append(c == 0 ? "\n" : ",\n").append("    {\"detector\": ")
          .append(string(curve.detector())).append(", \"setting\": ")
          .append(string(curve.setting())).append(", \"points\": [");
      for (int p = 0; p < curve.points().size(); p++) {
        json.append(p == 0 ? "\n      " : ",\n      ");
        point(json, curve.points().get(p));
      }
      json.append("]}");
    }
    json.append("\n  ]\n}\n");
    Files.writeString(file, json, StandardCharsets.UTF_8);
  }

  private static void point(StringBuilder json, QosPoint point) {
    QosReport r = point.report();
    json.append("{\"value\": ").append(number(point.setting()))
        .append(", \"spec\": ").append(point.spec() == null ? "null"
            : string(point.spec().toString()))
        .append(", \"detectionTimeMeanSeconds\": ").append(number(r.detectionTimeMeanNanos() / 1e9))
        .append(", \"detectionTimeP99Seconds\": ").append(number(r.detectionTimeP99Nanos() / 1e9))
        .append(", \"detectionTimeMaxSeconds\": ").append(number(r.detectionTimeMaxNanos() / 1e9))
        .append(", \"mistakes\": ").append(r.mistakes())
        .append(", \"mistakesPerDay\": ").append(number(r.mistakesPerDay()))
        .append(", \"mistakesPerDayUpper95\": ").append(number(r.mistakesPerDayUpper95()))
        .append(", \"worstWindowMistakes\": ").append(r.worstWindowMistakes())
        .append(", \"windowSeconds\": ").append(number(r.windowNanos() / 1e9))
        .append(", \"meanMistakeDurationSeconds\": ")
        .append(number(r.meanMistakeDurationNanos() / 1e9))
        .append(", \"queryAccuracy\": ").append(number(r.queryAccuracy())).append('}');
  }

  /** A JSON number; a value JSON cannot hold (NaN, infinite) as null. */
  static String number(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return "null";
    }
    return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
        : String.format(Locale.ROOT, "%.9g", value).replaceAll("0+(e|$)", "$1")
            .replaceAll("\\.(e|$)", "$1");
  }

  static String string(String text) {
    StringBuilder json = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        default -> {
          if (c < 0x20) {
            json.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    return json.append('"').toString();
  }

  private static String csvField(String text) {
    return text.contains(",") || text.contains("\"")
        ? '"' + text.replace("\"", "\"\"") + '"' : text;
  }
}
