package dev.hourglass.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchChartsTest {
  static {
    System.setProperty("java.awt.headless", "true");
  }

  @Test
  void shouldDrawLinesOnTwoAxesAsAPng(@TempDir Path dir) throws IOException {
    double[] t = {1, 2, 3};
    Path png =
        BenchCharts.overTime(
            dir.resolve("over-time.png"),
            "title",
            "events/s",
            List.of(new BenchCharts.Line("rate", t, new double[] {10, 20, 30})),
            "lag",
            List.of(new BenchCharts.Line("lag", t, new double[] {5, 0, 0})));

    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(BenchCharts.WIDTH);
    assertThat(image.getHeight()).isEqualTo(BenchCharts.HEIGHT);
  }

  @Test
  void shouldDrawALatencyDistributionAsAPng(@TempDir Path dir) throws IOException {
    Histogram micros = new Histogram(3_600_000_000L, 3);
    for (int i = 1; i <= 1000; i++) {
      micros.recordValue(i * 1000L);
    }
    Path png =
        BenchCharts.latencyDistribution(
            dir.resolve("latency.png"),
            "title",
            List.of(
                new BenchCharts.Distribution("a", micros, 0.001),
                new BenchCharts.Distribution("empty", new Histogram(3), 0.001)));

    assertThat(ImageIO.read(png.toFile()).getWidth()).isEqualTo(BenchCharts.WIDTH);
  }
}
