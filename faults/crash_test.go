package faults_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"touchbase/aggregates"
	_ "touchbase/migrations"
	"touchbase/server"
)

// The crash test (SPEC §4.1–§4.2): the real binary takes a storm of
// concurrent marks from several users and is killed with SIGKILL after a
// chosen number of acknowledged marks; after a restart every acknowledged
// touch is there, every touch has exactly one touch comment, no comment
// points at a missing touch, and (client, occasion, period) is still
// unique.

const (
	crashClientsPerPoint = 60 // × 2 points
	crashOccasions       = 10 // × 120 clients = 1,200 pairs
	crashDistinct        = 1000
	crashDuplicates      = 200 // second marks of a pair, fired next to the first
	crashWorkers         = 12
)

// crashKillPoints are the acknowledged-mark counts after which CI kills
// the server, one run each; TOUCHBASE_SOAK=1 adds random ones.
var crashKillPoints = []int{50, 300, 700}

// crashStaff are the users who mark, by point ("" = every point).
type crashUser struct{ id, name, point string }

var crashStaff = []crashUser{
	{"crashsm00000001", "Service Manager", ""},
	{"crashpm1a000001", "Moscow A", "crashpoint00001"},
	{"crashpm1b000001", "Moscow B", "crashpoint00001"},
	{"crashpm2a000001", "London A", "crashpoint00002"},
	{"crashpm2b000001", "London B", "crashpoint00002"},
}

const crashSuperuser = "crashsuper00001"

// crashMark is one mark the storm fires.
type crashMark struct {
	n                        int
	user, client, occasion   string
	status, channel, comment string
	duplicate                bool // the pair was marked just before by someone else
}

func (m crashMark) body() string {
	raw, _ := json.Marshal(map[string]string{
		"client": m.client, "occasion": m.occasion, "status": m.status, "channel": m.channel, "comment": m.comment,
	})
	return string(raw)
}

func TestCrashConsistency(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	started := time.Now()
	work := t.TempDir()
	binary := buildBinary(t, work)
	template := filepath.Join(work, "template")
	tokens, clients, occasions := seedCrashDir(t, template)
	marks := crashMarks(clients, occasions)

	killPoints := crashKillPoints
	if soak() {
		r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
		for range 7 {
			killPoints = append(killPoints, 1+r.IntN(crashDistinct-50))
		}
	}
	for i, killAt := range killPoints {
		t.Run(fmt.Sprintf("kill after %d acknowledged marks", killAt), func(t *testing.T) {
			dir := filepath.Join(work, fmt.Sprintf("run%d", i))
			copyDir(t, template, dir)
			crashRun(t, binary, dir, tokens, marks, killAt)
		})
	}
	t.Logf("crash test: %d runs in %s", len(killPoints), time.Since(started).Round(time.Millisecond))
}

