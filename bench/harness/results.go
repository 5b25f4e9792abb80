package harness

import (
	"bytes"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"
)

// Results are the figures of one run.
type Results struct {
	Machine map[string]string `json:"machine"`
	DataSet map[string]int    `json:"dataSet"`
	Figures []Figure          `json:"figures"`
	// Raw holds the main numbers by key, for tests and comparisons.
	Raw map[string]float64 `json:"raw"`
}

// Figure is one measured value, with its ratio to the baseline and goal.
type Figure struct {
	Group string `json:"group"` // the benchmark number
	Name  string `json:"name"`
	Value string `json:"value"`
	Ratio string `json:"ratio,omitempty"`
	Goal  string `json:"goal,omitempty"`
	Met   *bool  `json:"met,omitempty"`
}

func newResults() *Results {
	return &Results{Machine: map[string]string{}, Raw: map[string]float64{}}
}

// add records a figure; met only counts when a goal is given.
func (r *Results) add(group, name, value, ratio, goal string, met bool) {
	f := Figure{Group: group, Name: name, Value: value, Ratio: ratio, Goal: goal}
	if goal != "" {
		f.Met = &met
	}
	r.Figures = append(r.Figures, f)
}

// Markdown renders the figures as a table.
func (r *Results) Markdown() string {
	var b strings.Builder
	b.WriteString("| # | figure | value | ratio | goal | met |\n|---|---|---|---|---|---|\n")
	for _, f := range r.Figures {
		met := ""
		if f.Met != nil {
			met = "yes"
			if !*f.Met {
				met = "**no**"
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", f.Group, f.Name, f.Value, f.Ratio, f.Goal, met)
	}
	return b.String()
}

// machine records what the figures were measured on.
func (r *Results) machine(binary string) {
	r.Machine["cpus"] = fmt.Sprint(runtime.NumCPU())
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if strings.HasPrefix(line, "model name") {
				r.Machine["cpu"] = strings.TrimSpace(strings.SplitN(line, ":", 2)[1])
				break
			}
		}
	}
	if raw, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if strings.HasPrefix(line, "MemTotal:") {
				r.Machine["memory"] = strings.TrimSpace(strings.TrimPrefix(line, "MemTotal:"))
			}
		}
	}
	r.Machine["go"] = runtime.Version()
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			switch dep.Path {
			case "modernc.org/sqlite":
				r.Machine["sqlite driver"] = dep.Path + " " + dep.Version + " (pure Go)"
			case "github.com/pocketbase/pocketbase":
				r.Machine["pocketbase"] = dep.Version
			}
		}
	}
	if db, err := sql.Open("sqlite", ":memory:"); err == nil {
		var v string
		if db.QueryRow("SELECT sqlite_version()").Scan(&v) == nil {
			r.Machine["sqlite driver"] += ", SQLite " + v
		}
		db.Close()
	}
	if out, err := exec.Command("uname", "-sr").Output(); err == nil {
		r.Machine["kernel"] = strings.TrimSpace(string(out))
	}
	r.Machine["binary"] = binary
	r.Machine["date"] = time.Now().UTC().Format(time.RFC3339)
}

// httpClient sends the benchmark's requests.
type httpClient struct {
	base   string
	client *http.Client
}

func newHTTP(base string) *httpClient {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     time.Minute,
	}
	return &httpClient{base: base, client: &http.Client{Transport: tr, Timeout: 2 * time.Minute}}
}

// do sends one request and reads the whole answer; the duration is from
// sending to the last byte.
func (h *httpClient) do(method, path, token string, body []byte) (int, []byte, time.Duration, error) {
	req, err := http.NewRequest(method, h.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	started := time.Now()
	res, err := h.client.Do(req)
	if err != nil {
		return 0, nil, time.Since(started), err
	}
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	return res.StatusCode, raw, time.Since(started), err
}

// get requests path and insists on a 200.
func (h *httpClient) get(path, token string) ([]byte, time.Duration, error) {
	status, raw, d, err := h.do(http.MethodGet, path, token, nil)
	if err != nil {
		return nil, d, err
	}
	if status != http.StatusOK {
		return nil, d, fmt.Errorf("GET %s: %d %s", path, status, truncate(string(raw), 300))
	}
	return raw, d, nil
}

// dist is a latency distribution.
type dist struct {
	n                       int
	p50, p95, p99, max, sum time.Duration
}

func percentiles(ds []time.Duration) dist {
	if len(ds) == 0 {
		return dist{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(p float64) time.Duration {
		i := int(p*float64(len(s))+0.5) - 1
		return s[max(0, min(i, len(s)-1))]
	}
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return dist{n: len(s), p50: at(0.50), p95: at(0.95), p99: at(0.99), max: s[len(s)-1], sum: sum}
}

func (d dist) mean() time.Duration {
	if d.n == 0 {
		return 0
	}
	return d.sum / time.Duration(d.n)
}

func (d dist) String() string {
	return fmt.Sprintf("p50 %s, p95 %s (n=%d)", ms(d.p50), ms(d.p95), d.n)
}

func ms(d time.Duration) string {
	v := msf(d)
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f ms", v)
	case v >= 10:
		return fmt.Sprintf("%.1f ms", v)
	default:
		return fmt.Sprintf("%.2f ms", v)
	}
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func mb(b int64) string { return fmt.Sprintf("%.0f MB", float64(b)/(1<<20)) }

func ratio(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
