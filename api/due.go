package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"touchbase/cadence"
	"touchbase/domain"
	"touchbase/occurrence"
)

// Levels that due= accepts, from relaxed to late; "all" means every level.
var dueLevels = []string{string(cadence.OK), string(cadence.Soon), string(cadence.Due), string(cadence.Overdue)}

// defaultDueLevels is what the Due view shows unless level= says otherwise.
var defaultDueLevels = []string{string(cadence.Due), string(cadence.Overdue)}

const yearAgo = 365 * 24 * time.Hour

// due serves GET /api/touchbase/due (SPEC §6): the clients in scope whose
// segment has a cadence, with how long since their last done touch against
// the segment's interval, sorted by how overdue they are.
//
// Query: the worklist's client filters (lost clients left out unless
// stage= asks), level=ok,soon,due,overdue|all (default due,overdue), page,
// perPage.
//
// Approach (issue 15): each client's last done touch is clients.last_touch,
// kept by the database with every touch (migrations/1764800000_last_touch.go),
// and a level is a range of it: a client is due when its last touch lies
// at or before the moment the segment's due day was reached
// (cadence.ThresholdsFor, cadence.Since). So the level counts are one
// grouped read of idx_clients_due and the page one ordered read, both in
// SQL (dueQuery); only the page's clients are loaded with their details
// and their touches of the last 365 days.
func due(e *core.RequestEvent) error {
	filter, err := parseClientFilter(e)
	if err != nil {
		return err
	}
	levels, err := parseLevels(e.Request.URL.Query().Get("level"))
	if err != nil {
		return err
	}

	now := time.Now()
	q, err := newDueQuery(e.App, filter, now)
	if err != nil {
		return err
	}
	counts, err := q.counts()
	if err != nil {
		return err
	}
	total := 0
	for _, l := range levels {
		total += counts[l]
	}
	items, err := q.page(levels, filter.Offset(), filter.PerPage)
	if err != nil {
		return err
	}
	if err := loadClients(e.App, items); err != nil {
		return err
	}
	if err := countTouches(e.App, items, now); err != nil {
		return err
	}
	return e.JSON(http.StatusOK, dueResponse{
		Page:       filter.Page,
		PerPage:    filter.PerPage,
		TotalItems: total,
		Counts:     counts,
		Items:      items,
		Occasion:   dueOccasion(e.App, filter.Scope, now),
	})
}

// dueOccasion names the built-in personal-contact occasion
// (domain.PersonalContactOccasion), the one the Due view logs a touch with
// through the ordinary touches API, when it exists, the caller may see it
// and it is active today (occurrence.Active, in the zone that decides the
// plan's today: the caller's point's, the server's for several points);
// nil otherwise.
func dueOccasion(app core.App, scope *Scope, now time.Time) *dueOccasionJSON {
	o, err := app.FindRecordById("occasions", domain.PersonalContactOccasion)
	if err != nil || !visibleOccasion(scope, o) {
		return nil
	}
	today := occurrence.Today(now, planTimezone(app, scope))
	if ok, _ := occurrence.Active(domain.OccasionRule(o), occurrence.Client{}, today); !ok {
		return nil
	}
	return &dueOccasionJSON{Id: o.Id, Title: o.GetString("title")}
}

// dueResponse is the due JSON; Counts has every level for the whole
// filtered set (before level= and paging), for the view's colour legend.
type dueResponse struct {
	Page       int            `json:"page"`
	PerPage    int            `json:"perPage"`
	TotalItems int            `json:"totalItems"`
	Counts     map[string]int `json:"counts"`
	Items      []dueItem      `json:"items"`
	// Occasion is the occasion a touch from Due is logged with (see
	// dueOccasion); null when there is none.
	Occasion *dueOccasionJSON `json:"occasion"`
}

type dueOccasionJSON struct {
	Id    string `json:"id"`
	Title string `json:"title"`
}

type dueItem struct {
	Client clientJSON `json:"client"`
	// LastTouch is the created date of the latest done touch, nil when never.
	LastTouch *string `json:"lastTouch"`
	// DaysSince is whole days since LastTouch, nil when never touched.
	DaysSince *int   `json:"daysSince"`
	Interval  int    `json:"interval"`
	Level     string `json:"level"`
	// Mandatory and Standard count done touches of the last 365 days.
	Mandatory            int     `json:"mandatory"`
	Standard             int     `json:"standard"`
	StandardPerMandatory float64 `json:"standardPerMandatory"`
	RatioMet             bool    `json:"ratioMet"`

	search string // sort key for ties
}

// dueQuery reads the Due levels of the filter's clients at now in SQL.
// Each cadence becomes a row of a small VALUES table with the moments its
// levels were reached (cadence.Since of cadence.ThresholdsFor), so a
// client's level is where its last_touch lies among them (levelSQL) and
// the order is days since the last touch over the interval; the thresholds
// themselves are only in package cadence.
type dueQuery struct {
	db     dbx.Builder
	now    time.Time
	from   string // FROM … WHERE …, with the cadences as th
	params dbx.Params
}

