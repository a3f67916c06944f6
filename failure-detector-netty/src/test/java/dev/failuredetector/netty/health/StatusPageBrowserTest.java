package dev.failuredetector.netty.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page ({@code GET /}) in a real headless browser (Debian's Chromium; {@code .ci/run}
 * installs it): the rendered page must list every peer with its state, and a screenshot of it
 * must not be blank. Skipped, saying so, where Chromium is not installed.
 */
class StatusPageBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  @TempDir
  Path dir;

  private final ManualRegistry peers = ManualRegistry.abcd();
  private HealthServer server;

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
    peers.close();
  }

  private List<String> chromium(String... args) {
    List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless",
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + dir.resolve("profile")));
    command.addAll(List.of(args));
    return command;
  }

  private String run(List<String> command) throws IOException, InterruptedException {
    Process browser = new ProcessBuilder(command).redirectError(dir.resolve("chromium.log").toFile())
        .start();
    byte[] out = browser.getInputStream().readAllBytes();
    assertThat(browser.waitFor(60, TimeUnit.SECONDS)).as("chromium finished").isTrue();
    return new String(out, StandardCharsets.UTF_8);
  }

  @Test
  void statusPage_inHeadlessChromium_showsEveryPeer() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM), "chromium is not installed (.ci/run installs it)");
    peers.suspectOnlyD();
    server = HealthServer.builder(HealthView.of(peers.registry))
        .http(new InetSocketAddress("127.0.0.1", 0)).build().start();
    String url = "http://127.0.0.1:" + server.httpAddress().getPort() + "/";

    String dom = run(chromium("--dump-dom", url));
    Matcher rows = Pattern.compile("<tr class=\"peer\" data-peer=\"([a-d])\"><td>\\1</td>"
        + "<td class=\"(\\w+)\">").matcher(dom);
    List<String> seen = new ArrayList<>();
    while (rows.find()) {
      seen.add(rows.group(1) + "=" + rows.group(2));
    }
    assertThat(seen).as(dom).containsExactly("a=AVAILABLE", "b=AVAILABLE", "c=AVAILABLE",
        "d=SUSPECTED");
    assertThat(dom).contains("3 of 4 peers up; 1 suspected");

    Path png = dir.resolve("status.png");
    run(chromium("--screenshot=" + png, "--window-size=900,420", url));
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image).as("a screenshot was written").isNotNull();
    int inked = 0;
    for (int y = 0; y < image.getHeight(); y += 2) {
      for (int x = 0; x < image.getWidth(); x += 2) {
        int rgb = image.getRGB(x, y) & 0xffffff;
        if (((rgb >> 16) & 0xff) + ((rgb >> 8) & 0xff) + (rgb & 0xff) < 600) {
          inked++;
        }
      }
    }
    assertThat(inked).as("pixels that are not white: the page is not blank").isGreaterThan(500);
    Files.copy(png, Path.of("target", "status-page.png"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }
}