// crashRun fires marks at a fresh server on dir, kills it after killAt
// acknowledged marks, restarts it and checks the invariants.
func crashRun(t *testing.T, binary, dir string, tokens map[string]string, marks []crashMark, killAt int) {
	proc := startServer(t, binary, dir)

	type ack struct {
		mark crashMark
		id   string
	}
	var (
		mu        sync.Mutex
		acks      []ack
		refused   int
		unanswerd int
		acked     atomic.Int64
		killed    atomic.Bool
		killOnce  sync.Once
		next      atomic.Int64
		wg        sync.WaitGroup
	)
	kill := func() {
		killOnce.Do(func() {
			killed.Store(true)
			_ = proc.cmd.Process.Signal(syscall.SIGKILL)
		})
	}
	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: crashWorkers}}
	for range crashWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !killed.Load() {
				i := int(next.Add(1)) - 1
				if i >= len(marks) {
					return
				}
				m := marks[i]
				status, body, err := post(client, proc.url+"/api/collections/touches/records", tokens[m.user], m.body())
				mu.Lock()
				switch {
				case err != nil:
					unanswerd++
					if !killed.Load() {
						t.Errorf("mark %d: no answer before the kill: %v", m.n, err)
					}
				case status == 200:
					var rec struct{ Id string }
					_ = json.Unmarshal(body, &rec)
					acks = append(acks, ack{m, rec.Id})
				case status == 400 && m.duplicate && bytes.Contains(body, []byte("was already touched for")):
					refused++
				default:
					t.Errorf("mark %d (%s × %s by %s): %d %s", m.n, m.client, m.occasion, m.user, status, body)
				}
				mu.Unlock()
				if status == 200 && acked.Add(1) >= int64(killAt) {
					kill()
				}
			}
		}()
	}
	wg.Wait()
	kill() // all marks answered before the kill point: kill anyway
	_ = proc.cmd.Wait()
	if t.Failed() {
		t.Logf("server output:\n%s", proc.out.String())
		return
	}

	// restart on the same data dir: it must come up and keep refusing
	// second marks of acknowledged pairs
	proc = startServer(t, binary, dir)
	if len(acks) == 0 {
		t.Fatal("no mark was acknowledged")
	}
	again := acks[len(acks)/2].mark
	again.user = crashStaff[0].id
	status, body, err := post(client, proc.url+"/api/collections/touches/records", tokens[again.user], again.body())
	if err != nil || status != 400 || !bytes.Contains(body, []byte("was already touched for")) {
		t.Errorf("after the restart, a second mark of an acknowledged pair: %d %s %v", status, body, err)
	}
	total := apiTotal(t, client, proc.url+"/api/collections/touches/records?perPage=1", tokens[crashSuperuser])
	_ = proc.cmd.Process.Signal(syscall.SIGTERM)
	_ = proc.cmd.Wait()

	// the invariants, read straight from the SQLite file
	db := openDataDir(t, dir)
	touches := map[string]crashTouch{}
	var rows []crashTouch
	if err := db.DB().NewQuery("SELECT id, client, occasion, period, status FROM touches").All(&rows); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		touches[r.Id] = r
	}
	if total != len(touches) {
		t.Errorf("the restarted server lists %d touches, the file holds %d", total, len(touches))
	}

	lost := 0
	for _, a := range acks {
		got, ok := touches[a.id]
		if !ok {
			lost++
			t.Errorf("acknowledged touch %s (mark %d) is missing after the restart", a.id, a.mark.n)
			continue
		}
		if got.Client != a.mark.client || got.Occasion != a.mark.occasion || got.Status != a.mark.status {
			t.Errorf("touch %s = %+v, acknowledged as %+v", a.id, got, a.mark)
		}
	}

	var comments []struct {
		Id     string `db:"id"`
		Touch  string `db:"touch"`
		Client string `db:"client"`
		Kind   string `db:"kind"`
	}
	if err := db.DB().NewQuery("SELECT id, touch, client, kind FROM comments").All(&comments); err != nil {
		t.Fatal(err)
	}
	perTouch := map[string]int{}
	for _, c := range comments {
		if c.Touch == "" {
			if c.Kind == "touch" {
				t.Errorf("touch comment %s names no touch", c.Id)
			}
			continue
		}
		touch, ok := touches[c.Touch]
		switch {
		case !ok:
			t.Errorf("comment %s points at touch %s, which does not exist", c.Id, c.Touch)
		case c.Kind != "touch":
			t.Errorf("comment %s of kind %q is linked to touch %s", c.Id, c.Kind, c.Touch)
		case c.Client != touch.Client:
			t.Errorf("comment %s is on client %s, its touch on %s", c.Id, c.Client, touch.Client)
		}
		perTouch[c.Touch]++
	}
	for id := range touches {
		if n := perTouch[id]; n != 1 {
			t.Errorf("touch %s has %d touch comments, want exactly 1", id, n)
		}
	}

	var dupes []struct {
		Client   string `db:"client"`
		Occasion string `db:"occasion"`
		Period   string `db:"period"`
		N        int    `db:"n"`
	}
	if err := db.DB().NewQuery("SELECT client, occasion, period, COUNT(*) AS n FROM touches GROUP BY client, occasion, period HAVING n > 1").All(&dupes); err != nil {
		t.Fatal(err)
	}
	for _, d := range dupes {
		t.Errorf("%d touches of %s × %s (period %q)", d.N, d.Client, d.Occasion, d.Period)
	}
	var integrity string
	if err := db.DB().NewQuery("PRAGMA integrity_check").Row(&integrity); err != nil || integrity != "ok" {
		t.Errorf("integrity_check: %q %v", integrity, err)
	}
	// the maintained aggregate (package aggregates: clients.last_touch)
	// equals its recomputation from the touches that survived the kill
	diffs, err := aggregates.Verify(db)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Errorf("aggregates after the kill: %s", d)
	}
	var touched int
	if err := db.DB().NewQuery("SELECT COUNT(*) FROM clients WHERE last_touch != ''").Row(&touched); err != nil {
		t.Fatal(err)
	}

	t.Logf("kill after %d: %d acknowledged (%d survived, %d lost), %d refused as duplicates, %d unanswered at the kill; %d touches and %d comments in the file (%d committed without an answer); last_touch of every client verified (%d with a done touch)",
		killAt, len(acks), len(acks)-lost, lost, refused, unanswerd, len(touches), len(comments), len(touches)-(len(acks)-lost), touched)
}

