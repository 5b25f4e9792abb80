// Package dataset generates Touchbase's benchmark data set: a company with
// many branches (points), a hundred thousand clients with realistic Latin
// and Cyrillic names, a content plan of occasions of both kinds, a million
// touches with their card comments, tickets and holds. It is reproducible:
// the same Config (seed and day included) gives byte-identical rows.
//
// Rows are written with hand-written SQL in large transactions, not with
// app.Save per record, because a million saves through the hooks would
// be far slower (BENCHMARKS.md, "The data set"). The generator therefore does itself what the hooks do for
// a touch: it sets the period with the occurrence package, never writes a
// second mark for the same (client, occasion, period), and writes exactly
// one comment of kind "touch" per touch, worded as hooks/touches.go words
// it ("Touched for «…» via … by …. note" / "Skipped «…» by …. Why: note").
// An open ticket gets its hold and its "Ticket opened" system comment, a
// resolved one both system comments, as hooks/tickets.go writes them. The
// smoke test (dataset_test.go) checks these invariants and compares a
// generated comment with the one the hooks write for the same touch.
package dataset

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"touchbase/aggregates"
	"touchbase/domain"
	"touchbase/fake"
	_ "touchbase/migrations"
	"touchbase/occurrence"
)

// Password is the password of every generated staff account.
const Password = "touchbase-bench"

// passwordHash is bcrypt(Password), computed once so that the data set is
// reproducible (bcrypt salts are random) and a thousand accounts do not
// cost a thousand bcrypt runs.
const passwordHash = "$2a$10$K3zpRetlkxprKxrYDO5mX.ZcTavOcA.biZL3H5b.pDwy8zzjCh8FK"

// EmailDomain is the domain of the generated staff e-mails.
const EmailDomain = "bench.touchbase.test"

// ManagerEmail is the e-mail of the n-th (from 0) point manager of the
// point with index point (from 0).
func ManagerEmail(point, n int) string {
	return fmt.Sprintf("pm-%02d-%02d@%s", point+1, n+1, EmailDomain)
}

// ServiceManagerEmail is the e-mail of the n-th (from 0) service manager.
func ServiceManagerEmail(n int) string {
	return fmt.Sprintf("sm-%02d@%s", n+1, EmailDomain)
}

// Config says how much to generate.
type Config struct {
	Seed uint64
	// Today is the calendar date the data is laid out around: history up
	// to the day before, occasions from two years before to half a year
	// after. Zero = today (UTC).
	Today time.Time

	Points         int // at most len(points) × 9
	Clients        int // spread evenly over the points
	Occasions      int // at least 2 (the benchmark occasions)
	Touches        int // each with one comment
	Tickets        int // a quarter of them open (with their hold)
	Holds          int // declined / requested / bought holds besides the tickets'
	ManualComments int
	// Contacts is the number of people per client on average (from 1 to
	// 4 each; 0 = DefaultContactsPerClient): the primary contact and
	// colleagues, a few of whom have left (archived).
	ContactsPerClient float64
	ManagersPerPoint  int // point managers per point
	ServiceManagers   int

	// TxRows is how many rows one transaction writes (default 100,000).
	TxRows int
}

// DefaultContactsPerClient is how many people a client has on average.
const DefaultContactsPerClient = 2.5

// Full is the data set of the benchmarks (issue 6).
func Full(seed uint64) Config {
	return Config{Seed: seed, Points: 20, Clients: 100_000, Occasions: 300, Touches: 1_000_000,
		Tickets: 2_000, Holds: 1_000, ManualComments: 50_000, ManagersPerPoint: 50, ServiceManagers: 10}
}

// Small is a data set for tests: the same shape, 2,000 clients.
func Small(seed uint64) Config {
	return Config{Seed: seed, Points: 20, Clients: 2_000, Occasions: 60, Touches: 20_000,
		Tickets: 40, Holds: 20, ManualComments: 1_000, ManagersPerPoint: 3, ServiceManagers: 2}
}

// Stats are the counts written and the time taken.
type Stats struct {
	Counts map[string]int
	Took   time.Duration
}

