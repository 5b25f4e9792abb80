// Package harness runs Touchbase's benchmarks against the real binary on
// loopback (issue 6): it copies a generated data set (bench/dataset),
// starts `touchbase serve` on it and measures, each time against a
// baseline taken in the same run so that the ratio holds on a noisy
// machine:
//
//  1. the worklist page versus the raw SQL that returns the same rows;
//  2. a mark (touch + comment through the API) versus a plain PocketBase
//     create of a record of the same shape without hooks, sequential and
//     concurrent;
//  3. a mark with a thousand realtime subscribers versus none, for each
//     subscription the shipped clients make (the page's touchbase/touches,
//     the standard touches/* with options), the delivery delay to the same
//     point's subscribers, and that no other point receives anything;
//  4. the due, plan, stats and timeline routes;
//  5. the server's peak RSS and its cold start.
//
// bench/load is the command; bench/run.sh the one command that generates
// the data set when missing, builds the binary and runs it.
package harness

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Config says what to run against.
type Config struct {
	// Binary is the touchbase binary to start.
	Binary string
	// BaseDir is the generated data dir; the first run brings it up to date
	// (migrations, the plain baseline collection), then it is copied.
	BaseDir string
	// WorkDir receives the copy the server runs on (replaced each run).
	WorkDir string
	Scale   Scale
	// Only, when not empty, limits the run to these benchmarks: cold,
	// worklist, marks, realtime, reads.
	Only []string
	// Log receives progress lines.
	Log io.Writer
}

func (cfg *Config) runs(name string) bool {
	return len(cfg.Only) == 0 || slices.Contains(cfg.Only, name)
}

// Scale is how many requests each benchmark makes.
type Scale struct {
	ColdStarts    int // server starts measured before the main run
	MarkPairs     int // sequential mark + plain create pairs
	Workers       int // concurrent clients of the concurrent mark benchmark
	MarkPerWorker int // requests per worker and phase (two phases per kind)
	Subscribers   int // realtime subscribers per subscription kind, spread over the points
	RealtimeMarks int // marks per subscription kind with its subscribers connected (and as many without)
	Reads         int // requests per read benchmark (worklist, due, …)
	// DropCaches drops the OS page cache before each cold start (when
	// permitted), so the start reads the database from disk.
	DropCaches bool
}

// FullScale is the scale of BENCHMARKS.md.
func FullScale() Scale {
	return Scale{ColdStarts: 3, MarkPairs: 300, Workers: 16, MarkPerWorker: 50, Subscribers: 1000, RealtimeMarks: 200, Reads: 100, DropCaches: true}
}

// QuickScale is the scale of the smoke test: every driver runs, briefly.
func QuickScale() Scale {
	return Scale{ColdStarts: 1, MarkPairs: 10, Workers: 4, MarkPerWorker: 3, Subscribers: 40, RealtimeMarks: 10, Reads: 5}
}

