package api

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"touchbase/domain"
	"touchbase/occurrence"
)

// Limits of the content plan's range and of the client names listed on a
// personal (birthday / anniversary) item.
const (
	planDefaultDays = 183 // about half a year, the horizon of SPEC §1's content plan
	planMaxDays     = 400
	planMaxNames    = 20
)

// planItem is one occurrence in the content plan: a dated occasion with how
// many clients of the caller's scope it targets and how many of them are
// already marked for that occurrence.
type planItem struct {
	Date     string       `json:"date"`
	Occasion planOccasion `json:"occasion"`
	Period   string       `json:"period"`
	From     string       `json:"from"` // first active day of the occurrence; "" = open
	To       string       `json:"to"`   // last active day of the occurrence; "" = open
	Targeted int          `json:"targeted"`
	Touched  int          `json:"touched"` // marked done
	Skipped  int          `json:"skipped"` // marked skipped
	// Clients lists the clients whose birthday / anniversary falls on Date
	// (personal items only), by name, at most planMaxNames of them;
	// Targeted is the full count.
	Clients []planClient `json:"clients,omitempty"`
}

type planOccasion struct {
	Id       string `json:"id"`
	Title    string `json:"title"`
	Kind     string `json:"kind"`
	Category string `json:"category"`
	Repeat   string `json:"repeat"`
	Trigger  string `json:"trigger"`
}

type planClient struct {
	Id      string `json:"id"`
	Name    string `json:"name"`
	Contact string `json:"contact,omitempty"` // whose birthday it is
	Years   int    `json:"years,omitempty"`   // years together, for an anniversary
	// Event and EventDate: the event an event follow-up is about
	Event     string `json:"event,omitempty"`
	EventDate string `json:"eventDate,omitempty"`
}

// planTarget is what decides whether an occasion targets a client.
type planTarget struct {
	points, segments []string
}

func (t planTarget) targets(point, segment string) bool {
	return (len(t.points) == 0 || slices.Contains(t.points, point)) &&
		(len(t.segments) == 0 || slices.Contains(t.segments, segment))
}

// planGroup is a (point, segment) cell of the caller's clients, with its
// client count or, for touches, its mark count.
type planGroup struct {
	Point   string `db:"point"`
	Segment string `db:"segment"`
	N       int    `db:"n"`
}

type planTouchGroup struct {
	Occasion string `db:"occasion"`
	Period   string `db:"period"`
	Status   string `db:"status"`
	planGroup
}

type planPersonalClient struct {
	Id          string `db:"id"`
	Name        string `db:"name"`
	Point       string `db:"point"`
	Segment     string `db:"segment"`
	Contact     string `db:"contact"` // a birthday's contact; "" for an anniversary
	ContactName string `db:"contact_name"`
	Role        string `db:"role"`
	domain.ClientDateColumns
}

type planPersonalTouch struct {
	Occasion string `db:"occasion"`
	Period   string `db:"period"`
	Client   string `db:"client"`
	Status   string `db:"status"`
}