// Create makes a new data dir with Touchbase's schema (the real
// migrations) and generates the data set into it; the time includes the
// migrations.
func Create(dir string, cfg Config, log io.Writer) (*Stats, error) {
	if log == nil {
		log = io.Discard
	}
	started := time.Now()
	if _, err := os.Stat(filepath.Join(dir, "data.db")); err == nil {
		return nil, fmt.Errorf("%s already holds a data.db; remove it or pick another dir", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	// settle the day here, so that dataset.txt names the day the rows are
	// laid out around (bench/run.sh reuses a data set of today's only)
	if err := cfg.check(); err != nil {
		return nil, err
	}
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		return nil, err
	}
	if err := app.RunAllMigrations(); err != nil {
		return nil, err
	}
	if err := app.ResetBootstrapState(); err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "  %-10s %9s       %s\n", "schema", "", time.Since(started).Round(time.Millisecond))
	stats, err := Generate(filepath.Join(dir, "data.db"), cfg, log)
	if err != nil {
		return nil, err
	}
	stats.Took = time.Since(started)
	// what the data set is, for scripts that reuse it (bench/run.sh
	// regenerates it when its day is not today)
	about := fmt.Sprintf("today=%s seed=%d points=%d clients=%d occasions=%d touches=%d tickets=%d took=%s\n",
		cfg.Today.Format(time.DateOnly), cfg.Seed, cfg.Points, cfg.Clients, cfg.Occasions, cfg.Touches, cfg.Tickets,
		stats.Took.Round(time.Millisecond))
	if err := os.WriteFile(filepath.Join(dir, "dataset.txt"), []byte(about), 0o644); err != nil {
		return nil, err
	}
	return stats, nil
}

// Generate writes the data set into the SQLite database at dbPath, whose
// schema the Touchbase migrations have already created and which holds no
// points yet. Progress goes to log.
func Generate(dbPath string, cfg Config, log io.Writer) (*Stats, error) {
	if log == nil {
		log = io.Discard
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	started := time.Now()

	db, err := sql.Open("sqlite", dbPath+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)&_pragma=cache_size(-400000)&_pragma=temp_store(MEMORY)")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	var existing int
	if err := db.QueryRow("SELECT COUNT(*) FROM points").Scan(&existing); err != nil {
		return nil, fmt.Errorf("the data dir has no Touchbase schema (run the migrations first): %w", err)
	}
	if existing > 0 {
		return nil, fmt.Errorf("the data dir already has %d points; generate into an empty data dir", existing)
	}

	g := &generator{
		cfg: cfg,
		r:   rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x7b7ec4ba5e)),
		// the clients' colleagues come from their own source, so that
		// adding them left every other row as it was
		cr:    rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0xc0417ac75)),
		today: cfg.Today,
		now:   cfg.Today.Add(-time.Minute), // history ends just before the day starts
		w:     newWriter(db, cfg.TxRows),
		log:   log,
	}
	bulk := []string{"clients", "contacts", "touches", "comments"}
	indexes, err := dropIndexes(db, bulk...)
	if err != nil {
		return nil, err
	}
	// the triggers that keep the aggregates would look up, row by row, the
	// indexes just dropped; the aggregates are rebuilt after instead
	triggers, err := dropTriggers(db, bulk...)
	if err != nil {
		return nil, err
	}

	steps := []struct {
		name string
		fn   func() error
	}{
		{"points", g.writePoints},
		{"staff", g.writeStaff},
		{"clients", g.writeClients},
		{"occasions", g.writeOccasions},
		{"touches", g.writeTouches},
		{"tickets", g.writeTickets},
		{"holds", g.writeHolds},
		{"comments", g.writeManualComments},
	}
	for _, step := range steps {
		t := time.Now()
		if err := step.fn(); err != nil {
			g.w.rollback()
			return nil, fmt.Errorf("%s: %w", step.name, err)
		}
		if err := g.w.commit(); err != nil {
			return nil, fmt.Errorf("%s: %w", step.name, err)
		}
		fmt.Fprintf(log, "  %-10s %9d rows  %s\n", step.name, g.w.written[step.name], time.Since(t).Round(time.Millisecond))
	}

	t := time.Now()
	for _, create := range indexes {
		if _, err := db.Exec(create); err != nil {
			return nil, fmt.Errorf("indexing: %w", err)
		}
	}
	fmt.Fprintf(log, "  %-10s %9d       %s\n", "indexes", len(indexes), time.Since(t).Round(time.Millisecond))

	t = time.Now()
	for _, statement := range append(aggregates.RebuildSQL(), triggers...) {
		if _, err := db.Exec(statement); err != nil {
			return nil, fmt.Errorf("aggregates: %w", err)
		}
	}
	fmt.Fprintf(log, "  %-10s %9d       %s\n", "aggregates", len(triggers), time.Since(t).Round(time.Millisecond))

	// the statistics a running installation has: PocketBase's daily cron
	// runs PRAGMA optimize, which analyses the tables its queries use
	t = time.Now()
	if _, err := db.Exec("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return nil, fmt.Errorf("optimize: %w", err)
	}
	fmt.Fprintf(log, "  %-10s %9s       %s\n", "optimize", "", time.Since(t).Round(time.Millisecond))

	counts := map[string]int{}
	for _, table := range []string{"points", "users", "clients", "contacts", "occasions", "touches", "comments", "tickets", "holds"} {
		var n int
		if err := db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
			return nil, err
		}
		counts[table] = n
	}
	return &Stats{Counts: counts, Took: time.Since(started)}, nil
}