// Run copies the data set, runs every benchmark and returns the figures.
func Run(cfg Config) (*Results, error) {
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	res := newResults()
	res.machine(cfg.Binary)

	if err := prepareBase(cfg.BaseDir, cfg.Log); err != nil {
		return nil, fmt.Errorf("preparing the data set: %w", err)
	}
	logf(cfg.Log, "copying %s to %s", cfg.BaseDir, cfg.WorkDir)
	if err := copyDataDir(cfg.BaseDir, cfg.WorkDir); err != nil {
		return nil, err
	}
	fx, err := prepare(cfg.WorkDir, rand.New(rand.NewPCG(7, 7)))
	if err != nil {
		return nil, fmt.Errorf("preparing the data dir: %w", err)
	}
	res.DataSet = fx.counts

	if cfg.runs("cold") {
		if err := coldStarts(cfg, fx, res); err != nil {
			return nil, fmt.Errorf("cold start: %w", err)
		}
	}

	if cfg.runs("events") {
		n, err := addEvents(cfg.WorkDir, rand.New(rand.NewPCG(14, 14)))
		if err != nil {
			return nil, fmt.Errorf("events: %w", err)
		}
		logf(cfg.Log, "added %d events and the event occasion", n)
	}
	if cfg.runs("digest") {
		logf(cfg.Log, "== the morning e-mail")
		if err := benchDigest(cfg, res); err != nil {
			return nil, fmt.Errorf("digest: %w", err)
		}
	}

	logf(cfg.Log, "starting the server for the benchmarks")
	srv, ready, err := startServer(cfg.Binary, cfg.WorkDir)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	res.add("5", "cold start: server ready (GET /api/health answered)", ms(ready), "", "≤ 2 s", ready <= 2*time.Second)
	fx.serverPid = srv.pid()
	rss := watchRSS(srv.pid())
	defer rss.stop()
	h := newHTTP(srv.url)

	steps := []struct {
		key, name string
		fn        func() error
	}{
		{"worklist", "worklist vs raw SQL", func() error { return benchWorklist(cfg, h, fx, res) }},
		{"marks", "mark vs plain create", func() error { return benchMarks(cfg, h, fx, res) }},
		{"realtime", "realtime fan-out", func() error { return benchRealtime(cfg, h, fx, res) }},
		{"reads", "due, plan, stats, timeline", func() error { return benchReads(cfg, h, fx, res) }},
		{"events", "event occasion worklist", func() error { return benchEventWorklist(cfg, h, fx, res) }},
	}
	for _, step := range steps {
		if !cfg.runs(step.key) {
			continue
		}
		rss.phase(step.name)
		logf(cfg.Log, "== %s", step.name)
		started := time.Now()
		if err := step.fn(); err != nil {
			return res, fmt.Errorf("%s: %w", step.name, err)
		}
		logf(cfg.Log, "   %s", time.Since(started).Round(time.Millisecond))
	}

	peak, perPhase := rss.result()
	for _, p := range perPhase {
		res.add("5", "RSS during "+p.name, mb(p.peak), "", "", true)
	}
	res.add("5", "peak RSS of the server over all runs (VmHWM)", mb(peak), "", "≤ 300 MB", peak <= 300<<20)
	res.Raw["peak_rss_mb"] = float64(peak) / (1 << 20)
	return res, nil
}

// coldStarts starts the server on the full data set a few times and
// measures how long it takes to answer /api/health and then its first
// worklist (a cold SQLite cache).
func coldStarts(cfg Config, fx *fixture, res *Results) error {
	dropped := cfg.Scale.DropCaches && dropPageCache()
	var readies, firsts []time.Duration
	for i := range cfg.Scale.ColdStarts {
		if dropped {
			dropPageCache()
		}
		srv, ready, err := startServer(cfg.Binary, cfg.WorkDir)
		if err != nil {
			return err
		}
		h := newHTTP(srv.url)
		started := time.Now()
		_, _, err = h.get(fx.worklistPath(), fx.worklistToken())
		first := time.Since(started)
		srv.stop()
		if err != nil {
			return err
		}
		logf(cfg.Log, "cold start %d: ready %s, first worklist %s", i+1, ready.Round(time.Millisecond), first.Round(time.Millisecond))
		readies = append(readies, ready)
		firsts = append(firsts, first)
	}
	if len(readies) == 0 {
		return nil
	}
	note := "OS page cache warm"
	if dropped {
		note = "OS page cache dropped before each start"
	}
	r, f := percentiles(readies), percentiles(firsts)
	res.add("5", fmt.Sprintf("cold start: ready, worst of %d starts (%s)", len(readies), note), ms(r.max), "", "≤ 2 s", r.max <= 2*time.Second)
	res.add("5", "cold start: ready + first worklist page (cold SQLite cache), worst", ms(r.max+f.max), "", "≤ 2 s", r.max+f.max <= 2*time.Second)
	res.Raw["cold_ready_ms"] = msf(r.max)
	res.Raw["cold_first_worklist_ms"] = msf(r.max + f.max)
	return nil
}

// dropPageCache asks Linux to drop the page cache, so a cold start reads
// the database from disk; it reports whether that was permitted.
func dropPageCache() bool {
	syncFS()
	return os.WriteFile("/proc/sys/vm/drop_caches", []byte("3"), 0) == nil
}

// copyDataDir replaces dst with a copy of src's databases.
func copyDataDir(src, dst string) error {
	if err := os.RemoveAll(dst); err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, name := range []string{"data.db", "auxiliary.db"} {
		if err := copyFile(filepath.Join(src, name), filepath.Join(dst, name)); err != nil {
			return err
		}
		for _, suffix := range []string{"-wal", "-shm"} {
			if _, err := os.Stat(filepath.Join(src, name+suffix)); err == nil {
				if err := copyFile(filepath.Join(src, name+suffix), filepath.Join(dst, name+suffix)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func logf(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}