// plan serves GET /api/touchbase/plan?from=&to= (SPEC §6, the content
// plan): the occurrences of the occasions the caller may see in the range
// (one-off windows, yearly dates, and birthdays / anniversaries grouped by
// day), each with how many of the caller's clients it targets and how many
// are already touched.
//
// The clients are the worklist's: the client filters of clientFilter
// (point=, segment=, stage=, ...) through the same clientFilter.Expr, so
// lost clients are left out unless stage= asks for them, and a plan item
// counts what the occasion's worklist would list.
//
// Dates are calendar dates (YYYY-MM-DD). The default range runs from today
// for half a year; "today" is the local date of the caller's point, or of
// the server's zone for a caller who sees several points (service managers
// and superusers), because their points may lie in different zones. An
// omitted to is from + 183 days.
//
// The data comes from a fixed handful of queries whatever the range: the
// occasions, client counts per point and segment, the clients with a
// birthday / since date (only when a personal occasion is visible), and
// mark counts grouped by occasion and period; dates are computed in Go.
func plan(e *core.RequestEvent) error {
	filter, err := parseClientFilter(e)
	if err != nil {
		return err
	}
	scope := filter.Scope
	from, to, err := planRange(e, scope)
	if err != nil {
		return err
	}

	occasions, err := e.App.FindAllRecords("occasions", dbx.HashExp{"archived": false})
	if err != nil {
		return err
	}
	occasions = slices.DeleteFunc(occasions, func(o *core.Record) bool {
		return !planOccasionVisible(scope, o.GetStringSlice("points")) || !planned(o)
	})

	clientGroups, err := planClientGroups(e.App, filter)
	if err != nil {
		return err
	}

	var items []*planItem
	var personal, followUps []*core.Record
	for _, o := range occasions {
		occ := domain.OccasionRule(o)
		if occ.Trigger == domain.TriggerEvent {
			followUps = append(followUps, o)
			continue
		}
		if occ.Trigger == "birthday" || occ.Trigger == "anniversary" {
			personal = append(personal, o)
			continue
		}
		target := planTargetOf(o)
		targeted := 0
		for _, g := range clientGroups {
			if target.targets(g.Point, g.Segment) {
				targeted += g.N
			}
		}
		for _, oc := range planOccurrences(occ, from, to) {
			item := newPlanItem(o, oc.Date, oc.Period, oc.From, oc.To)
			item.Targeted = targeted
			items = append(items, item)
		}
	}
	if err := countPlanTouches(e.App, filter, occasions, items, from, to); err != nil {
		return err
	}

	personalItems, err := planPersonal(e.App, filter, personal, from, to)
	if err != nil {
		return err
	}
	items = append(items, personalItems...)

	eventItems, err := planEvents(e.App, filter, followUps, from, to)
	if err != nil {
		return err
	}
	items = append(items, eventItems...)

	slices.SortFunc(items, func(a, b *planItem) int {
		return cmp.Or(
			cmp.Compare(a.Date, b.Date),
			cmp.Compare(strings.ToLower(a.Occasion.Title), strings.ToLower(b.Occasion.Title)),
			cmp.Compare(a.Occasion.Id, b.Occasion.Id),
			cmp.Compare(a.Period, b.Period),
		)
	})
	if items == nil {
		items = []*planItem{}
	}

	return e.JSON(200, map[string]any{
		"from":  planDate(from),
		"to":    planDate(to),
		"items": items,
	})
}

// planRange reads from= and to=, with the defaults and limits described on
// plan.
func planRange(e *core.RequestEvent, scope *Scope) (from, to time.Time, err error) {

	from, hasFrom, err := dateParam(e, "from")
	if err != nil {
		return from, to, err
	}
	to, hasTo, err := dateParam(e, "to")
	if err != nil {
		return from, to, err
	}
	if !hasFrom {
		from = occurrence.Today(time.Now(), planTimezone(e.App, scope))
	}
	if !hasTo {
		to = from.AddDate(0, 0, planDefaultDays)
	}
	if to.Before(from) {
		return from, to, domain.FieldErrorT("to", "validation_range_reversed", "api.range_reversed", planDate(from), planDate(to))
	}
	if to.Sub(from) > planMaxDays*24*time.Hour {
		return from, to, domain.FieldErrorT("to", "validation_range_too_long", "api.range_too_long", planDate(from), planDate(to), planMaxDays)
	}
	return from, to, nil
}

// planTimezone is the zone that decides "today": the caller's point's when
// the scope is one point, the server's otherwise ("").
func planTimezone(app core.App, scope *Scope) string {
	if len(scope.Points) != 1 {
		return ""
	}
	point, err := app.FindRecordById("points", scope.Points[0])
	if err != nil {
		return ""
	}
	return point.GetString("timezone")
}

// planOccurrences returns the occurrences of a non-personal occasion in
// [from, to]. A one-off occasion appears once when its window intersects
// the range, dated on its start or on from when it started earlier (or has
// no start), so that every item's date lies in the range; its From / To
// still show the real window.
func planOccurrences(o occurrence.Occasion, from, to time.Time) []occurrence.Occurrence {
	if o.Repeats() {
		return occurrence.In(o, from, to)
	}
	oc := occurrence.For(o, occurrence.Client{}, from)
	if !oc.From.IsZero() && oc.From.After(to) || !oc.To.IsZero() && oc.To.Before(from) ||
		!oc.From.IsZero() && !oc.To.IsZero() && oc.To.Before(oc.From) {
		return nil
	}
	if oc.Date.IsZero() || oc.Date.Before(from) {
		oc.Date = from
	}
	return []occurrence.Occurrence{oc}
}