func (cfg *Config) check() error {
	if cfg.Today.IsZero() {
		y, m, d := time.Now().UTC().Date()
		cfg.Today = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	} else {
		y, m, d := cfg.Today.UTC().Date()
		cfg.Today = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	if cfg.TxRows <= 0 {
		cfg.TxRows = 100_000
	}
	if cfg.ContactsPerClient == 0 {
		cfg.ContactsPerClient = DefaultContactsPerClient
	}
	switch {
	case cfg.Points < 1 || cfg.Points > len(points)*9:
		return fmt.Errorf("points: between 1 and %d", len(points)*9)
	case cfg.Clients < cfg.Points:
		return fmt.Errorf("clients: at least one per point")
	case cfg.Occasions < 2:
		return fmt.Errorf("occasions: at least 2")
	case cfg.ManagersPerPoint < 1:
		return fmt.Errorf("managers per point: at least 1")
	case cfg.ServiceManagers < 1:
		return fmt.Errorf("service managers: at least 1")
	case cfg.ContactsPerClient < 1 || cfg.ContactsPerClient > 4:
		return fmt.Errorf("contacts per client: between 1 and 4")
	case cfg.Touches < 0 || cfg.Tickets < 0 || cfg.Holds < 0 || cfg.ManualComments < 0:
		return fmt.Errorf("counts cannot be negative")
	}
	return nil
}

// generator holds one run's state; r is its only source of randomness.
type generator struct {
	cfg   Config
	r     *rand.Rand
	cr    *rand.Rand // the colleagues' (writeColleagues)
	today time.Time  // 00:00 UTC of the data set's day
	now   time.Time  // the latest moment written
	w     *writer
	log   io.Writer

	points    []*point
	service   []*staff
	clients   []*client
	occasions []*occasion
}

type point struct {
	id, name string
	loc      *time.Location
	tz       string
	locale   *locale
	managers []*staff
	clients  []*client
}

type staff struct {
	id, name string
}

type client struct {
	id, name string
	point    *point
	manager  *staff // nil = none
	segment  string
	channel  string
	dates    occurrence.Client
	// contact is the id of the client's one (primary) contact, whose
	// birthday dates is
	contact, contactName string
}

// moment is a working-hours moment (in UTC) on the calendar date day.
func (g *generator) moment(day time.Time) time.Time {
	return day.Add(time.Duration(7*3600+g.r.IntN(11*3600)) * time.Second)
}

// localMoment is a working-hours moment on the local calendar date day at
// point p, never after g.now.
func (g *generator) localMoment(day time.Time, p *point) time.Time {
	t := time.Date(day.Year(), day.Month(), day.Day(), 9+g.r.IntN(9), g.r.IntN(60), g.r.IntN(60), g.r.IntN(1000)*1e6, p.loc)
	if t.After(g.now) {
		t = g.now.Add(-time.Duration(1+g.r.IntN(600)) * time.Second)
	}
	return t
}

// dbTime formats t as PocketBase stores dates.
func dbTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return domain.DBTime(t)
}