type crashTouch struct {
	Id       string `db:"id"`
	Client   string `db:"client"`
	Occasion string `db:"occasion"`
	Period   string `db:"period"`
	Status   string `db:"status"`
}

// post sends a JSON body with an auth token and returns the status and
// body; err is set when no answer came (the server was killed).
func post(client *http.Client, url, token, body string) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", token)
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, nil, err
	}
	return res.StatusCode, raw, nil
}

// apiTotal returns totalItems of a list request.
func apiTotal(t *testing.T, client *http.Client, url, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", token)
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var list struct{ TotalItems int }
	if err := json.NewDecoder(res.Body).Decode(&list); err != nil || res.StatusCode != 200 {
		t.Fatalf("list %s: %d %v", url, res.StatusCode, err)
	}
	return list.TotalItems
}

// crashMarks lays out the storm: 1,000 distinct client × occasion pairs
// marked by a manager of the client's point (every seventh by the service
// manager), and 200 of them marked a second time by someone else right
// after the first, so that the two race.
func crashMarks(clients map[string][]string, occasions []string) []crashMark {
	r := rand.New(rand.NewPCG(20261124, 7))
	type pair struct{ client, point, occasion string }
	var pairs []pair
	for point, ids := range clients {
		for _, c := range ids {
			for _, o := range occasions {
				pairs = append(pairs, pair{c, point, o})
			}
		}
	}
	// map order is random: sort before shuffling for a stable storm
	slices.SortFunc(pairs, func(a, b pair) int { return cmp.Compare(a.client+a.occasion, b.client+b.occasion) })
	r.Shuffle(len(pairs), func(i, j int) { pairs[i], pairs[j] = pairs[j], pairs[i] })
	pairs = pairs[:crashDistinct]

	channels := []string{"telegram", "whatsapp", "email", "phone", "meeting", ""}
	usersOf := func(point string) []string {
		var ids []string
		for _, u := range crashStaff {
			if u.point == point {
				ids = append(ids, u.id)
			}
		}
		return ids
	}
	var marks []crashMark
	for i, p := range pairs {
		staff := usersOf(p.point)
		m := crashMark{
			user: staff[i%len(staff)], client: p.client, occasion: p.occasion,
			status: "done", channel: channels[i%len(channels)], comment: fmt.Sprintf("Storm mark %d — отметка", i),
		}
		if i%7 == 0 {
			m.user = crashStaff[0].id
		}
		if i%9 == 0 {
			m.status = "skipped"
		}
		marks = append(marks, m)
		if i%(crashDistinct/crashDuplicates) == 0 {
			second := m
			second.duplicate = true
			second.user = staff[(i+1)%len(staff)]
			if second.user == m.user {
				second.user = crashStaff[0].id
			}
			second.comment += " (second)"
			marks = append(marks, second)
			marks[len(marks)-2].duplicate = true // whichever wins, the other is refused
		}
	}
	for i := range marks {
		marks[i].n = i
	}
	return marks
}