// planClientGroups counts the filter's clients per point and segment, the
// cells that occasions target.
func planClientGroups(app core.App, filter *clientFilter) ([]planGroup, error) {
	var groups []planGroup
	q := app.DB().Select("c.point", "c.segment", "COUNT(*) AS n").From("clients c").
		Where(filter.Expr("c")).
		GroupBy("c.point", "c.segment")
	return groups, q.All(&groups)
}

// countPlanTouches fills Touched and Skipped of the non-personal items
// with one query: marks of the filter's clients grouped by occasion,
// period, status and the client's point and segment, counted only where
// the occasion targets that cell (a service manager may back-fill a mark
// for a client the occasion does not target; it is not coverage).
//
// When the filter cuts clients only by point, segment and stage (the
// plan's default, and what a service manager's view of all points asks),
// the groups are read from mark_counts (planMarkGroups).
func countPlanTouches(app core.App, filter *clientFilter, occasions []*core.Record, items []*planItem, from, to time.Time) error {
	if len(items) == 0 {
		return nil
	}
	ids := make([]any, 0, len(items))
	for _, item := range items {
		if !slices.Contains(ids, any(item.Occasion.Id)) {
			ids = append(ids, item.Occasion.Id)
		}
	}
	groups, err := planMarkGroups(app, filter, ids, planItemPeriods(items, from, to))
	if err != nil {
		return err
	}

	targets := make(map[string]planTarget, len(occasions))
	for _, o := range occasions {
		targets[o.Id] = planTargetOf(o)
	}
	type key struct{ occasion, period string }
	byKey := make(map[key][]*planItem, len(items))
	for _, item := range items {
		k := key{item.Occasion.Id, item.Period}
		byKey[k] = append(byKey[k], item)
	}
	for _, g := range groups {
		if !targets[g.Occasion].targets(g.Point, g.Segment) {
			continue
		}
		for _, item := range byKey[key{g.Occasion, g.Period}] {
			planAddMarks(item, g.Status, g.N)
		}
	}
	return nil
}

// planMarkGroups counts the marks of the occasions ids in periods of the
// filter's clients per occasion, period, status, point and segment. When
// the filter cuts clients only by point, segment and stage it reads
// mark_counts, which the database keeps per occurrence, status and cell
// (package aggregates); a filter by tag, manager or name counts the marks
// themselves (planMarksCounted).
func planMarkGroups(app core.App, filter *clientFilter, ids, periods []any) ([]planTouchGroup, error) {
	if !filter.OnlyCells() {
		return planMarksCounted(app, filter, ids, periods)
	}
	// mark_counts' columns are named like the touches' and the clients',
	// so one alias serves the filter and the occurrences
	var groups []planTouchGroup
	err := app.DB().
		Select("c.occasion", "c.period", "c.status", "c.point", "c.segment", "SUM(c.n) AS n").
		From("mark_counts c").
		Where(dbx.In("c.occasion", ids...)).
		AndWhere(planPeriodsExpr("c", periods)).
		AndWhere(filter.Expr("c")).
		GroupBy("c.occasion", "c.period", "c.status", "c.point", "c.segment").
		All(&groups)
	return groups, err
}

// planMarksCounted is planMarkGroups from the touches and their clients.
func planMarksCounted(app core.App, filter *clientFilter, ids, periods []any) ([]planTouchGroup, error) {
	var groups []planTouchGroup
	err := app.DB().
		Select("t.occasion", "t.period", "t.status", "c.point", "c.segment", "COUNT(*) AS n").
		From("touches t").
		InnerJoin("clients c", dbx.NewExp("c.id = t.client")).
		Where(dbx.In("t.occasion", ids...)).
		AndWhere(dbx.NewExp(domain.MarkedSQL)). // a withdrawn mark does not count (SPEC §4.7)
		AndWhere(planPeriodsExpr("t", periods)).
		AndWhere(filter.Expr("c")).
		GroupBy("t.occasion", "t.period", "t.status", "c.point", "c.segment").
		All(&groups)
	return groups, err
}