// levelSQL is a client's level: never touched or touched at or before the
// overdue moment → overdue, and so on; the CASE tries the latest level
// first, so a level whose first day equals the next one's (soon, for a
// one-day interval) is never given.
const levelSQL = `CASE WHEN c.last_touch = '' OR c.last_touch <= th.cut_overdue THEN 'overdue'
		WHEN c.last_touch <= th.cut_due THEN 'due'
		WHEN c.last_touch <= th.cut_soon THEN 'soon' ELSE 'ok' END`

func newDueQuery(app core.App, filter *clientFilter, now time.Time) (*dueQuery, error) {
	var cadences []struct {
		Segment  string  `db:"segment"`
		Interval float64 `db:"interval_days"`
		Ratio    float64 `db:"standard_per_mandatory"`
	}
	if err := app.DB().Select("segment", "interval_days", "standard_per_mandatory").From("cadences").All(&cadences); err != nil {
		return nil, err
	}
	db := app.DB()
	params := dbx.Params{}
	rows := []string{}
	for i, cd := range cadences {
		interval := max(int(cd.Interval), 1)
		t := cadence.ThresholdsFor(interval)
		n := strconv.Itoa(i)
		params["th_segment"+n] = cd.Segment
		params["th_interval"+n] = interval
		params["th_ratio"+n] = cadence.Rule{StandardPerMandatory: cd.Ratio}.PerMandatory()
		params["th_soon"+n] = domain.DBTime(cadence.Since(now, t.Soon))
		params["th_due"+n] = domain.DBTime(cadence.Since(now, t.Due))
		params["th_overdue"+n] = domain.DBTime(cadence.Since(now, t.Overdue))
		rows = append(rows, "({:th_segment"+n+"}, {:th_interval"+n+"}, {:th_ratio"+n+"}, {:th_soon"+n+"}, {:th_due"+n+"}, {:th_overdue"+n+"})")
	}
	if len(rows) == 0 {
		rows = append(rows, "(NULL, 1, 2, '', '', '')") // no cadence: no client has a level
	}
	params["d_now_ms"] = now.UnixMilli()
	from := `FROM clients c
		JOIN (SELECT column1 AS segment, column2 AS interval_days, column3 AS ratio,
			column4 AS cut_soon, column5 AS cut_due, column6 AS cut_overdue
			FROM (VALUES ` + strings.Join(rows, ", ") + `)) th ON th.segment = c.segment
		WHERE ` + sqlOf(db, filter.Expr("c"), params)
	return &dueQuery{db: db, now: now, from: from, params: params}, nil
}

// counts returns how many of the clients are at each level (every level
// present, 0 when none).
func (q *dueQuery) counts() (map[string]int, error) {
	var rows []struct {
		Level string `db:"level"`
		N     int    `db:"n"`
	}
	err := q.db.NewQuery(`SELECT ` + levelSQL + ` AS level, COUNT(*) AS n ` + q.from + ` GROUP BY 1`).
		Bind(q.params).All(&rows)
	if err != nil {
		return nil, err
	}
	counts := make(map[string]int, len(dueLevels))
	for _, l := range dueLevels {
		counts[l] = 0
	}
	for _, r := range rows {
		counts[r.Level] = r.N
	}
	return counts, nil
}

// daysSQL is the whole days since the last touch at now (floored, 0 for a
// touch in the future), as cadence.Status.DaysSince; in milliseconds so
// the floor is exact.
const daysSQL = `MAX(({:d_now_ms} - CAST(ROUND(unixepoch(c.last_touch, 'subsec') * 1000) AS INTEGER)) / 86400000, 0)`

// page returns perPage clients of the levels from offset, most overdue
// first: never touched first, then by whole days since the last touch
// over the interval, then by name (equal fractions of small integers are
// equal doubles, so the order is the exact one).
func (q *dueQuery) page(levels []string, offset, perPage int) ([]dueItem, error) {
	params := dbx.Params{"d_limit": perPage, "d_offset": offset}
	for k, v := range q.params {
		params[k] = v
	}
	var rows []struct {
		Id        string  `db:"id"`
		Level     string  `db:"level"`
		LastTouch string  `db:"last_touch"`
		Interval  int     `db:"interval_days"`
		Ratio     float64 `db:"ratio"`
	}
	err := q.db.NewQuery(`SELECT c.id AS id, ` + levelSQL + ` AS level, c.last_touch AS last_touch,
			th.interval_days AS interval_days, th.ratio AS ratio ` + q.from + `
			AND ` + sqlOf(q.db, inList(levelSQL, "d_level", levels), params) + `
		ORDER BY c.last_touch != '', CAST(` + daysSQL + ` AS REAL) / th.interval_days DESC, c.search, c.id
		LIMIT {:d_limit} OFFSET {:d_offset}`).Bind(params).All(&rows)
	if err != nil {
		return nil, err
	}
	items := make([]dueItem, len(rows))
	for i, r := range rows {
		items[i] = dueItem{
			Client:               clientJSON{Id: r.Id},
			Interval:             r.Interval,
			Level:                r.Level,
			StandardPerMandatory: r.Ratio,
		}
		if last, err := types.ParseDateTime(r.LastTouch); err == nil && !last.IsZero() {
			lastTouch := r.LastTouch
			days := max(int(q.now.Sub(last.Time())/(24*time.Hour)), 0)
			items[i].LastTouch, items[i].DaysSince = &lastTouch, &days
		}
	}
	return items, nil
}