func (g *generator) writePoints() error {
	for i := range g.cfg.Points {
		spec := points[i%len(points)]
		name := spec.name
		if i >= len(points) {
			name = fmt.Sprintf("%s %d", spec.name, i/len(points)+1)
		}
		loc, err := time.LoadLocation(spec.timezone)
		if err != nil {
			return err
		}
		p := &point{id: newId(g.r), name: name, loc: loc, tz: spec.timezone, locale: spec.locale}
		created := dbTime(g.moment(g.today.AddDate(-4, 0, 0)))
		if err := g.w.insert("points", "points", []string{"id", "name", "timezone", "country", "created", "updated"},
			p.id, p.name, p.tz, spec.country, created, created); err != nil {
			return err
		}
		g.points = append(g.points, p)
	}
	return nil
}

// userColumns: digest is on, as the users hook sets it for a new account
var userColumns = []string{"id", "email", "emailVisibility", "verified", "password", "tokenKey", "name", "role", "point", "digest", "created", "updated"}

func (g *generator) writeStaff() error {
	created := dbTime(g.moment(g.today.AddDate(-3, 0, 0)))
	add := func(email, name, role, pointId string) (*staff, error) {
		s := &staff{id: newId(g.r), name: name}
		tokenKey := newId(g.r) + newId(g.r) + newId(g.r)
		return s, g.w.insert("staff", "users", userColumns,
			s.id, email, true, true, passwordHash, tokenKey, name, role, pointId, true, created, created)
	}
	for i := range g.cfg.ServiceManagers {
		s, err := add(ServiceManagerEmail(i), ru.person(g.r).name, "service_manager", "")
		if err != nil {
			return err
		}
		g.service = append(g.service, s)
	}
	for pi, p := range g.points {
		for n := range g.cfg.ManagersPerPoint {
			s, err := add(ManagerEmail(pi, n), p.locale.person(g.r).name, "point_manager", p.id)
			if err != nil {
				return err
			}
			p.managers = append(p.managers, s)
		}
	}
	return nil
}

var clientColumns = []string{"id", "name", "point", "manager", "segment", "stage",
	"since", "tags", "notes", "search", "created", "updated"}

// contactColumns are the columns of a client's people.
var contactColumns = []string{"id", "client", "name", "role", "position", "birthday", "channel", "telegram", "whatsapp", "phone", "email",
	"primary", "archived", "created", "updated"}

var (
	segmentValues  = []string{"A+", "A", "B", "C", "D"}
	segmentWeights = []int{4, 11, 25, 40, 20}
	stageValues    = []string{"prospect", "new", "regular", "sleeping", "lost"}
	stageWeights   = []int{8, 14, 58, 12, 8}
)