// planPersonal builds the birthday / anniversary items: one per occasion
// and day, for the filter's clients the occasion targets whose date falls
// on that day inside the occasion's validity. It reads the clients with a
// date and their marks for these occasions once each.
func planPersonal(app core.App, filter *clientFilter, occasions []*core.Record, from, to time.Time) ([]*planItem, error) {
	if len(occasions) == 0 {
		return nil, nil
	}

	// anniversaries are per client (rows without a contact), birthdays
	// per non-archived contact
	var clients []planPersonalClient
	q := app.DB().
		// (empty columns are written as expressions, which dbx leaves unquoted)
		Select("c.id", "c.name", "c.point", "c.segment", "COALESCE(NULL, '') AS contact", "COALESCE(NULL, '') AS contact_name",
			"COALESCE(NULL, '') AS role", "COALESCE(NULL, '') AS contact_birthday", "c.since").
		From("clients c").
		Where(dbx.NewExp("c.since != ''")).
		AndWhere(planDayWindow("c.since", from, to)).
		AndWhere(filter.Expr("c"))
	if err := q.All(&clients); err != nil {
		return nil, err
	}
	var people []planPersonalClient
	q = app.DB().
		Select("c.id", "c.name", "c.point", "c.segment", "k.id AS contact", "k.name AS contact_name", "k.role AS role", "k.birthday AS contact_birthday", "COALESCE(NULL, '') AS since").
		From("contacts k").
		InnerJoin("clients c", dbx.NewExp("c.id = k.client")).
		Where(dbx.NewExp("k.birthday != '' AND k.archived = FALSE")).
		AndWhere(planDayWindow("k.birthday", from, to)).
		AndWhere(filter.Expr("c"))
	if err := q.All(&people); err != nil {
		return nil, err
	}
	clients = append(clients, people...)
	// by name, in Go: cheaper than SQLite's sorter over these many rows
	slices.SortFunc(clients, func(a, b planPersonalClient) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Id, b.Id), cmp.Compare(a.ContactName, b.ContactName), cmp.Compare(a.Contact, b.Contact))
	})
	if len(clients) == 0 {
		return nil, nil
	}

	ids := make([]any, len(occasions))
	for i, o := range occasions {
		ids[i] = o.Id
	}
	var marks []planPersonalTouch
	tq := app.DB().
		Select("t.occasion", "t.period", "t.client", "t.status").
		From("touches t").
		InnerJoin("clients c", dbx.NewExp("c.id = t.client")).
		Where(dbx.In("t.occasion", ids...)).
		AndWhere(dbx.NewExp(domain.MarkedSQL)). // a withdrawn mark does not count (SPEC §4.7)
		AndWhere(planPeriodsExpr("t", planPeriods(from, to))).
		AndWhere(filter.Expr("c"))
	if err := tq.All(&marks); err != nil {
		return nil, err
	}
	status := make(map[[3]string]string, len(marks))
	for _, m := range marks {
		status[[3]string{m.Occasion, m.Period, m.Client}] = m.Status
	}

	var items []*planItem
	for _, o := range occasions {
		occ := domain.OccasionRule(o)
		target := planTargetOf(o)
		byDay := map[time.Time]*planItem{}
		roles := o.GetStringSlice("roles")
		for _, c := range clients {
			if !target.targets(c.Point, c.Segment) {
				continue
			}
			if (occ.Trigger == "birthday") != (c.Contact != "") {
				continue // a birthday is a contact's, an anniversary the client's
			}
			if c.Contact != "" && len(roles) > 0 && !slices.Contains(roles, c.Role) {
				continue
			}
			dates := c.Dates()
			for _, d := range occurrence.ClientDates(occ, dates, from, to) {
				item := byDay[d]
				if item == nil {
					oc := occurrence.For(occ, dates, d)
					if oc.From.After(oc.To) {
						continue // the occasion is not valid around this date
					}
					item = newPlanItem(o, d, oc.Period, oc.From, oc.To)
					byDay[d] = item
					items = append(items, item)
				}
				item.Targeted++
				if len(item.Clients) < planMaxNames {
					pc := planClient{Id: c.Id, Name: c.Name, Contact: c.ContactName}
					if occ.Trigger == "anniversary" {
						pc.Years = occurrence.Years(dates.Since, d)
					}
					item.Clients = append(item.Clients, pc)
				}
				planAddMarks(item, status[[3]string{o.Id, domain.TouchPeriod(occ.Trigger, item.Period, c.Contact), c.Id}], 1)
			}
		}
	}
	return items, nil
}

