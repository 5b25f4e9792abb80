package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The demo accounts (touchbase demo): olga and dmitry manage «Москва —
// Центр», ivan «Санкт-Петербург».
const (
	demoPassword = "touchbase-demo"
	watcherEmail = "olga@touchbase.demo"
	colleague    = "dmitry@touchbase.demo" // same point as the watcher
	otherPoint   = "ivan@touchbase.demo"
)

// TestWatchReceivesOwnPointOnly builds and starts the real Touchbase binary
// with the demo data set, runs the watcher as a point manager through a
// proxy, marks touches in the watcher's point and in another one through
// the API, and checks that exactly the own point's touches are printed —
// also the one marked while the proxy had cut the watcher's connection,
// which the watcher must notice and recover from.
func TestWatchReceivesOwnPointOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the server")
	}
	srv := startTouchbase(t)
	proxy := newProxy(t, srv)

	out := &lines{}
	var logs lines
	w := New(Config{URL: proxy.url(), Email: watcherEmail, Password: demoPassword, Expand: "client,occasion,author", MaxBackoff: 300 * time.Millisecond},
		out, log.New(&logs, "", 0))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	waitUntil(t, "the watcher subscribes", func() bool { return logs.count("subscribed") == 1 })

	own := newStaff(t, srv, colleague)
	other := newStaff(t, srv, otherPoint)
	watcher := newStaff(t, srv, watcherEmail)

	ownTouches := []string{own.mark(t), watcher.mark(t)}
	foreign := []string{other.mark(t), other.mark(t)}
	waitUntil(t, "the own point's touches arrive", func() bool { return out.hasAll(ownTouches) })

	// drop the connection and keep it down while a colleague marks a client
	proxy.cut(true)
	waitUntil(t, "the watcher notices the drop", func() bool { return logs.count("connection lost") >= 1 })
	missed := own.mark(t)
	foreign = append(foreign, other.mark(t))
	proxy.cut(false)
	waitUntil(t, "the watcher reconnects", func() bool { return logs.count("subscribed") >= 2 })
	ownTouches = append(ownTouches, missed)
	waitUntil(t, "the touch marked while disconnected arrives", func() bool { return out.has(missed) })

	// and it still receives new touches after the reconnect
	after := own.mark(t)
	ownTouches = append(ownTouches, after)
	foreign = append(foreign, other.mark(t))
	waitUntil(t, "a touch after the reconnect arrives", func() bool { return out.has(after) })
	time.Sleep(300 * time.Millisecond) // anything misdirected would have arrived

	for _, id := range foreign {
		if out.has(id) {
			t.Errorf("the watcher printed another point's touch %s", id)
		}
	}
	printed := out.all()
	if len(printed) != len(ownTouches) {
		t.Errorf("printed %d lines, want %d (each own touch once):\n%s", len(printed), len(ownTouches), strings.Join(printed, "\n"))
	}
	for _, line := range printed {
		var touch struct {
			Id     string `json:"id"`
			Client string `json:"client"`
			Expand struct {
				Client struct {
					Name string `json:"name"`
				} `json:"client"`
				Occasion struct {
					Title string `json:"title"`
				} `json:"occasion"`
			} `json:"expand"`
		}
		if err := json.Unmarshal([]byte(line), &touch); err != nil || touch.Id == "" {
			t.Errorf("not a touch as one JSON line: %q (%v)", line, err)
			continue
		}
		if touch.Expand.Client.Name == "" || touch.Expand.Occasion.Title == "" {
			t.Errorf("the line lacks the expanded client and occasion: %s", line)
		}
	}
	if t.Failed() {
		t.Logf("watcher log:\n%s", strings.Join(logs.all(), "\n"))
	}
}

