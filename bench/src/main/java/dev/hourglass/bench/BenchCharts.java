package dev.hourglass.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.List;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.HistogramIterationValue;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The PNG charts of {@code hourglass bench}, drawn with JFreeChart (headless). */
final class BenchCharts {
  static final int WIDTH = 1000;
  static final int HEIGHT = 560;

  /** One line of a chart. */
  record Line(String name, double[] x, double[] y) {
    Line {
      if (x.length != y.length) {
        throw new IllegalArgumentException(name + ": " + x.length + " x but " + y.length + " y");
      }
    }
  }

  /** One latency distribution, in the unit of its histogram's values ({@code unit} per value). */
  record Distribution(String name, AbstractHistogram histogram, double unitsPerValue) {}

  private BenchCharts() {}

  /**
   * Lines over time, the {@code left} ones on the left axis and the {@code right} ones (dashed) on
   * a second axis at the right: throughput and lag on one picture.
   */
  static Path overTime(
      Path png,
      String title,
      String leftLabel,
      List<Line> left,
      String rightLabel,
      List<Line> right) {
    XYPlot plot = new XYPlot();
    plot.setDomainAxis(new NumberAxis("seconds since the start"));
    plot.setRangeAxis(0, new NumberAxis(leftLabel));
    plot.setDataset(0, collection(left));
    plot.setRenderer(0, renderer(false));
    if (!right.isEmpty()) {
      plot.setRangeAxis(1, new NumberAxis(rightLabel));
      plot.setDataset(1, collection(right));
      plot.setRenderer(1, renderer(true));
      plot.mapDatasetToRangeAxis(1, 1);
    }
    return save(png, new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true));
  }

  /**
   * The percentile distribution of each histogram: latency (log scale) against percentile, the x
   * axis stretched towards the tail as HdrHistogram plots do (x = 1 / (1 - percentile)).
   */
  static Path latencyDistribution(Path png, String title, List<Distribution> distributions) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Distribution d : distributions) {
      XYSeries s = new XYSeries(d.name(), false, true);
      if (d.histogram().getTotalCount() > 0) {
        for (HistogramIterationValue v : d.histogram().percentiles(5)) {
          double p = v.getPercentileLevelIteratedTo() / 100.0;
          if (p >= 0.99999) {
            break;
          }
          double value = v.getValueIteratedTo() * d.unitsPerValue();
          s.add(1 / (1 - p), Math.max(value, 0.01));
        }
        s.add(1 / (1 - 0.99999), Math.max(d.histogram().getMaxValue() * d.unitsPerValue(), 0.01));
      }
      data.addSeries(s);
    }
    LogAxis x = new LogAxis("percentile");
    x.setBase(10);
    x.setSmallestValue(1);
    x.setNumberFormatOverride(new PercentileFormat());
    // One tick per power of ten: 0%, 90%, 99%, 99.9%, ...
    x.setTickUnit(new NumberTickUnit(1));
    LogAxis y = new LogAxis("latency (ms)");
    y.setBase(10);
    y.setSmallestValue(0.01);
    y.setNumberFormatOverride(new DecimalFormat("#,##0.##"));
    y.setTickUnit(new NumberTickUnit(1));
    XYPlot plot = new XYPlot(data, x, y, renderer(false));
    return save(png, new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true));
  }

  private static XYSeriesCollection collection(List<Line> lines) {
    XYSeriesCollection c = new XYSeriesCollection();
    for (Line line : lines) {
      XYSeries s = new XYSeries(line.name(), false, true);
      for (int i = 0; i < line.x().length; i++) {
        s.add(line.x()[i], line.y()[i]);
      }
      c.addSeries(s);
    }
    return c;
  }

  private static final Color[] COLORS = {
    new Color(0x1f77b4),
    new Color(0xd62728),
    new Color(0x2ca02c),
    new Color(0xff7f0e),
    new Color(0x9467bd),
    new Color(0x8c564b),
    new Color(0xe377c2),
    new Color(0x7f7f7f),
    new Color(0x17becf),
    new Color(0xbcbd22)
  };

  private static XYLineAndShapeRenderer renderer(boolean dashed) {
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
    for (int i = 0; i < COLORS.length; i++) {
      // The second axis' lines take colours from the other end, so no two lines look alike.
      r.setSeriesPaint(i, COLORS[dashed ? COLORS.length - 1 - i : i]);
      r.setSeriesStroke(
          i,
          dashed
              ? new BasicStroke(
                  2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f)
              : new BasicStroke(2f));
    }
    return r;
  }

  private static Path save(Path png, JFreeChart chart) {
    chart.setBackgroundPaint(Color.WHITE);
    chart.getXYPlot().setBackgroundPaint(Color.WHITE);
    chart.getXYPlot().setDomainGridlinePaint(Color.LIGHT_GRAY);
    chart.getXYPlot().setRangeGridlinePaint(Color.LIGHT_GRAY);
    try {
      Files.createDirectories(png.toAbsolutePath().getParent());
      ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
      return png;
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the chart " + png, e);
    }
  }

  /** Labels the stretched percentile axis: 10 reads 90%, 100 reads 99%, 1000 reads 99.9%. */
  private static final class PercentileFormat extends NumberFormat {
    private static final long serialVersionUID = 1L;

    @Override
    public StringBuffer format(double number, StringBuffer to, FieldPosition pos) {
      double percentile = (1 - 1 / number) * 100;
      return to.append(new DecimalFormat("0.###").format(percentile)).append('%');
    }

    @Override
    public StringBuffer format(long number, StringBuffer to, FieldPosition pos) {
      return format((double) number, to, pos);
    }

    @Override
    public Number parse(String source, ParsePosition pos) {
      throw new UnsupportedOperationException("percentile labels are only drawn");
    }
  }
}