// planDayWindow keeps the rows whose date column (YYYY-MM-DD…) falls, by
// month and day, inside [from, to], or on 29 February (which non-leap
// years move to 28 February): a superset of the dates occurrence.ClientDates
// gives in the range, so the plan reads only the clients that can have
// one. A range of a year or more keeps every row.
func planDayWindow(col string, from, to time.Time) dbx.Expression {
	if !to.Before(from.AddDate(1, 0, -1)) {
		return dbx.NewExp("1 = 1")
	}
	md := "substr(" + col + ", 6, 5)"
	both := " AND "
	if from.Format("01-02") > to.Format("01-02") {
		both = " OR " // the range runs over the new year
	}
	return dbx.NewExp("("+md+" >= {:pd_lo}"+both+md+" <= {:pd_hi} OR "+md+" = '02-29')",
		dbx.Params{"pd_lo": from.Format("01-02"), "pd_hi": to.Format("01-02")})
}

// planEvent is an event of the filter's clients, for planEvents.
type planEvent struct {
	Id      string         `db:"id"`
	Kind    string         `db:"kind"`
	Date    types.DateTime `db:"date"`
	Client  string         `db:"client"`
	Name    string         `db:"name"`
	Point   string         `db:"point"`
	Segment string         `db:"segment"`
}

// planEvents builds the event follow-ups (SPEC §6): per event occasion
// and day, the events of its event_kind whose follow-up starts that day
// (date + offset_days, inside the occasion's validity), with how many
// and which clients, and how many of those events are marked. It reads
// the events that can fall in the range and the occasions' marks once.
func planEvents(app core.App, filter *clientFilter, occasions []*core.Record, from, to time.Time) ([]*planItem, error) {
	if len(occasions) == 0 {
		return nil, nil
	}
	var kinds, ids []any
	var first, last time.Time
	for _, o := range occasions {
		ids = append(ids, o.Id)
		kinds = append(kinds, o.GetString("event_kind"))
		f, l := occurrence.EventDates(o.GetInt("offset_days"), from, to)
		f = f.AddDate(0, 0, occurrence.EventWindowDays-1) // the follow-up's first day, not any day of it
		if first.IsZero() || f.Before(first) {
			first = f
		}
		if last.IsZero() || l.After(last) {
			last = l
		}
	}
	var events []planEvent
	q := app.DB().
		Select("ev.id", "ev.kind", "ev.date", "ev.client", "c.name", "c.point", "c.segment").
		From("events ev").
		InnerJoin("clients c", dbx.NewExp("c.id = ev.client")).
		Where(dbx.In("ev.kind", kinds...)).
		AndWhere(dbx.NewExp("ev.date >= {:pe_first} AND ev.date < {:pe_last}", dbx.Params{
			"pe_first": first.Format(time.DateOnly), "pe_last": last.AddDate(0, 0, 1).Format(time.DateOnly)})).
		AndWhere(filter.Expr("c")).
		OrderBy("c.name", "c.id", "ev.date", "ev.id")
	if err := q.All(&events); err != nil {
		return nil, err
	}
	if len(events) == 0 {
		return nil, nil
	}
	var marks []planPersonalTouch
	tq := app.DB().
		Select("t.occasion", "t.period", "t.client", "t.status").
		From("touches t").
		InnerJoin("clients c", dbx.NewExp("c.id = t.client")).
		Where(dbx.In("t.occasion", ids...)).
		AndWhere(dbx.NewExp(domain.MarkedSQL)).
		AndWhere(dbx.NewExp("t.period >= {:pe_lo} AND t.period < {:pe_hi}", dbx.Params{
			"pe_lo": domain.EventPeriodPrefix, "pe_hi": domain.EventPeriodPrefix[:1] + ";"})). // "E:" … "E;"
		AndWhere(filter.Expr("c"))
	if err := tq.All(&marks); err != nil {
		return nil, err
	}
	status := make(map[[2]string]string, len(marks))
	for _, m := range marks {
		status[[2]string{m.Occasion, m.Period}] = m.Status
	}

	var items []*planItem
	for _, o := range occasions {
		rule := domain.OccasionRule(o)
		target := planTargetOf(o)
		kind, offset := o.GetString("event_kind"), o.GetInt("offset_days")
		byDay := map[time.Time]*planItem{}
		for _, ev := range events {
			if ev.Kind != kind || !target.targets(ev.Point, ev.Segment) {
				continue
			}
			oc := occurrence.ForEvent(rule, domain.EventPeriod(ev.Id), ev.Date.Time(), offset)
			day, _ := occurrence.EventWindow(ev.Date.Time(), offset)
			if day.Before(from) || day.After(to) || oc.From.After(oc.To) {
				continue
			}
			item := byDay[day]
			if item == nil {
				// one item per day: its period is the prefix of the events'
				item = newPlanItem(o, day, domain.EventPeriodPrefix, oc.From, oc.To)
				byDay[day] = item
				items = append(items, item)
			}
			item.Targeted++
			if len(item.Clients) < planMaxNames {
				item.Clients = append(item.Clients, planClient{Id: ev.Client, Name: ev.Name, Event: ev.Id, EventDate: planDate(oc.Date)})
			}
			planAddMarks(item, status[[2]string{o.Id, domain.EventPeriod(ev.Id)}], 1)
		}
	}
	return items, nil
}