// TestWatchPostsToWebhook checks the -webhook delivery.
func TestWatchPostsToWebhook(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the server")
	}
	srv := startTouchbase(t)
	var mu sync.Mutex
	var posted []string
	hook := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		mu.Lock()
		posted = append(posted, string(raw))
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go hook.Serve(l)
	defer hook.Close()

	w := New(Config{URL: srv, Email: watcherEmail, Password: demoPassword, Webhook: "http://" + l.Addr().String(), Expand: ""},
		io.Discard, log.New(io.Discard, "", 0))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	time.Sleep(500 * time.Millisecond) // subscribed
	id := newStaff(t, srv, colleague).mark(t)
	waitUntil(t, "the webhook receives the touch", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(posted) == 1 && strings.Contains(posted[0], `"id":"`+id+`"`)
	})
}

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// startTouchbase builds the binary once per test run (go build from the
// module root) and starts `touchbase serve --demo` on a fresh data dir at a
// free port; it returns the server's address.
func startTouchbase(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "touchbase-watch-*")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "touchbase")
		cmd := exec.Command("go", "build", "-tags", "no_ui", "-o", binary, ".")
		cmd.Dir = filepath.Join("..", "..")
		cmd.Env = append(os.Environ(), "GOTOOLCHAIN=auto")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	var logBuf bytes.Buffer
	cmd := exec.Command(binary, "serve", "--demo", "--http", addr, "--dir", t.TempDir())
	cmd.Stdout, cmd.Stderr = &logBuf, &logBuf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	base := "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(base + "/api/health"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return base
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("touchbase did not start:\n%s", logBuf.String())
	return ""
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary != "" {
		os.RemoveAll(filepath.Dir(binary))
	}
	os.Exit(code)
}

// staff is a signed-in demo user who marks clients of their point.
type staff struct {
	base, token string
	clients     []string
	occasions   []string
	used        map[string]bool
}

func newStaff(t *testing.T, base, email string) *staff {
	t.Helper()
	var auth struct{ Token string }
	call(t, base, "", http.MethodPost, "/api/collections/users/auth-with-password",
		map[string]string{"identity": email, "password": demoPassword}, &auth)
	s := &staff{base: base, token: auth.Token, used: map[string]bool{}}
	var clients struct{ Items []struct{ Id string } }
	call(t, base, s.token, http.MethodGet, "/api/collections/clients/records?perPage=200&sort=name", nil, &clients)
	for _, c := range clients.Items {
		s.clients = append(s.clients, c.Id)
	}
	// mandatory occasions first: holds never refuse them
	var occasions struct{ Items []struct{ Id string } }
	call(t, base, s.token, http.MethodGet, "/api/collections/occasions/records?perPage=200&sort=kind&filter="+
		url.QueryEscape(`archived = false && trigger = "none"`), nil, &occasions)
	for _, o := range occasions.Items {
		s.occasions = append(s.occasions, o.Id)
	}
	return s
}

// mark marks a client of the staff member's point for the first open
// occasion that takes it, and returns the touch id.
func (s *staff) mark(t *testing.T) string {
	t.Helper()
	for _, o := range s.occasions {
		for _, c := range s.clients {
			if s.used[o+c] {
				continue
			}
			s.used[o+c] = true
			var touch struct{ Id string }
			status := callStatus(t, s.base, s.token, http.MethodPost, "/api/collections/touches/records",
				map[string]string{"client": c, "occasion": o, "status": "done", "channel": "phone"}, &touch)
			if status == http.StatusOK {
				return touch.Id
			}
			if status != http.StatusBadRequest { // 400: not eligible, held or marked already
				t.Fatalf("mark: status %d", status)
			}
		}
	}
	t.Fatal("no client left to mark")
	return ""
}

func call(t *testing.T, base, token, method, path string, body, out any) {
	t.Helper()
	if status := callStatus(t, base, token, method, path, body, out); status != http.StatusOK {
		t.Fatalf("%s %s: %d", method, path, status)
	}
}

func callStatus(t *testing.T, base, token, method, path string, body, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, base+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode == http.StatusOK && out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return res.StatusCode
}

// proxy forwards TCP connections to the server and can cut them.
type proxy struct {
	l      net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	down   bool
}

func newProxy(t *testing.T, base string) *proxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{l: l, target: strings.TrimPrefix(base, "http://")}
	t.Cleanup(func() { l.Close(); p.cut(true) })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			if p.down {
				p.mu.Unlock()
				c.Close()
				continue
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				p.mu.Unlock()
				c.Close()
				continue
			}
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
	return p
}

func (p *proxy) url() string { return "http://" + p.l.Addr().String() }

// cut closes every open connection; while down, new ones are refused.
func (p *proxy) cut(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for _, c := range p.conns {
			c.Close()
		}
		p.conns = nil
	}
}

// lines is a concurrency-safe writer that keeps what was written, line by
// line.
type lines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lines) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, s := range strings.Split(l.buf.String(), "\n") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (l *lines) count(substr string) int {
	n := 0
	for _, s := range l.all() {
		if strings.Contains(s, substr) {
			n++
		}
	}
	return n
}

func (l *lines) has(id string) bool { return l.count(`"id":"`+id+`"`) > 0 }

func (l *lines) hasAll(ids []string) bool {
	for _, id := range ids {
		if !l.has(id) {
			return false
		}
	}
	return true
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if ok() {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("timed out waiting until %s", what)
}
