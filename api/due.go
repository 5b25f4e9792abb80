package api

import (
	"net/http"
	"slices"
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
// (cadence.ThresholdsFor, cadence.Since). So per cadence the level counts
// are range counts of an index and the most overdue clients its order
// (dueQuery); only the page's clients are loaded with their details and
// their touches of the last 365 days.
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

// dueQuery reads the Due levels of the filter's clients at now, one
// cadence (segment) at a time. A client's level is where its last_touch
// lies among the moments the cadence's levels were reached
// (cadence.Since of cadence.ThresholdsFor: a client touched at or before
// the due moment is due, or later), so per cadence the level counts are
// ranges of an index on (…, segment, last_touch, stage) —
// idx_clients_due_point for one point, idx_clients_due_all for all — and its
// most overdue clients are that index's order, oldest touch first.
type dueQuery struct {
	db       dbx.Builder
	now      time.Time
	filter   *clientFilter
	cadences []dueCadence
}

// dueCadence is one cadence with the moments of its levels.
type dueCadence struct {
	Segment  string  `db:"segment"`
	Days     float64 `db:"interval_days"`
	PerMand  float64 `db:"standard_per_mandatory"`
	interval int
	// a client whose last touch is at or before soon, due, overdue has
	// reached that level ("" never touched: overdue)
	soon, due, overdue string
}

func newDueQuery(app core.App, filter *clientFilter, now time.Time) (*dueQuery, error) {
	var cadences []dueCadence
	if err := app.DB().Select("segment", "interval_days", "standard_per_mandatory").From("cadences").
		OrderBy("segment").All(&cadences); err != nil {
		return nil, err
	}
	for i := range cadences {
		cd := &cadences[i]
		cd.interval = max(int(cd.Days), 1)
		t := cadence.ThresholdsFor(cd.interval)
		cd.soon = domain.DBTime(cadence.Since(now, t.Soon))
		cd.due = domain.DBTime(cadence.Since(now, t.Due))
		cd.overdue = domain.DBTime(cadence.Since(now, t.Overdue))
	}
	return &dueQuery{db: app.DB(), now: now, filter: filter, cadences: cadences}, nil
}

// where is the filter's condition on the cadence's clients, params filled.
func (q *dueQuery) where(cd *dueCadence, params dbx.Params) string {
	params["d_segment"] = cd.Segment
	return `c.segment = {:d_segment} AND ` + sqlOf(q.db, q.filter.Expr("c"), params)
}

// levelsSQL is the condition "the client is at one of levels" for the
// cadence: each level is a range of last_touch.
func levelsSQL(cd *dueCadence, levels []string, params dbx.Params) string {
	params["d_soon"], params["d_due"], params["d_overdue"] = cd.soon, cd.due, cd.overdue
	ranges := map[string]string{
		string(cadence.Overdue): `c.last_touch <= {:d_overdue}`, // "" sorts first: never touched
		string(cadence.Due):     `(c.last_touch > {:d_overdue} AND c.last_touch <= {:d_due})`,
		string(cadence.Soon):    `(c.last_touch > {:d_due} AND c.last_touch <= {:d_soon})`,
		string(cadence.OK):      `c.last_touch > {:d_soon}`,
	}
	var or []string
	for _, l := range levels {
		or = append(or, ranges[l])
	}
	if len(or) == 0 {
		return "0"
	}
	return "(" + strings.Join(or, " OR ") + ")"
}

// counts returns how many of the clients are at each level (every level
// present, 0 when none): per cadence, three range counts and the total
// of one index.
func (q *dueQuery) counts() (map[string]int, error) {
	counts := make(map[string]int, len(dueLevels))
	for _, l := range dueLevels {
		counts[l] = 0
	}
	for i := range q.cadences {
		cd := &q.cadences[i]
		params := dbx.Params{}
		where := q.where(cd, params)
		levels := make([]string, len(dueLevels))
		for j, l := range dueLevels {
			levels[j] = `(SELECT COUNT(*) FROM clients c WHERE ` + where + ` AND ` + levelsSQL(cd, []string{l}, params) + `)`
		}
		var n struct {
			OK      int `db:"ok"`
			Soon    int `db:"soon"`
			Due     int `db:"due"`
			Overdue int `db:"overdue"`
		}
		err := q.db.NewQuery(`SELECT ` + levels[0] + ` AS ok, ` + levels[1] + ` AS soon, ` + levels[2] + ` AS due, ` +
			levels[3] + ` AS overdue`).Bind(params).One(&n)
		if err != nil {
			return nil, err
		}
		counts[string(cadence.OK)] += n.OK
		counts[string(cadence.Soon)] += n.Soon
		counts[string(cadence.Due)] += n.Due
		counts[string(cadence.Overdue)] += n.Overdue
	}
	return counts, nil
}

// dueCandidate is a client read for a page.
type dueCandidate struct {
	Id        string `db:"id"`
	Search    string `db:"search"`
	LastTouch string `db:"last_touch"`
	cadence   *dueCadence
	days      int // whole days since the last touch; -1 never touched
}

// page returns perPage clients of the levels from offset, most overdue
// first: never touched first, then by whole days since the last touch
// over the interval, then by name, then id (moreOverdue).
//
// Within one cadence, more days means an older last touch, so its first
// offset+perPage clients in that order are read from the index oldest
// touch first, and the last of them is completed with every client of its
// day (whose order is by name); the page is then the first of the
// cadences' lists merged.
func (q *dueQuery) page(levels []string, offset, perPage int) ([]dueItem, error) {
	need := offset + perPage
	var all []dueCandidate
	for i := range q.cadences {
		cd := &q.cadences[i]
		params := dbx.Params{"d_need": need}
		where := q.where(cd, params) + ` AND ` + levelsSQL(cd, levels, params)
		var rows []dueCandidate
		err := q.db.NewQuery(`SELECT c.id AS id, c.search AS search, c.last_touch AS last_touch
			FROM clients c WHERE ` + where + ` ORDER BY c.last_touch LIMIT {:d_need}`).Bind(params).All(&rows)
		if err != nil {
			return nil, err
		}
		if len(rows) == need && need > 0 {
			// the rest of the last client's day: never touched, or
			// touched within the same whole day
			last := q.candidate(cd, rows[len(rows)-1])
			var day string
			if last.days < 0 {
				day = `c.last_touch = ''`
			} else {
				params["d_day_from"] = domain.DBTime(cadence.Since(q.now, last.days+1))
				day = `c.last_touch > {:d_day_from}`
				if last.days > 0 {
					params["d_day_to"] = domain.DBTime(cadence.Since(q.now, last.days))
					day += ` AND c.last_touch <= {:d_day_to}`
				}
			}
			var rest []dueCandidate
			err := q.db.NewQuery(`SELECT c.id AS id, c.search AS search, c.last_touch AS last_touch
				FROM clients c WHERE ` + where + ` AND ` + day).Bind(params).All(&rest)
			if err != nil {
				return nil, err
			}
			rows = append(rows, rest...)
		}
		seen := make(map[string]bool, len(rows))
		for _, r := range rows {
			if !seen[r.Id] {
				seen[r.Id] = true
				all = append(all, q.candidate(cd, r))
			}
		}
	}
	slices.SortFunc(all, func(a, b dueCandidate) int {
		if moreOverdue(&a, &b) {
			return -1
		}
		if moreOverdue(&b, &a) {
			return 1
		}
		return 0
	})
	all = all[min(offset, len(all)):min(need, len(all))]

	items := make([]dueItem, len(all))
	for i, c := range all {
		items[i] = dueItem{
			Client:               clientJSON{Id: c.Id},
			Interval:             c.cadence.interval,
			Level:                string(cadence.LevelFor(c.days, c.cadence.interval)),
			StandardPerMandatory: cadence.Rule{StandardPerMandatory: c.cadence.PerMand}.PerMandatory(),
		}
		if c.days >= 0 {
			lastTouch, days := c.LastTouch, c.days
			items[i].LastTouch, items[i].DaysSince = &lastTouch, &days
		}
	}
	return items, nil
}

// candidate computes r's whole days since its last touch at now (floored,
// 0 for a touch in the future, as cadence.Status.DaysSince).
func (q *dueQuery) candidate(cd *dueCadence, r dueCandidate) dueCandidate {
	r.cadence, r.days = cd, -1
	if last, err := types.ParseDateTime(r.LastTouch); err == nil && !last.IsZero() {
		r.days = max(int(q.now.Sub(last.Time())/(24*time.Hour)), 0)
	}
	return r
}

// moreOverdue orders the Due list: never touched first, then by days since
// the last touch relative to the interval (compared by cross-multiplying,
// so there is no rounding), then by name and id.
func moreOverdue(a, b *dueCandidate) bool {
	if (a.days < 0) != (b.days < 0) {
		return a.days < 0
	}
	if a.days >= 0 {
		if l, r := a.days*b.cadence.interval, b.days*a.cadence.interval; l != r {
			return l > r
		}
	}
	if a.Search != b.Search {
		return a.Search < b.Search
	}
	return a.Id < b.Id
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
	byClient := make(map[string]int, len(rows))
	for i, r := range rows {
		byClient[r.Client] = i
	}
	for i := range items {
		if j, ok := byClient[items[i].Client.Id]; ok {
			items[i].Mandatory, items[i].Standard = rows[j].Mandatory, rows[j].Standard
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