func (g *generator) writeClients() error {
	r := g.r
	for i := range g.cfg.Clients {
		p := g.points[i%len(g.points)]
		l := p.locale
		contact := l.person(r)
		co := l.company(r, contact)

		segment := fake.Weighted(r, segmentValues, segmentWeights)
		stage := fake.Weighted(r, stageValues, stageWeights)
		if segment == "A+" || segment == "A" {
			stage = fake.Weighted(r, []string{"new", "regular", "sleeping"}, []int{10, 85, 5})
		}
		channel := fake.Weighted(r, l.channels, l.channelWeights)

		var phone, whatsapp, email, telegram string
		if channel == "phone" || r.IntN(10) < 9 {
			phone = l.phone(r)
		}
		if channel == "whatsapp" || r.IntN(4) == 0 {
			whatsapp = l.mobile(r)
		}
		if channel == "email" || r.IntN(10) < 8 {
			email = contact.latinFirst[:1] + "." + contact.latinLast + "@" + co.latin + ".example"
		}
		if channel == "telegram" || r.IntN(10) < 3 {
			handle := co.latin
			if co.soleTrader || len(handle) < 5 {
				handle = contact.latinFirst + "_" + contact.latinLast
			}
			handle = "@" + handle + "_" + fake.Digits(r, 2)
			if len(handle) > 32 {
				handle = handle[:32]
			}
			telegram = handle
		}

		var birthday, since time.Time
		if r.IntN(100) < 85 {
			birthday = time.Date(1960+r.IntN(40), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		}
		switch stage {
		case "prospect":
		case "new":
			since = g.today.AddDate(0, 0, -(20 + r.IntN(280)))
		default:
			since = g.today.AddDate(0, 0, -(400 + r.IntN(12*365)))
		}

		tags := []string{}
		if segment == "A+" || (segment == "A" && r.IntN(2) == 0) {
			tags = append(tags, "vip")
		}
		for range r.IntN(3) {
			if tag := fake.Pick(r, l.tags); !contains(tags, tag) {
				tags = append(tags, tag)
			}
		}
		rawTags, _ := json.Marshal(tags)
		notes := ""
		if r.IntN(4) == 0 {
			notes = fake.Pick(r, l.notes)
		}

		c := &client{id: newId(r), name: co.name, point: p, segment: segment, channel: channel,
			dates: occurrence.Client{Birthday: birthday, Since: since}, contact: newId(r), contactName: contact.name}
		if r.IntN(10) < 9 {
			c.manager = p.managers[r.IntN(min(10, len(p.managers)))]
		}
		managerId := ""
		if c.manager != nil {
			managerId = c.manager.id
		}
		createdAt := since
		if createdAt.IsZero() {
			createdAt = g.today.AddDate(0, 0, -(1 + r.IntN(200)))
		}
		created := dbTime(g.moment(createdAt))
		colleagues := g.colleagues(p, co)
		// the search column as clients/search.go keeps it: the client's
		// name, then its people who have not left, primary first, the
		// others by name
		search := []string{c.name, contact.name}
		for _, k := range colleagues {
			if !k.archived {
				search = append(search, k.name)
			}
		}
		if err := g.w.insert("clients", "clients", clientColumns,
			c.id, c.name, p.id, managerId, segment, stage, dbTime(since), string(rawTags), notes,
			domain.Truncate(domain.NormalizeSearch(strings.Join(search, " ")), 1000), created, created); err != nil {
			return err
		}
		role, position := g.role(l, true)
		if err := g.w.insert("contacts", "contacts", contactColumns,
			c.contact, c.id, contact.name, role, position, dbTime(birthday), channel, telegram, whatsapp, phone, email,
			true, false, created, created); err != nil {
			return err
		}
		for _, k := range colleagues {
			if err := g.w.insert("contacts", "contacts", contactColumns,
				k.id, c.id, k.name, k.role, k.position, dbTime(k.birthday), k.channel, k.telegram, k.whatsapp, k.phone, k.email,
				false, k.archived, created, created); err != nil {
				return err
			}
		}
		g.clients = append(g.clients, c)
		p.clients = append(p.clients, c)
	}
	return nil
}

var occasionColumns = []string{"id", "title", "template", "kind", "category", "starts", "ends", "repeat", "trigger",
	"segments", "points", "archived", "created", "updated"}

func (g *generator) writeOccasions() error {
	g.makeOccasions()
	for _, o := range g.occasions {
		segments, _ := json.Marshal(nonNil(o.segments))
		ids := []string{}
		for _, i := range o.points {
			ids = append(ids, g.points[i].id)
		}
		pointIds, _ := json.Marshal(ids)
		created := dbTime(o.created)
		if err := g.w.insert("occasions", "occasions", occasionColumns,
			o.id, o.title, o.template, o.kind, o.category, dbTime(o.rule.Starts), dbTime(o.rule.Ends), o.repeat(), o.trigger(),
			string(segments), string(pointIds), o.rule.Archived, created, created); err != nil {
			return err
		}
	}
	return nil
}

var (
	touchColumns   = []string{"id", "client", "occasion", "contact", "period", "status", "channel", "comment", "author", "created", "updated"}
	commentColumns = []string{"id", "client", "text", "kind", "touch", "author", "created", "updated"}
)

// touchKey identifies (client, occasion, period) for the uniqueness check.
func touchKey(client, occasion int, period string) uint64 {
	year := 0
	if period != "" {
		year, _ = strconv.Atoi(period)
		year -= 1900
	}
	return uint64(client)<<24 | uint64(occasion)<<10 | uint64(year)
}

// writeTouches writes the marks: about a third of the worklist occasion's
// clients in its current occurrence, then random marks of eligible
// occasions (targeting the client's point and segment) dated inside one of
// their past occurrence windows, until there are cfg.Touches.
func (g *generator) writeTouches() error {
	r := g.r
	seen := make(map[uint64]struct{}, g.cfg.Touches)
	written := 0

	clientIndex := make(map[*client]int, len(g.clients))
	for i, c := range g.clients {
		clientIndex[c] = i
	}
	mark := func(ci, oi int, day time.Time) (bool, error) {
		c, o := g.clients[ci], g.occasions[oi]
		period := occurrence.For(o.rule, c.dates, day).Period
		key := touchKey(ci, oi, period)
		if _, dup := seen[key]; dup {
			return false, nil
		}
		seen[key] = struct{}{}
		written++
		return true, g.writeTouch(c, o, period, g.localMoment(day, c.point))
	}

	// the worklist occasion: about 35 % of its audience touched
	worklist := 0
	for i, o := range g.occasions {
		if o.id == WorklistOccasionId {
			worklist = i
		}
	}
	ws := g.pastWindows(g.occasions[worklist])
	for ci := range g.clients {
		if written >= g.cfg.Touches || len(ws) == 0 {
			break
		}
		if r.IntN(100) < 35 {
			if _, err := mark(ci, worklist, randomDay(r, ws[0])); err != nil {
				return err
			}
		}
	}

	// eligible occasions per point and segment, with their past windows
	type candidate struct {
		index   int
		windows []window
	}
	eligible := map[string][]candidate{}
	for oi, o := range g.occasions {
		if o.noRandomTouches {
			continue
		}
		windows := g.pastWindows(o)
		if !o.personal() && len(windows) == 0 {
			continue
		}
		for pi := range g.points {
			if o.points != nil && !containsInt(o.points, pi) {
				continue
			}
			for _, seg := range segmentValues {
				if o.segments != nil && !contains(o.segments, seg) {
					continue
				}
				k := g.points[pi].id + seg
				eligible[k] = append(eligible[k], candidate{oi, windows})
			}
		}
	}

	misses := 0
	for written < g.cfg.Touches {
		ci := r.IntN(len(g.clients))
		c := g.clients[ci]
		list := eligible[c.point.id+c.segment]
		if len(list) == 0 {
			misses++
			if misses > 10*g.cfg.Touches+1000 {
				return fmt.Errorf("cannot place %d touches (placed %d)", g.cfg.Touches, written)
			}
			continue
		}
		cand := list[r.IntN(len(list))]
		o := g.occasions[cand.index]
		var w window
		if o.personal() {
			var ok bool
			if w, ok = g.personalWindow(o, c); !ok {
				misses++
				continue
			}
		} else {
			w = cand.windows[r.IntN(len(cand.windows))]
		}
		ok, err := mark(ci, cand.index, randomDay(r, w))
		if err != nil {
			return err
		}
		if !ok {
			misses++
			if misses > 10*g.cfg.Touches+1000 {
				return fmt.Errorf("cannot place %d touches (placed %d)", g.cfg.Touches, written)
			}
		}
	}
	return nil
}

// writeTouch writes a touch and its card comment.
func (g *generator) writeTouch(c *client, o *occasion, period string, at time.Time) error {
	r := g.r
	l := c.point.locale
	status := "done"
	if r.IntN(100) < 12 {
		status = "skipped"
	}
	channel := ""
	if status == "done" {
		channel = c.channel
		if r.IntN(5) == 0 {
			channel = fake.Pick(r, l.channels)
		}
	}
	note := ""
	if r.IntN(100) < 30 {
		if status == "done" {
			note = fake.Pick(r, l.touchNotes)
		} else {
			note = fake.Pick(r, l.skipNotes)
		}
	}
	author := c.manager
	if author == nil || r.IntN(10) == 0 {
		author = c.point.managers[r.IntN(min(10, len(c.point.managers)))]
	}
	if r.IntN(20) == 0 {
		author = fake.Pick(r, g.service)
	}
	id := newId(r)
	created := dbTime(at)
	// every mark is addressed to the client's contact; a birthday's
	// period is per contact (domain.TouchPeriod)
	period = domain.TouchPeriod(o.trigger(), period, c.contact)
	if err := g.w.insert("touches", "touches", touchColumns,
		id, c.id, o.id, c.contact, period, status, channel, note, author.id, created, created); err != nil {
		return err
	}
	text := TouchCommentText(o.title, c.contactName, status, channel, author.name, note)
	return g.w.insert("touches", "comments", commentColumns,
		newId(r), c.id, text, "touch", id, author.id, created, created)
}

// channelPhrases say how a touch was made (hooks/touches.go).
var channelPhrases = map[string]string{
	"telegram": "via Telegram",
	"whatsapp": "via WhatsApp",
	"email":    "by email",
	"phone":    "by phone",
	"meeting":  "in a meeting",
}

// TouchCommentText is the card comment the hooks write for a new touch
// (hooks/touches.go writeTouchComment); the smoke test keeps the two in
// step.
func TouchCommentText(occasionTitle, contactName, status, channel, authorName, note string) string {
	var text strings.Builder
	to := ""
	if contactName != "" {
		to = " (" + contactName + ")"
	}
	if status == "skipped" {
		fmt.Fprintf(&text, "Skipped «%s»%s", occasionTitle, to)
	} else {
		fmt.Fprintf(&text, "Touched for «%s»%s", occasionTitle, to)
		if via := channelPhrases[channel]; via != "" {
			text.WriteString(" " + via)
		}
	}
	if authorName != "" {
		fmt.Fprintf(&text, " by %s", authorName)
	}
	text.WriteString(".")
	if note = strings.TrimSpace(note); note != "" {
		if status == "skipped" {
			text.WriteString(" Why: ")
		} else {
			text.WriteString(" ")
		}
		text.WriteString(note)
	}
	return text.String()
}

var (
	ticketColumns = []string{"id", "client", "title", "status", "resolved_at", "created", "updated"}
	holdColumns   = []string{"id", "client", "reason", "note", "until", "ticket", "occasion", "created", "updated"}
)

// writeTickets opens tickets over the last year; a quarter are still open
// (with their hold), the rest were resolved days later. The system comments
// are worded as hooks/tickets.go words them.
func (g *generator) writeTickets() error {
	r := g.r
	for i := range g.cfg.Tickets {
		c := g.clients[r.IntN(len(g.clients))]
		l := c.point.locale
		title := fmt.Sprintf("%s #%d", fake.Pick(r, l.ticketTitles), 1000+i)
		open := r.IntN(4) == 0
		var opened time.Time
		if open {
			opened = g.localMoment(g.today.AddDate(0, 0, -(1+r.IntN(30))), c.point)
		} else {
			opened = g.localMoment(g.today.AddDate(0, 0, -(15+r.IntN(350))), c.point)
		}
		id := newId(r)
		status, resolvedAt, updated := "open", time.Time{}, opened
		if !open {
			status = "resolved"
			resolvedAt = opened.Add(time.Duration(24*(1+r.IntN(10))+r.IntN(8)) * time.Hour)
			if resolvedAt.After(g.now) {
				resolvedAt = g.now
			}
			updated = resolvedAt
		}
		if err := g.w.insert("tickets", "tickets", ticketColumns,
			id, c.id, title, status, dbTime(resolvedAt), dbTime(opened), dbTime(updated)); err != nil {
			return err
		}
		if err := g.w.insert("tickets", "comments", commentColumns, newId(r), c.id,
			fmt.Sprintf("Ticket opened: «%s». Standard occasions are paused for this client until it is resolved.", title),
			"system", "", "", dbTime(opened), dbTime(opened)); err != nil {
			return err
		}
		if open {
			if err := g.w.insert("tickets", "holds", holdColumns,
				newId(r), c.id, "ticket", title, "", id, "", dbTime(opened), dbTime(opened)); err != nil {
				return err
			}
			continue
		}
		if err := g.w.insert("tickets", "comments", commentColumns, newId(r), c.id,
			fmt.Sprintf("Ticket resolved: «%s». Standard occasions resume.", title),
			"system", "", "", dbTime(resolvedAt), dbTime(resolvedAt)); err != nil {
			return err
		}
	}
	return nil
}

// writeHolds writes do-not-contact reasons besides tickets: declined
// offers (one standard occasion only), requests for silence that end in
// the coming weeks, and purchases whose pause has expired.
func (g *generator) writeHolds() error {
	r := g.r
	var standard []*occasion
	for _, o := range g.occasions {
		if o.kind == "standard" && o.id != WorklistOccasionId {
			standard = append(standard, o)
		}
	}
	for range g.cfg.Holds {
		c := g.clients[r.IntN(len(g.clients))]
		l := c.point.locale
		created := g.localMoment(g.today.AddDate(0, 0, -(1+r.IntN(120))), c.point)
		reason, occasionId, until := "", "", time.Time{}
		switch n := r.IntN(10); {
		case n < 4 && len(standard) > 0:
			reason, occasionId = "declined", fake.Pick(r, standard).id
		case n < 7:
			reason, until = "requested", g.today.AddDate(0, 0, 1+r.IntN(60))
		case n < 9:
			reason, until = "bought", created.AddDate(0, 0, 30)
		default:
			reason, until = "other", g.today.AddDate(0, 0, -r.IntN(30))
		}
		if err := g.w.insert("holds", "holds", holdColumns,
			newId(r), c.id, reason, fake.Pick(r, l.holdNotes), dbTime(until), "", occasionId, dbTime(created), dbTime(created)); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) writeManualComments() error {
	r := g.r
	for range g.cfg.ManualComments {
		c := g.clients[r.IntN(len(g.clients))]
		author := c.point.managers[r.IntN(len(c.point.managers))]
		if r.IntN(8) == 0 {
			author = fake.Pick(r, g.service)
		}
		at := dbTime(g.localMoment(g.today.AddDate(0, 0, -(1+r.IntN(730))), c.point))
		if err := g.w.insert("comments", "comments", commentColumns,
			newId(r), c.id, fake.Pick(r, c.point.locale.manualComments), "manual", "", author.id, at, at); err != nil {
			return err
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func containsInt(list []int, n int) bool {
	for _, v := range list {
		if v == n {
			return true
		}
	}
	return false
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// colleague is one of a client's people besides the primary contact.
type colleague struct {
	id, name, role, position                  string
	channel, telegram, whatsapp, phone, email string
	birthday                                  time.Time
	archived                                  bool
}

// colleagues draws the client's other people (from g.cr): 0 to 3, so
// that a client has cfg.ContactsPerClient people on average, one in
// twenty of them archived (left the company); sorted by name, as the
// search column lists them.
func (g *generator) colleagues(p *point, co company) []colleague {
	r, l := g.cr, p.locale
	// 0..3 others: 15/35/35/15 % gives 1.5 on average; scaled for another mean
	extra := fake.Weighted(r, []int{0, 1, 2, 3}, []int{15, 35, 35, 15})
	if mean := g.cfg.ContactsPerClient - 1; mean != 1.5 {
		extra = int(mean/1.5*float64(extra) + r.Float64())
		extra = min(extra, 3)
	}
	out := make([]colleague, 0, extra)
	for range extra {
		person := l.person(r)
		k := colleague{id: newId(r), name: person.name, channel: fake.Weighted(r, l.channels, l.channelWeights), archived: r.IntN(20) == 0}
		k.role, k.position = g.role(l, false)
		if k.channel == "phone" || r.IntN(10) < 6 {
			k.phone = l.phone(r)
		}
		if k.channel == "whatsapp" || r.IntN(4) == 0 {
			k.whatsapp = l.mobile(r)
		}
		if k.channel == "email" || r.IntN(10) < 8 {
			k.email = person.latinFirst[:1] + "." + person.latinLast + "@" + co.latin + ".example"
		}
		if k.channel == "telegram" || r.IntN(10) < 2 {
			handle := "@" + person.latinFirst + "_" + person.latinLast + "_" + fake.Digits(r, 2)
			if len(handle) > 32 {
				handle = handle[:32]
			}
			k.telegram = handle
		}
		if r.IntN(100) < 60 {
			k.birthday = time.Date(1960+r.IntN(40), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		}
		out = append(out, k)
	}
	// byte order, as SQLite's ORDER BY name (clients/search.go)
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// contactRoles are the roles people are drawn with (domain.ContactRoles),
// with a job title in Russian and in English.
var contactRoles = []struct {
	role, ru, en string
	weight       int
}{
	{"decision_maker", "Генеральный директор", "Managing Director", 20},
	{"influencer", "Коммерческий директор", "Head of Sales", 15},
	{"user", "Менеджер по закупкам", "Purchasing Manager", 25},
	{"technical", "Главный инженер", "Technical Lead", 10},
	{"finance", "Главный бухгалтер", "Chief Accountant", 15},
	{"assistant", "Офис-менеджер", "Office Manager", 10},
	{"other", "", "", 5},
}

// role draws a person's role and job title (from g.cr); the primary
// contact is the decision maker four times in five.
func (g *generator) role(l *locale, primary bool) (string, string) {
	r := g.cr
	i := 0
	if !primary || r.IntN(5) == 0 {
		weights := make([]int, len(contactRoles))
		indexes := make([]int, len(contactRoles))
		for j, cr := range contactRoles {
			weights[j], indexes[j] = cr.weight, j
		}
		i = fake.Weighted(r, indexes, weights)
	}
	cr := contactRoles[i]
	if l.code == "ru" {
		return cr.role, cr.ru
	}
	return cr.role, cr.en
}
