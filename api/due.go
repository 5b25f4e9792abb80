package api

import (
	"net/http"
	"slices"
	"sort"
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
// Approach: one aggregate query (clients ⋈ cadences, LEFT JOIN done
// touches through idx_touches_once's client prefix and their occasions for
// the kind, GROUP BY client) returns each client's last done touch and
// their mandatory / standard counts of the last 365 days, and nothing
// else; levels come from cadence.LevelFor in Go, then the rows are
// filtered by level, sorted and paged in Go, and one more query loads the
// details (contacts, names) of the page's clients only. The level depends
// on now, so it cannot be sorted on in SQL without repeating the
// thresholds there; the cost is reading every client in scope with its
// done touches on each request — for 5,000 clients with a year of history
// about a hundred thousand index steps, the bulk of the route's time — and
// one small struct per client in memory.
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
	rows, err := dueRows(e.App, filter, now)
	if err != nil {
		return err
	}

	counts := map[string]int{}
	for _, l := range dueLevels {
		counts[l] = 0
	}
	items := make([]dueItem, 0, len(rows))
	for i := range rows {
		item := rows[i].item(now)
		counts[item.Level]++
		if slices.Contains(levels, item.Level) {
			items = append(items, item)
		}
	}
	sort.Slice(items, func(i, j int) bool { return moreOverdue(&items[i], &items[j]) })

	total := len(items)
	from := min(filter.Offset(), total)
	items = items[from:min(from+filter.PerPage, total)]
	if err := loadClients(e.App, items); err != nil {
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

// dueRow is one row of the aggregate query.
type dueRow struct {
	Id        string  `db:"id"`
	Search    string  `db:"search"`
	Interval  float64 `db:"interval_days"`
	Ratio     float64 `db:"ratio"`
	LastTouch string  `db:"last_touch"`
	Mandatory int     `db:"mandatory"`
	Standard  int     `db:"standard"`
}

// dueRows runs the aggregate query (see due). It groups by (point, rowid),
// one group per client like GROUP BY id, but in the order idx_clients_point
// already reads the clients, so SQLite aggregates as it goes instead of
// sorting every joined touch into a temporary B-tree first.
func dueRows(app core.App, filter *clientFilter, now time.Time) ([]dueRow, error) {
	db := app.DB()
	params := dbx.Params{"d_since": domain.DBTime(now.Add(-yearAgo))}
	sql := `SELECT c.id AS id, c.search AS search,
			cd.interval_days AS interval_days, cd.standard_per_mandatory AS ratio,
			COALESCE(MAX(t.created), '') AS last_touch,
			COUNT(CASE WHEN t.created > {:d_since} AND o.kind = 'mandatory' THEN 1 END) AS mandatory,
			COUNT(CASE WHEN t.created > {:d_since} AND o.kind = 'standard' THEN 1 END) AS standard
		FROM clients c
		JOIN cadences cd ON cd.segment = c.segment
		LEFT JOIN touches t ON t.client = c.id AND t.status = 'done'
		LEFT JOIN occasions o ON o.id = t.occasion
		WHERE ` + sqlOf(db, filter.Expr("c"), params) + `
		GROUP BY c.point, c.rowid`
	var rows []dueRow
	if err := db.NewQuery(sql).Bind(params).All(&rows); err != nil {
		return nil, err
	}
	return rows, nil
}

// item computes the client's cadence at now with cadence.Evaluate's
// thresholds (cadence.LevelFor) and ratio rule (cadence.RatioMet), which
// take the counts the query returns instead of every touch. The client's
// details are loaded later, for the page only (loadClients).
func (r *dueRow) item(now time.Time) dueItem {
	interval := max(int(r.Interval), 1)
	ratio := cadence.Rule{StandardPerMandatory: r.Ratio}.PerMandatory()
	item := dueItem{
		Client:               clientJSON{Id: r.Id},
		Interval:             interval,
		Mandatory:            r.Mandatory,
		Standard:             r.Standard,
		StandardPerMandatory: ratio,
		RatioMet:             cadence.RatioMet(r.Standard, r.Mandatory, ratio),
		search:               r.Search,
	}
	days := -1
	if last, err := types.ParseDateTime(r.LastTouch); err == nil && !last.IsZero() {
		lastTouch := r.LastTouch
		days = max(int(now.Sub(last.Time())/(24*time.Hour)), 0)
		item.LastTouch, item.DaysSince = &lastTouch, &days
	}
	item.Level = string(cadence.LevelFor(days, interval))
	return item
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

// moreOverdue orders the Due list: never touched first, then by days since
// the last touch relative to the interval (compared by cross-multiplying,
// so there is no rounding), then by name.
func moreOverdue(a, b *dueItem) bool {
	if (a.DaysSince == nil) != (b.DaysSince == nil) {
		return a.DaysSince == nil
	}
	if a.DaysSince != nil {
		l, r := *a.DaysSince*b.Interval, *b.DaysSince*a.Interval
		if l != r {
			return l > r
		}
	}
	if a.search != b.search {
		return a.search < b.search
	}
	return a.Client.Id < b.Client.Id
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