// seedCrashDir builds a data dir with the schema, two points, the crash
// staff and superuser, 120 clients and 10 active occasions for every
// point; it returns auth tokens by user id, client ids by point id and
// occasion ids.
func seedCrashDir(t *testing.T, dir string) (map[string]string, map[string][]string, []string) {
	t.Helper()
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	defer app.ResetBootstrapState()
	if err := app.RunAllMigrations(); err != nil {
		t.Fatal(err)
	}
	server.BindAppHooks(app)

	save := func(collection, id string, fields map[string]any) *core.Record {
		c, err := app.FindCollectionByNameOrId(collection)
		if err != nil {
			t.Fatal(err)
		}
		r := core.NewRecord(c)
		r.Id = id
		r.Load(fields)
		if c.IsAuth() {
			r.SetPassword("crash-password-1")
			r.SetVerified(true)
		}
		if err := app.Save(r); err != nil {
			t.Fatalf("seed %s %s: %v", collection, id, err)
		}
		return r
	}

	points := map[string]string{"crashpoint00001": "Europe/Moscow", "crashpoint00002": "Europe/London"}
	for id, tz := range points {
		save("points", id, map[string]any{"name": "Point " + id, "timezone": tz, "country": map[string]string{"Europe/Moscow": "RU", "Europe/London": "GB"}[tz]})
	}
	tokens := map[string]string{}
	token := func(r *core.Record) string {
		tok, err := r.NewStaticAuthToken(time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	tokens[crashSuperuser] = token(save(core.CollectionNameSuperusers, crashSuperuser, map[string]any{"email": "admin@crash.test"}))
	for _, u := range crashStaff {
		fields := map[string]any{"email": u.id + "@crash.test", "name": u.name, "role": "point_manager", "point": u.point}
		if u.point == "" {
			fields["role"] = "service_manager"
		}
		tokens[u.id] = token(save("users", u.id, fields))
	}

	clients := map[string][]string{}
	segments := []string{"A+", "A", "B", "C", "D"}
	for point := range points {
		for i := range crashClientsPerPoint {
			id := fmt.Sprintf("c%s%03d", point[len(point)-5:], i)
			id += strings.Repeat("0", 15-len(id))
			save("clients", id, map[string]any{"name": fmt.Sprintf("Клиент %s-%d", point[len(point)-1:], i), "point": point,
				"segment": segments[i%len(segments)], "stage": "regular"})
			clients[point] = append(clients[point], id)
		}
	}
	var occasions []string
	today := time.Now().UTC()
	for i := range crashOccasions {
		id := fmt.Sprintf("crashocc%07d", i)
		kind := "standard"
		if i%3 == 0 {
			kind = "mandatory"
		}
		save("occasions", id, map[string]any{"title": fmt.Sprintf("Occasion %d", i), "kind": kind, "category": "content",
			"template": "Hello {{contact}}", "starts": today.AddDate(0, 0, -10).Format(time.DateOnly), "ends": today.AddDate(0, 0, 30).Format(time.DateOnly)})
		occasions = append(occasions, id)
	}
	return tokens, clients, occasions
}

// process is a running touchbase binary.
type process struct {
	cmd *exec.Cmd
	url string
	out *bytes.Buffer
}

// startServer runs `touchbase serve` on dir and a free loopback port and
// waits until it answers /api/health.
func startServer(t *testing.T, binary, dir string) *process {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	s := &process{url: "http://" + addr, out: &bytes.Buffer{}}
	s.cmd = exec.Command(binary, "serve", "--dir", dir, "--http", addr)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			_ = s.cmd.Process.Kill()
			_ = s.cmd.Wait()
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(s.url + "/api/health")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return s
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the server on %s did not start:\n%s", dir, s.out.String())
	return nil
}

// buildBinary builds the touchbase command from the module root into dir.
func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	binary := filepath.Join(dir, "touchbase")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "no_ui", "-o", binary, ".")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return binary
}

// copyDir copies a closed data dir.
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		target := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, raw, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// openDataDir opens a data dir the way the server does (recovering its
// WAL) for SQL checks; it is closed when the test ends.
func openDataDir(t testing.TB, dir string) *core.BaseApp {
	t.Helper()
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.ResetBootstrapState() })
	return app
}