// countTouches fills in the page's done touches of the last 365 days,
// mandatory / standard, and whether their ratio is met (cadence.RatioMet):
// one range of idx_touches_client_done per client.
func countTouches(app core.App, items []dueItem, now time.Time) error {
	if len(items) == 0 {
		return nil
	}
	ids := make([]string, len(items))
	for i := range items {
		ids[i] = items[i].Client.Id
	}
	params := dbx.Params{"d_since": domain.DBTime(now.Add(-yearAgo))}
	db := app.DB()
	var rows []struct {
		Client    string `db:"client"`
		Mandatory int    `db:"mandatory"`
		Standard  int    `db:"standard"`
	}
	err := db.NewQuery(`SELECT t.client AS client,
			COUNT(CASE WHEN o.kind = 'mandatory' THEN 1 END) AS mandatory,
			COUNT(CASE WHEN o.kind = 'standard' THEN 1 END) AS standard
		FROM touches t JOIN occasions o ON o.id = t.occasion
		WHERE ` + sqlOf(db, inList("t.client", "d_id", ids), params) + ` AND t.status = 'done' AND t.created > {:d_since}
		GROUP BY t.client`).Bind(params).All(&rows)
	if err != nil {
		return err
	}
	for i := range items {
		for _, r := range rows {
			if r.Client == items[i].Client.Id {
				items[i].Mandatory, items[i].Standard = r.Mandatory, r.Standard
			}
		}
		items[i].RatioMet = cadence.RatioMet(items[i].Standard, items[i].Mandatory, items[i].StandardPerMandatory)
	}
	return nil
}

// loadClients fills in the client details of items in one query.
func loadClients(app core.App, items []dueItem) error {
	if len(items) == 0 {
		return nil
	}
	ids := make([]string, len(items))
	for i := range items {
		ids[i] = items[i].Client.Id
	}
	params := dbx.Params{}
	db := app.DB()
	sql := `SELECT c.id AS id, c.name AS name, c.point AS point, COALESCE(p.name, '') AS point_name,
			c.segment AS segment, c.stage AS stage, COALESCE(pc.name, '') AS contact_name, COALESCE(pc.channel, '') AS channel,
			COALESCE(pc.telegram, '') AS telegram, COALESCE(pc.whatsapp, '') AS whatsapp,
			COALESCE(pc.phone, '') AS phone, COALESCE(pc.email, '') AS email,
			COALESCE(c.tags, '') AS tags, c.manager AS manager, COALESCE(m.name, '') AS manager_name
		FROM clients c` + domain.PrimaryContactSQL + `
		LEFT JOIN points p ON p.id = c.point
		LEFT JOIN users m ON m.id = c.manager
		WHERE ` + sqlOf(db, inList("c.id", "d_id", ids), params)
	var rows []struct {
		Id          string `db:"id"`
		Name        string `db:"name"`
		Point       string `db:"point"`
		PointName   string `db:"point_name"`
		Segment     string `db:"segment"`
		Stage       string `db:"stage"`
		ContactName string `db:"contact_name"`
		Channel     string `db:"channel"`
		Telegram    string `db:"telegram"`
		Whatsapp    string `db:"whatsapp"`
		Phone       string `db:"phone"`
		Email       string `db:"email"`
		Tags        string `db:"tags"`
		Manager     string `db:"manager"`
		ManagerName string `db:"manager_name"`
	}
	if err := db.NewQuery(sql).Bind(params).All(&rows); err != nil {
		return err
	}
	byId := make(map[string]clientJSON, len(rows))
	for _, r := range rows {
		byId[r.Id] = clientJSON{
			Id: r.Id, Name: r.Name, Point: r.Point, PointName: r.PointName, Segment: r.Segment, Stage: r.Stage,
			ContactName: r.ContactName, Channel: r.Channel, Telegram: r.Telegram, Whatsapp: r.Whatsapp,
			Phone: r.Phone, Email: r.Email, Tags: parseTags(r.Tags), Manager: r.Manager, ManagerName: r.ManagerName,
		}
	}
	for i := range items {
		if c, ok := byId[items[i].Client.Id]; ok {
			items[i].Client = c
		}
	}
	return nil
}

// parseLevels reads level= (a comma list of levels, or all); "" is
// due,overdue.
func parseLevels(raw string) ([]string, error) {
	raw = strings.TrimSpace(raw)
	switch raw {
	case "":
		return defaultDueLevels, nil
	case "all":
		return dueLevels, nil
	}
	var levels []string
	for _, part := range strings.Split(raw, ",") {
		level := strings.TrimSpace(part)
		if !slices.Contains(dueLevels, level) {
			return nil, paramError("level", "validation_invalid_value",
				"has an unknown value %q; expected all or a list of %s.", level, strings.Join(dueLevels, ", "))
		}
		levels = append(levels, level)
	}
	return levels, nil
}