func newPlanItem(o *core.Record, date time.Time, period string, from, to time.Time) *planItem {
	return &planItem{
		Date: planDate(date),
		Occasion: planOccasion{
			Id:       o.Id,
			Title:    o.GetString("title"),
			Kind:     o.GetString("kind"),
			Category: o.GetString("category"),
			Repeat:   o.GetString("repeat"),
			Trigger:  o.GetString("trigger"),
		},
		Period: period,
		From:   planDate(from),
		To:     planDate(to),
	}
}

func planAddMarks(item *planItem, status string, n int) {
	switch status {
	case "done":
		item.Touched += n
	case "skipped":
		item.Skipped += n
	}
}

// planPeriods lists the touch periods an occurrence in [from, to] can
// have: "" (one-off) and the years of the range.
func planPeriods(from, to time.Time) []any {
	periods := []any{""}
	for y := from.Year(); y <= to.Year(); y++ {
		periods = append(periods, strconv.Itoa(y))
	}
	return periods
}

// planItemPeriods adds to planPeriods the periods of the items, such as
// the months, ISO weeks and days of monthly, weekly and daily occasions.
func planItemPeriods(items []*planItem, from, to time.Time) []any {
	periods := planPeriods(from, to)
	for _, item := range items {
		if !slices.Contains(periods, any(item.Period)) {
			periods = append(periods, item.Period)
		}
	}
	return periods
}

// planOccasionVisible applies the occasions view rule to the scope: an
// occasion with no points targets every point.
func planOccasionVisible(scope *Scope, points []string) bool {
	if scope.All() || len(points) == 0 {
		return true
	}
	return slices.ContainsFunc(points, scope.Allows)
}

func planTargetOf(o *core.Record) planTarget {
	return planTarget{points: o.GetStringSlice("points"), segments: o.GetStringSlice("segments")}
}

// planDate formats a calendar date; the zero time is "".
func planDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func planAny(values []string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

// planPeriodsExpr matches the marks of the periods (the period column of
// alias): the periods themselves, and a birthday's per-contact periods of
// those years ("2027/<contact id>", the range "2027/" up to "20270", as
// "/" sorts just before "0").
func planPeriodsExpr(alias string, periods []any) dbx.Expression {
	exprs := []dbx.Expression{dbx.In(alias+".period", periods...)}
	for i, p := range periods {
		year, ok := p.(string)
		if !ok || len(year) != 4 {
			continue
		}
		lo, hi := "pp_lo"+strconv.Itoa(i), "pp_hi"+strconv.Itoa(i)
		exprs = append(exprs, dbx.NewExp("("+alias+".period >= {:"+lo+"} AND "+alias+".period < {:"+hi+"})", dbx.Params{lo: year + "/", hi: year + "0"}))
	}
	return dbx.Or(exprs...)
}
