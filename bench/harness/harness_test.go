package harness_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"touchbase/bench/dataset"
	"touchbase/bench/harness"
)

// TestDriversRun is the benchmark's smoke test: it builds the binary,
// generates a small data set and runs every benchmark driver briefly
// against the binary. It checks that they run and that the correctness
// figures hold (the worklist and the raw SQL agree, realtime events of both
// the page's topic and the standard subscription with options reach
// exactly the marked client's point); the timings at this scale mean
// nothing and are not checked.
func TestDriversRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the server")
	}
	tmp := t.TempDir()
	binary := filepath.Join(tmp, "touchbase")
	build := exec.Command("go", "build", "-tags", "no_ui", "-o", binary, ".")
	build.Dir = filepath.Join("..", "..")
	build.Env = append(os.Environ(), "GOTOOLCHAIN=auto")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	cfg := dataset.Small(1)
	data := filepath.Join(tmp, "data")
	if _, err := dataset.Create(data, cfg, nil); err != nil {
		t.Fatal(err)
	}

	var log strings.Builder
	started := time.Now()
	res, err := harness.Run(harness.Config{
		Binary: binary, BaseDir: data, WorkDir: filepath.Join(tmp, "work"),
		Scale: harness.QuickScale(), Log: &log,
	})
	t.Logf("benchmarks ran in %s\n%s", time.Since(started).Round(time.Millisecond), log.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", res.Markdown())

	for _, key := range []string{"worklist_p50_ms", "worklist_raw_p50_ms", "mark_seq_per_s", "plain_seq_per_s",
		"mark_conc_per_s", "plain_conc_per_s", "rt_base_p50_ms", "rt_page_p50_ms", "rt_opts_p50_ms", "cold_ready_ms", "peak_rss_mb"} {
		if res.Raw[key] <= 0 {
			t.Errorf("no figure %s", key)
		}
	}
	for _, rt := range []string{"rt_page", "rt_opts"} {
		if res.Raw[rt+"_foreign"] != 0 {
			t.Errorf("%s: %v realtime events reached another point", rt, res.Raw[rt+"_foreign"])
		}
		if res.Raw[rt+"_delivered"] != res.Raw[rt+"_expected"] || res.Raw[rt+"_expected"] == 0 {
			t.Errorf("%s: %v of %v realtime events delivered", rt, res.Raw[rt+"_delivered"], res.Raw[rt+"_expected"])
		}
	}
	for _, f := range res.Figures {
		if f.Group == "4" && strings.HasPrefix(f.Value, "failed") {
			t.Errorf("%s: %s", f.Name, f.Value)
		}
	}
}
