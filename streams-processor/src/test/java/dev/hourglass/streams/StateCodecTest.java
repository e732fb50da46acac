package dev.hourglass.streams;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StateCodecTest {

  private static WindowState window(String org, String entity, String label) {
    Measures m = Families.AGENT.empty();
    m.longs[0] = 500;
    m.longs[4] = Long.MAX_VALUE;
    m.doubles[0] = 0.1 + 0.2;
    m.histogram[0] = 3;
    m.histogram[77] = 1L << 40;
    m.histogram[127] = 9;
    return new WindowState(org, entity, label, 1_763_632_800_000L, 7, true, m);
  }

  @Test
  void shouldWriteAnAsciiWindowExactlyAsTheStreamEncodingDoes() {
    WindowState w =
        window(
            "00000000-0000-4000-8000-000000000001",
            "00000000-0000-4000-8000-0000000000b1",
            "codegen");

    byte[] bytes = StateCodec.window(w);

    assertThat(bytes).isEqualTo(StateCodec.windowStream(w));
    assertThat(bytes).hasSize(1 + 38 + 38 + 9 + 17 + 1 + 72 + 1 + 8 + 1 + 27);
    assertThat(StateCodec.window(bytes)).isEqualTo(w);
  }

  @Test
  void shouldWriteOtherCharactersExactlyAsTheStreamEncodingDoes() {
    WindowState w = window("org-\u00e9", "entity-\u0000", "label-\ud83d\ude00");

    byte[] bytes = StateCodec.window(w);

    assertThat(bytes).isEqualTo(StateCodec.windowStream(w));
    assertThat(StateCodec.window(bytes)).isEqualTo(w);
  }

  @Test
  void shouldKeepReroutedAcrossARoundTripAndReadStatsWrittenBeforeItExisted() {
    Stats s = new Stats();
    s.counted = 7;
    s.rerouted = 3;
    s.streamTime = 42;
    s.deadLettered("INVALID_KEY");
    byte[] now = StateCodec.stats(s);
    assertThat(StateCodec.stats(now).toJson())
        .isEqualTo(
            "{\"counted\":7,\"duplicates_suppressed\":0,\"late_corrected\":0,\"rerouted\":3,"
                + "\"dead_lettered\":{\"INVALID_KEY\":1},\"stream_time\":42}");
    // The V1 layout before the rerouted counter was appended: the same bytes without it (and
    // without the dedup clock appended after it).
    byte[] before = java.util.Arrays.copyOf(now, now.length - 2 * Long.BYTES);
    assertThat(StateCodec.stats(before).toJson())
        .isEqualTo(
            "{\"counted\":7,\"duplicates_suppressed\":0,\"late_corrected\":0,\"rerouted\":0,"
                + "\"dead_lettered\":{\"INVALID_KEY\":1},\"stream_time\":42}");
  }

  @Test
  void shouldKeepTheDedupClockAndReadItAsStreamTimeFromStatsWrittenBeforeIt() {
    Stats s = new Stats();
    s.streamTime = 42;
    s.dedupTime = 17;
    byte[] now = StateCodec.stats(s);
    assertThat(StateCodec.stats(now).dedupTime).isEqualTo(17L);
    // Before the clock existed, ids were stored by stream time: the clock resumes from there.
    byte[] before = java.util.Arrays.copyOf(now, now.length - Long.BYTES);
    assertThat(StateCodec.stats(before).dedupTime).isEqualTo(42L);
  }
}
