package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"touchbase/days"
	"touchbase/domain"
	"touchbase/occurrence"
	"touchbase/phones"
	"touchbase/templates"
	"touchbase/tmpl"
)

// Touch states of a worklist row for the current occurrence: a touch
// decides (done / skipped); without one, a hold that applies makes the
// client held (standard occasions only), else the client is pending.
const (
	statePending = "pending"
	stateDone    = "done"
	stateSkipped = "skipped"
	stateHeld    = "held"
	stateAll     = "all"
)

var worklistStates = []string{statePending, stateDone, stateSkipped, stateHeld, stateAll}

// worklist serves GET /api/touchbase/worklist?occasion=ID (SPEC §6): the
// clients the occasion targets in the caller's scope, each with the touch
// state for the current occurrence, the hold that applies, the
// personalised message and ready-to-open channel links.
//
// Query: occasion= (required), state=pending|done|skipped|held|all
// (default pending) and the client filters of clientFilter. Lost clients
// are left out unless stage= asks for them. skipTotal=1 answers without
// the counts (totalItems -1, counts empty).
//
// The page comes from one query (audience.page: the clients, LEFT JOIN the
// touch through the unique (client, occasion, period) index, an EXISTS on
// idx_holds_client for the state, then names and the hold for the page's
// rows only), the counts from one GROUP BY over the same source
// (audience.countByState); the points are loaded once, and messages and
// links are rendered in Go from the row data, so there is no query per row.
func worklist(e *core.RequestEvent) error {
	occasion, err := findOccasion(e)
	if err != nil {
		return err
	}
	filter, err := parseClientFilter(e)
	if err != nil {
		return err
	}
	state := strings.TrimSpace(e.Request.URL.Query().Get("state"))
	if state == "" {
		state = statePending
	}
	if !slices.Contains(worklistStates, state) {
		return paramError("state", "validation_invalid_value",
			"has an unknown value %q; expected one of %s.", state, strings.Join(worklistStates, ", "))
	}

	// skipTotal=1 leaves out the counts (totalItems -1, counts empty), as
	// PocketBase's list API does: counting the audience by state is most of
	// a request's time at thousands of clients a point (BENCHMARKS.md), and
	// paging or a refresh that keeps its tabs does not need it
	skipTotal := false
	if raw := strings.TrimSpace(e.Request.URL.Query().Get("skipTotal")); raw != "" {
		if skipTotal, err = strconv.ParseBool(raw); err != nil {
			return paramError("skipTotal", "validation_invalid_value", "must be 1 or 0 (true or false), not %q.", raw)
		}
	}

	a, err := newAudience(e.App, occasion, filter, time.Now())
	if err != nil {
		return err
	}
	var counts map[string]int
	total := -1
	if !skipTotal {
		if counts, err = a.countByState(); err != nil {
			return err
		}
		total = counts[state]
	}
	rows, err := a.page(state, filter.PerPage, filter.Offset())
	if err != nil {
		return err
	}

	items := make([]worklistItem, len(rows))
	for i := range rows {
		items[i] = a.item(&rows[i], e.Auth, domain.RequestLang(e))
	}
	return e.JSON(http.StatusOK, worklistResponse{
		Page:       filter.Page,
		PerPage:    filter.PerPage,
		TotalItems: total,
		Occasion:   a.occasionJSON(),
		Counts:     counts,
		Items:      items,
	})
}

// worklistResponse is the worklist's JSON.
type worklistResponse struct {
	Page       int            `json:"page"`
	PerPage    int            `json:"perPage"`
	TotalItems int            `json:"totalItems"`
	Occasion   occasionJSON   `json:"occasion"`
	Counts     map[string]int `json:"counts"` // pending, done, skipped, held, all
	Items      []worklistItem `json:"items"`
}

type worklistItem struct {
	Client  clientJSON   `json:"client"`
	Contact *contactJSON `json:"contact"` // the addressed contact (a birthday row's own), null for none
	Touch   *touchJSON   `json:"touch"`
	Hold    *holdJSON    `json:"hold"`
	// Template is the version of the message the row shows (SPEC §5), null
	// when it is the occasion's default template; Language is the
	// language the message is meant in.
	Template *templates.Template `json:"template"`
	Language string              `json:"language"`
	State    string              `json:"state"`
	Period   string              `json:"period"` // the current occurrence's period (what a touch stores)
	Date     string              `json:"date"`   // the occurrence date, YYYY-MM-DD, "" when the occasion has none
	Message  string              `json:"message"`
	Missing  []string            `json:"missing"` // placeholders that rendered empty
	Links    map[string]string   `json:"links"`   // whatsapp, telegram, email, phone
	// Event is the event an event occasion's row follows up (SPEC §4.9),
	// absent for other occasions
	Event *eventJSON `json:"event,omitempty"`
}

// eventJSON is the event a worklist row follows up.
type eventJSON struct {
	Id   string `json:"id"`
	Kind string `json:"kind"`
	Date string `json:"date"` // YYYY-MM-DD
	Note string `json:"note"`
}

type clientJSON struct {
	Id          string   `json:"id"`
	Name        string   `json:"name"`
	Point       string   `json:"point"`
	PointName   string   `json:"pointName"`
	Segment     string   `json:"segment"`
	Stage       string   `json:"stage"`
	ContactName string   `json:"contact_name"`
	Channel     string   `json:"channel"`
	Telegram    string   `json:"telegram"`
	Whatsapp    string   `json:"whatsapp"`
	Phone       string   `json:"phone"`
	Email       string   `json:"email"`
	Tags        []string `json:"tags"`
	Manager     string   `json:"manager"`
	ManagerName string   `json:"managerName"`
}

// contactJSON is the contact a worklist row addresses.
type contactJSON struct {
	Id       string `json:"id"`
	Name     string `json:"name"`
	Position string `json:"position"`
	Role     string `json:"role"`
	Birthday string `json:"birthday"`
	Channel  string `json:"channel"`
	Telegram string `json:"telegram"`
	Whatsapp string `json:"whatsapp"`
	Phone    string `json:"phone"`
	Email    string `json:"email"`
	Primary  bool   `json:"primary"`
}

// contactJSON is the row's addressed contact, nil for none.
func (r *worklistRow) contactJSON() *contactJSON {
	if r.ContactId == "" {
		return nil
	}
	return &contactJSON{
		Id: r.ContactId, Name: r.ContactName, Position: r.ContactPosition, Role: r.ContactRole,
		Birthday: r.Birthday.String(), Channel: r.Channel, Telegram: r.Telegram, Whatsapp: r.Whatsapp,
		Phone: r.Phone, Email: r.Email, Primary: r.ContactPrimary,
	}
}

type touchJSON struct {
	Id         string `json:"id"`
	Status     string `json:"status"`
	Channel    string `json:"channel"`
	Comment    string `json:"comment"`
	Author     string `json:"author"`
	AuthorName string `json:"authorName"`
	Created    string `json:"created"`
	// Outcome and FollowUp: what came of it (SPEC §3), "" until known
	Outcome  string `json:"outcome"`
	FollowUp string `json:"follow_up"`
}

type holdJSON struct {
	Id       string `json:"id"`
	Reason   string `json:"reason"`
	Note     string `json:"note"`
	Until    string `json:"until"`
	Occasion string `json:"occasion"`
	Ticket   string `json:"ticket"`
	Text     string `json:"text"` // domain.WordHold's wording
}

type occasionJSON struct {
	Id       string   `json:"id"`
	Title    string   `json:"title"`
	Kind     string   `json:"kind"`
	Category string   `json:"category"`
	Template string   `json:"template"`
	Repeat   string   `json:"repeat"`
	Trigger  string   `json:"trigger"`
	Starts   string   `json:"starts"`
	Ends     string   `json:"ends"`
	Segments []string `json:"segments"`
	Points   []string `json:"points"`
	Roles    []string `json:"roles"`
	// EventKind and OffsetDays: for trigger = event, the kind of event
	// that brings a client in and how many days after its date
	EventKind  string `json:"event_kind"`
	OffsetDays int    `json:"offset_days"`
	Archived   bool   `json:"archived"`
	// Active: the occasion can be marked today (for a personal one: its
	// campaign is open; each listed client's own date is active).
	Active bool `json:"active"`
}

// findOccasion reads occasion= and returns the occasion if the caller may
// see it: a point manager sees only occasions that target every point or
// theirs. Missing, unknown and invisible occasions are all a 400 naming
// occasion (the same message, so ids of other points' occasions do not
// leak). The caller's own scope decides, not point=: a service manager
// narrowing to a point the occasion does not target gets an empty list.
func findOccasion(e *core.RequestEvent) (*core.Record, error) {
	id := strings.TrimSpace(e.Request.URL.Query().Get("occasion"))
	if id == "" {
		return nil, paramError("occasion", "validation_required", "is required: the id of an occasion.")
	}
	unknown := paramError("occasion", "validation_unknown_occasion", "names no occasion that you can see.")
	if !isRecordId(id) {
		return nil, unknown
	}
	occasion, err := e.App.FindRecordById("occasions", id)
	if err != nil {
		return nil, unknown
	}
	if !visibleOccasion(scopeOf(e), occasion) {
		return nil, unknown
	}
	return occasion, nil
}

// visibleOccasion is the occasions list rule for scope: a point manager
// sees occasions that target every point or theirs.
func visibleOccasion(scope *Scope, occasion *core.Record) bool {
	points := occasion.GetStringSlice("points")
	return scope.All() || len(points) == 0 || slices.ContainsFunc(points, scope.Allows)
}

// audience is the set of clients an occasion targets for one request, and
// the occurrence that is current for them: the rows of the worklist and the
// stats.
//
// "Current" is decided by each point's local date: for a regular occasion
// it is one occurrence per point (the points usually agree; around New Year
// they may not, which is why current is keyed by point), for a personal
// occasion (birthday / anniversary) one per client. Personal occasions
// are therefore resolved in two steps: a light query lists the candidate
// clients (filters, segments, the date set) and Go keeps those whose own
// occurrence is active today (occurrence.Active); the main queries then run
// on exactly those clients. That costs one scan of the candidates' ids and
// dates, which a day-of-year condition in SQL could not do correctly (29
// February, time zones, windows across New Year).
type audience struct {
	app      core.App
	occasion *core.Record
	rule     occurrence.Occasion
	filter   *clientFilter
	now      time.Time
	personal bool
	// perContact: a birthday occasion, whose rows (and current, keyed by
	// contact id) are per contact, not per client
	perContact bool
	// perEvent: an event occasion (trigger = event, SPEC §4.9), whose rows
	// (and current, keyed by event id) are per event of its event_kind
	perEvent bool
	standard bool

	// points are the points in scope that the occasion targets, by id.
	points map[string]*core.Record
	// allPoints: the audience spans every point (a caller who sees them all,
	// an occasion for all of them), so the SQL leaves the point condition
	// out: with twenty points in it, a page in name order could not be read
	// from idx_clients_search and every client was sorted (BENCHMARKS.md)
	allPoints bool
	// templates are the occasion's language versions and variants
	templates *templates.Set
	// current is the current occurrence by point id (regular occasions) or
	// by client id (personal ones); only its keys are in the audience.
	current map[string]occurrence.Occurrence
}

// newAudience resolves the points, time zones and current occurrences of
// occasion for filter at now.
func newAudience(app core.App, occasion *core.Record, filter *clientFilter, now time.Time) (*audience, error) {
	a := &audience{
		app:      app,
		occasion: occasion,
		rule:     domain.OccasionRule(occasion),
		filter:   filter,
		now:      now,
		standard: occasion.GetString("kind") == "standard",
		points:   map[string]*core.Record{},
		current:  map[string]occurrence.Occurrence{},
	}
	a.perEvent = a.rule.Trigger == domain.TriggerEvent
	a.personal = a.rule.Trigger == "birthday" || a.rule.Trigger == "anniversary" || a.perEvent
	set, err := templates.Load(app, occasion)
	if err != nil {
		return nil, err
	}
	a.templates = set
	a.perContact = a.rule.Trigger == "birthday"

	var points []*core.Record
	if filter.Scope.All() {
		points, err = app.FindAllRecords("points")
	} else {
		points, err = app.FindRecordsByIds("points", filter.Scope.Points)
	}
	if err != nil {
		return nil, err
	}
	targeted := occasion.GetStringSlice("points")
	for _, p := range points {
		if len(targeted) == 0 || slices.Contains(targeted, p.Id) {
			a.points[p.Id] = p
		}
	}
	a.allPoints = filter.Scope.All() && len(targeted) == 0

	if !a.personal {
		for id := range a.points {
			a.current[id] = occurrence.For(a.rule, occurrence.Client{}, a.today(id))
		}
		return a, nil
	}
	return a, a.resolvePersonal()
}

// resolvePersonal keeps the candidate clients whose own occurrence of a
// personal occasion is active today (see audience).
func (a *audience) resolvePersonal() error {
	if a.rule.Archived || len(a.points) == 0 {
		return nil
	}
	if a.perEvent {
		return a.resolveEvents()
	}
	params := dbx.Params{}
	db := a.app.DB()
	// anniversaries per client; birthdays per non-archived contact (of
	// the occasion's roles), keyed by the contact's id
	sql := "SELECT c.id AS id, c.point AS point, '' AS contact_birthday, c.since AS since FROM clients c" +
		" WHERE " + a.clientsSQL(db, params) + " AND c.since != ''"
	if a.perContact {
		roles := ""
		if r := a.occasion.GetStringSlice("roles"); len(r) > 0 {
			roles = " AND " + sqlOf(db, inList("k.role", "w_role", r), params)
		}
		sql = "SELECT k.id AS id, c.point AS point, k.birthday AS contact_birthday, c.since AS since" +
			" FROM contacts k JOIN clients c ON c.id = k.client" +
			" WHERE " + a.clientsSQL(db, params) + " AND k.archived = FALSE AND k.birthday != ''" + roles
	}
	var candidates []struct {
		Id    string `db:"id"`
		Point string `db:"point"`
		domain.ClientDateColumns
	}
	if err := db.NewQuery(sql).Bind(params).All(&candidates); err != nil {
		return err
	}
	for _, c := range candidates {
		dates := c.Dates()
		today := a.today(c.Point)
		if ok, _ := occurrence.Active(a.rule, dates, today); ok {
			oc := occurrence.For(a.rule, dates, today)
			if a.perContact {
				oc.Period = domain.TouchPeriod(a.rule.Trigger, oc.Period, c.Id) // what the mark stores
			}
			a.current[c.Id] = oc
		}
	}
	return nil
}

// resolveEvents keeps the events of the occasion's event_kind, of the
// audience's clients, whose follow-up window (occurrence.EventActive)
// contains today at the client's point: a light query reads the
// candidates by kind and a date range that covers every point's today
// (idx_events_kind_date), Go decides per event in its point's zone.
func (a *audience) resolveEvents() error {
	offset := a.occasion.GetInt("offset_days")
	var first, last time.Time
	for id := range a.points {
		f, l := occurrence.EventDates(offset, a.today(id), a.today(id))
		if first.IsZero() || f.Before(first) {
			first = f
		}
		if last.IsZero() || l.After(last) {
			last = l
		}
	}
	params := dbx.Params{
		"w_kind":  a.occasion.GetString("event_kind"),
		"w_first": first.Format(time.DateOnly),
		"w_last":  last.AddDate(0, 0, 1).Format(time.DateOnly),
	}
	db := a.app.DB()
	sql := "SELECT ev.id AS id, c.point AS point, ev.date AS date FROM events ev JOIN clients c ON c.id = ev.client" +
		" WHERE ev.kind = {:w_kind} AND ev.date >= {:w_first} AND ev.date < {:w_last} AND " + a.clientsSQL(db, params)
	var candidates []struct {
		Id    string         `db:"id"`
		Point string         `db:"point"`
		Date  types.DateTime `db:"date"`
	}
	if err := db.NewQuery(sql).Bind(params).All(&candidates); err != nil {
		return err
	}
	for _, c := range candidates {
		if ok, _ := occurrence.EventActive(a.rule, c.Date.Time(), offset, a.today(c.Point)); ok {
			a.current[c.Id] = occurrence.ForEvent(a.rule, domain.EventPeriod(c.Id), c.Date.Time(), offset)
		}
	}
	return nil
}

// holdFrom returns, for holdCond, the stored until from which a hold
// still applies today (days.ThroughFrom) in the server's zone, and as a
// JSON object by point id for the points whose today differs from it.
func (a *audience) holdFrom() (string, string) {
	from := days.ThroughFrom(a.now, time.Local)
	byPoint := map[string]string{}
	for id, p := range a.points {
		if f := days.ThroughFrom(a.now, domain.PointLocation(p)); f != from {
			byPoint[id] = f
		}
	}
	raw, _ := json.Marshal(byPoint)
	return from, string(raw)
}

// today is the local date at the point.
func (a *audience) today(pointId string) time.Time {
	tz := ""
	if p := a.points[pointId]; p != nil {
		tz = p.GetString("timezone")
	}
	return occurrence.Today(a.now, tz)
}

// clientsSQL is the condition on clients c: the request's filter, the
// points in scope that the occasion targets, and its segments.
func (a *audience) clientsSQL(db dbx.Builder, params dbx.Params) string {
	exprs := []dbx.Expression{a.filter.Expr("c")}
	if !a.allPoints {
		exprs = append(exprs, inList("c.point", "w_point", sortedKeys(a.points)))
	}
	if segments := a.occasion.GetStringSlice("segments"); len(segments) > 0 {
		exprs = append(exprs, inList("c.segment", "w_segment", segments))
	}
	return sqlOf(db, dbx.And(exprs...), params)
}

// source returns the FROM ... WHERE shared by the page, the counts and the
// stats: the audience's clients c with their mark t for the current
// occurrence (done or skipped: a withdrawn one does not count, SPEC §4.7),
// found through the partial unique index (client, occasion, period).
//
// Usually every point has the same current period, which is then a plain
// parameter, and the clients are read through idx_clients_point. When
// periods differ (points on both sides of New Year, or a personal occasion
// where each client has their own), the current occurrences are passed as
// one JSON object parameter ({point or client id: period}) read with
// json_each, so any number of them costs one parameter; it drives the join
// through idx_clients_point or the clients primary key.
func (a *audience) source(db dbx.Builder, params dbx.Params) string {
	a.stateParams(params)
	where := " WHERE " + a.clientsSQL(db, params)

	if period, ok := a.singlePeriod(); ok {
		params["w_period"] = period
		return ` FROM clients c
		LEFT JOIN touches t ON t.client = c.id AND t.occasion = {:w_occasion} AND t.period = {:w_period} AND ` + domain.MarkedSQL + where
	}

	current := make(map[string]string, len(a.current))
	for k, oc := range a.current {
		current[k] = oc.Period
	}
	raw, _ := json.Marshal(current)
	params["w_current"] = string(raw)
	if a.perEvent {
		return ` FROM json_each({:w_current}) cur
		CROSS JOIN events ev ON ev.id = cur.key
		JOIN clients c ON c.id = ev.client
		LEFT JOIN touches t ON t.client = c.id AND t.occasion = {:w_occasion} AND t.period = cur.value AND ` + domain.MarkedSQL + where
	}
	if a.perContact {
		return ` FROM json_each({:w_current}) cur
		CROSS JOIN contacts bc ON bc.id = cur.key
		JOIN clients c ON c.id = bc.client
		LEFT JOIN touches t ON t.client = c.id AND t.occasion = {:w_occasion} AND t.period = cur.value AND ` + domain.MarkedSQL + where
	}
	key := "c.point"
	if a.personal {
		key = "c.id"
	}
	return ` FROM json_each({:w_current}) cur
		CROSS JOIN clients c ON ` + key + ` = cur.key
		LEFT JOIN touches t ON t.client = c.id AND t.occasion = {:w_occasion} AND t.period = cur.value AND ` + domain.MarkedSQL + where
}

// stateParams sets the parameters stateSQL and heldUnmarkedSQL read: the
// occasion and when a hold still applies.
func (a *audience) stateParams(params dbx.Params) {
	params["w_occasion"] = a.occasion.Id
	params["w_hold_from"], params["w_hold_from_point"] = a.holdFrom()
	params["w_standard"] = a.standard
}

// singlePeriod returns the period when the audience is a regular
// occasion's and all its points agree on the current one.
func (a *audience) singlePeriod() (string, bool) {
	if a.personal || len(a.current) == 0 {
		return "", false
	}
	period, first := "", true
	for _, oc := range a.current {
		if !first && oc.Period != period {
			return "", false
		}
		period, first = oc.Period, false
	}
	return period, true
}

// holdCond selects the holds h2 of client c that apply to this occasion
// now (SPEC §4.5: not expired, for every occasion or for this one), on
// standard occasions only; it is an index probe on idx_holds_client and
// uses the parameters that source sets. holdApplies is its EXISTS. until
// is a day that runs through the whole of that day at the client's point
// (days.ThroughFrom, per point: see holdFrom).
const (
	holdCond = `{:w_standard} AND h2.client = c.id
		AND (h2.until = '' OR h2.until >= COALESCE(json_extract({:w_hold_from_point}, '$."' || c.point || '"'), {:w_hold_from}))
		AND (h2.occasion = '' OR h2.occasion = {:w_occasion})`
	holdApplies = `EXISTS (SELECT 1 FROM holds h2 WHERE ` + holdCond + `)`
)

// heldUnmarkedSQL is stateSQL's "held" for one period ({:w_period}) read
// from the holds, which are few: the clients c with a hold that applies
// and no mark. The counts that take the marks from elsewhere
// (countByStateKept, coverageFromMarks) count it over the audience.
const heldUnmarkedSQL = `c.id IN (SELECT client FROM holds) AND ` + holdApplies + `
	AND NOT EXISTS (SELECT 1 FROM touches t WHERE t.client = c.id AND t.occasion = {:w_occasion}
		AND t.period = {:w_period} AND ` + domain.MarkedSQL + `)`

// stateSQL computes a row's state over source: a touch decides, else an
// applying hold makes it held, else it is pending. The worklist page, its
// counts and the stats all use it, so they cannot disagree.
const stateSQL = `(CASE WHEN t.id IS NOT NULL THEN t.status WHEN ` + holdApplies + ` THEN 'held' ELSE 'pending' END)`

// countByState counts the audience by state, with "all" as the total; every
// state is present (0 when none). When all points agree on the current
// occurrence and the filter cuts clients only by point, segment and stage
// (what a service manager's worklist asks), the marks are read from
// mark_counts (countByStateKept); otherwise every client of the audience
// is counted with its state (countByStateCounted).
func (a *audience) countByState() (map[string]int, error) {
	if period, ok := a.singlePeriod(); ok && a.filter.OnlyCells() {
		return a.countByStateKept(period)
	}
	return a.countByStateCounted()
}

// countByStateCounted counts stateSQL over the audience's source.
func (a *audience) countByStateCounted() (map[string]int, error) {
	params := dbx.Params{}
	db := a.app.DB()
	sql := "SELECT " + stateSQL + " AS state, COUNT(*) AS n" + a.source(db, params) + " GROUP BY 1"
	var rows []struct {
		State string `db:"state"`
		N     int    `db:"n"`
	}
	if err := db.NewQuery(sql).Bind(params).All(&rows); err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, s := range worklistStates {
		counts[s] = 0
	}
	for _, r := range rows {
		counts[r.State] += r.N
		counts[stateAll] += r.N
	}
	return counts, nil
}

// countByStateKept is countByState for one period and a cell filter, by
// stateSQL's rule without reading every client's mark: all is the
// audience's clients (the sum of their cells in client_cells), done and
// skipped the marks
// mark_counts keeps for the occasion and period in the audience's cells
// (at most one mark per client, idx_touches_once), held the clients
// without a mark that a hold applies to (read from the holds, which are
// few), and pending the rest.
func (a *audience) countByStateKept(period string) (map[string]int, error) {
	db := a.app.DB()
	params := dbx.Params{"w_period": period}
	clients := a.clientsSQL(db, params)
	a.stateParams(params)

	var n struct {
		All     int `db:"all_"`
		Done    int `db:"done"`
		Skipped int `db:"skipped"`
		Held    int `db:"held"`
	}
	err := db.NewQuery(`SELECT
		(SELECT COALESCE(SUM(c.n), 0) FROM client_cells c WHERE ` + clients + `) AS all_,
		(SELECT COALESCE(SUM(c.n), 0) FROM mark_counts c WHERE c.occasion = {:w_occasion} AND c.period = {:w_period}
			AND c.status = 'done' AND ` + clients + `) AS done,
		(SELECT COALESCE(SUM(c.n), 0) FROM mark_counts c WHERE c.occasion = {:w_occasion} AND c.period = {:w_period}
			AND c.status = 'skipped' AND ` + clients + `) AS skipped,
		(SELECT COUNT(*) FROM clients c WHERE ` + clients + ` AND ` + heldUnmarkedSQL + `) AS held`).Bind(params).One(&n)
	if err != nil {
		return nil, err
	}
	return map[string]int{
		stateAll:     n.All,
		stateDone:    n.Done,
		stateSkipped: n.Skipped,
		stateHeld:    n.Held,
		statePending: n.All - n.Done - n.Skipped - n.Held,
	}, nil
}

// worklistRow is one row of the page query.
type worklistRow struct {
	Id              string `db:"id"`
	Name            string `db:"name"`
	Point           string `db:"point"`
	Segment         string `db:"segment"`
	Stage           string `db:"stage"`
	ContactId       string `db:"contact_id"`
	ContactName     string `db:"contact_name"`
	ContactPosition string `db:"contact_position"`
	ContactRole     string `db:"contact_role"`
	ContactPrimary  bool   `db:"contact_primary"`
	ContactLanguage string `db:"contact_language"`
	ClientLanguage  string `db:"client_language"`
	Channel         string `db:"channel"`
	Telegram        string `db:"telegram"`
	Whatsapp        string `db:"whatsapp"`
	Phone           string `db:"phone"`
	Email           string `db:"email"`
	Tags            string `db:"tags"`
	Manager         string `db:"manager"`
	ManagerName     string `db:"manager_name"`

	TouchId       string `db:"touch_id"`
	TouchStatus   string `db:"touch_status"`
	TouchChannel  string `db:"touch_channel"`
	TouchComment  string `db:"touch_comment"`
	TouchAuthor   string `db:"touch_author"`
	AuthorName    string `db:"author_name"`
	TouchCreated  string `db:"touch_created"`
	TouchOutcome  string `db:"touch_outcome"`
	TouchFollowUp string `db:"touch_follow_up"`
	HoldId        string `db:"hold_id"`
	HoldReason    string `db:"hold_reason"`
	HoldNote      string `db:"hold_note"`
	HoldUntil     string `db:"hold_until"`
	HoldOccasion  string `db:"hold_occasion"`
	HoldTicket    string `db:"hold_ticket"`
	TicketFound   string `db:"ticket_found"`
	TicketTitle   string `db:"ticket_title"`
	OccasionFound string `db:"occasion_found"`
	OccasionTitle string `db:"occasion_title"`
	State         string `db:"state"`
	EventId       string `db:"event_id"`
	EventKind     string `db:"event_kind"`
	EventDate     string `db:"event_date"`
	EventNote     string `db:"event_note"`
	domain.ClientDateColumns
}

// page returns one page of the audience in state ("all" for every state),
// sorted by client name (the folded search column, which sorts any script
// case-insensitively), in one query: the inner query picks the page's
// clients, states and touches over the whole audience, the outer one adds
// the details (manager and author names, the newest applying hold with its
// ticket and occasion titles) for those rows only.
func (a *audience) page(state string, limit, offset int) ([]worklistRow, error) {
	params := dbx.Params{"w_limit": limit, "w_offset": offset}
	db := a.app.DB()
	// a state asked for is known for every row: it is selected as a
	// constant and filtered without evaluating stateSQL twice
	column, condition := stateSQL, ""
	switch state {
	case stateDone, stateSkipped:
		column, condition = "{:w_state}", " AND t.status = {:w_state}"
	case stateHeld:
		column, condition = "{:w_state}", " AND t.id IS NULL AND "+holdApplies
	case statePending:
		column, condition = "{:w_state}", " AND t.id IS NULL AND NOT "+holdApplies
	}
	params["w_state"] = state
	// the addressed contact: a birthday row's own, else the one the
	// occasion's roles pick (SPEC §5)
	contactColumn, order, contactJoin := "''", "", domain.AddressedContactSQL(a.occasion.GetStringSlice("roles"), params)
	if a.perContact {
		contactColumn, order, contactJoin = "bc.id", ", bc.name, bc.id", " LEFT JOIN contacts pc ON pc.id = page.contact"
	}
	// an event occasion's row is an event's (SPEC §4.9): the client's
	// events in date order
	eventColumn, eventJoin, eventOrder := "''", " LEFT JOIN events pe ON pe.id = page.event", ""
	if a.perEvent {
		eventColumn, order, eventOrder = "ev.id", ", ev.date, ev.id", ", COALESCE(pe.date, ''), COALESCE(pe.id, '')"
	}
	inner := "SELECT c.id AS client, " + contactColumn + " AS contact, " + eventColumn + " AS event, t.id AS touch, " + column + " AS state" + a.source(db, params) + condition +
		" ORDER BY c.search, c.id" + order + " LIMIT {:w_limit} OFFSET {:w_offset}"

	sql := `WITH page AS (` + inner + `)
		SELECT c.id AS id, c.name AS name, c.point AS point, c.segment AS segment, c.stage AS stage,
			COALESCE(pc.id, '') AS contact_id, COALESCE(pc.name, '') AS contact_name,
			COALESCE(pc.position, '') AS contact_position, COALESCE(pc.role, '') AS contact_role,
			COALESCE(pc."primary", FALSE) AS contact_primary, COALESCE(pc.language, '') AS contact_language, c.language AS client_language, COALESCE(pc.birthday, '') AS contact_birthday, c.since AS since,
			COALESCE(pc.channel, '') AS channel, COALESCE(pc.telegram, '') AS telegram,
			COALESCE(pc.whatsapp, '') AS whatsapp, COALESCE(pc.phone, '') AS phone, COALESCE(pc.email, '') AS email,
			COALESCE(c.tags, '') AS tags,
			c.manager AS manager, COALESCE(m.name, '') AS manager_name,
			COALESCE(t.id, '') AS touch_id, COALESCE(t.status, '') AS touch_status,
			COALESCE(t.channel, '') AS touch_channel, COALESCE(t.comment, '') AS touch_comment,
			COALESCE(t.author, '') AS touch_author, COALESCE(u.name, '') AS author_name,
			COALESCE(t.created, '') AS touch_created, COALESCE(t.outcome, '') AS touch_outcome,
			COALESCE(t.follow_up, '') AS touch_follow_up,
			COALESCE(h.id, '') AS hold_id, COALESCE(h.reason, '') AS hold_reason, COALESCE(h.note, '') AS hold_note,
			COALESCE(h.until, '') AS hold_until, COALESCE(h.occasion, '') AS hold_occasion,
			COALESCE(h.ticket, '') AS hold_ticket,
			COALESCE(tk.id, '') AS ticket_found, COALESCE(tk.title, '') AS ticket_title,
			COALESCE(ho.id, '') AS occasion_found, COALESCE(ho.title, '') AS occasion_title,
			page.event AS event_id, COALESCE(pe.kind, '') AS event_kind, COALESCE(pe.date, '') AS event_date, COALESCE(pe.note, '') AS event_note,
			page.state AS state
		FROM page
		JOIN clients c ON c.id = page.client` + contactJoin + eventJoin + `
		LEFT JOIN touches t ON t.id = page.touch
		LEFT JOIN users m ON m.id = c.manager
		LEFT JOIN users u ON u.id = t.author
		LEFT JOIN holds h ON h.id = (
			SELECT h2.id FROM holds h2
			WHERE ` + holdCond + `
			ORDER BY h2.created DESC, h2.id DESC LIMIT 1)
		LEFT JOIN tickets tk ON tk.id = h.ticket
		LEFT JOIN occasions ho ON ho.id = h.occasion
		ORDER BY c.search, c.id` + eventOrder + `, COALESCE(pc.name, ''), COALESCE(pc.id, '')`

	var rows []worklistRow
	if err := db.NewQuery(sql).Bind(params).All(&rows); err != nil {
		return nil, err
	}
	return rows, nil
}

// item renders one worklist row: the client, touch and hold as JSON, the
// personalised message and the channel links.
func (a *audience) item(r *worklistRow, auth *core.Record, lang string) worklistItem {
	oc := a.current[r.Point]
	if a.personal {
		oc = a.current[r.Id]
	}
	if a.perContact {
		oc = a.current[r.ContactId]
	}
	if a.perEvent {
		oc = a.current[r.EventId] // {{date}} is the event's date
	}
	date := oc.Date
	pointName, pointLanguage := "", ""
	if p := a.points[r.Point]; p != nil {
		pointName, pointLanguage = p.GetString("name"), p.GetString("language")
	}
	language := templates.Language(r.ContactLanguage, r.ClientLanguage, pointLanguage)
	text, chosen := a.templates.Text(language, r.Id, oc.Period)

	today := date
	if today.IsZero() {
		today = a.today(r.Point)
	}
	message, missing := renderMessage(text, messageFacts{
		Client: r.Name, Contact: r.ContactName, Position: r.ContactPosition,
		Manager: r.ManagerName, Point: pointName, Since: r.Dates().Since, Date: date, Today: today,
	}, auth)

	item := worklistItem{
		Client: clientJSON{
			Id: r.Id, Name: r.Name, Point: r.Point, PointName: pointName, Segment: r.Segment, Stage: r.Stage,
			ContactName: r.ContactName, Channel: r.Channel, Telegram: r.Telegram, Whatsapp: r.Whatsapp,
			Phone: r.Phone, Email: r.Email, Tags: parseTags(r.Tags), Manager: r.Manager, ManagerName: r.ManagerName,
		},
		Contact:  r.contactJSON(),
		State:    r.State,
		Period:   oc.Period,
		Language: language,
		Message:  message,
		Missing:  missing,
		Links:    channelLinks(r.Whatsapp, r.Telegram, r.Email, r.Phone, a.occasion.GetString("title"), message),
	}
	if !date.IsZero() {
		item.Date = date.Format(time.DateOnly)
	}
	if chosen.Id != "" {
		item.Template = &chosen
	}
	if r.EventId != "" {
		item.Event = &eventJSON{Id: r.EventId, Kind: r.EventKind, Date: date.Format(time.DateOnly), Note: r.EventNote}
	}
	if r.TouchId != "" {
		item.Touch = &touchJSON{
			Id: r.TouchId, Status: r.TouchStatus, Channel: r.TouchChannel, Comment: r.TouchComment,
			Author: r.TouchAuthor, AuthorName: r.AuthorName, Created: r.TouchCreated,
			Outcome: r.TouchOutcome, FollowUp: r.TouchFollowUp,
		}
	}
	if r.HoldId != "" {
		item.Hold = &holdJSON{
			Id: r.HoldId, Reason: r.HoldReason, Note: r.HoldNote, Until: r.HoldUntil,
			Occasion: r.HoldOccasion, Ticket: r.HoldTicket, Text: describeHold(r, lang),
		}
	}
	return item
}

// messageFacts are what a client's message is made of (SPEC §5
// placeholders): the worklist's rows and the occasion editor's preview
// both render through renderMessage, so the preview shows what a manager
// will copy.
type messageFacts struct {
	Client, Contact, Position, Manager, Point string
	// Since is the client's since (zero: unknown); Date the occurrence
	// date (zero: none); Today the day years are counted to when there is
	// no occurrence date.
	Since, Date, Today time.Time
}

// renderMessage renders text with facts; a missing contact is the client,
// a missing manager the signed-in user (auth, may be nil). missing names
// the placeholders that rendered empty (never nil).
func renderMessage(text string, f messageFacts, auth *core.Record) (string, []string) {
	values := tmpl.Values{
		"client":   f.Client,
		"contact":  f.Contact,
		"position": f.Position,
		"manager":  f.Manager,
		"point":    f.Point,
	}
	if strings.TrimSpace(f.Contact) == "" {
		values["contact"] = f.Client
	}
	if strings.TrimSpace(f.Manager) == "" && auth != nil {
		values["manager"] = auth.GetString("name")
	}
	if !f.Since.IsZero() {
		at := f.Date
		if at.IsZero() {
			at = f.Today
		}
		values["years"] = strconv.Itoa(occurrence.Years(f.Since, at))
	}
	if !f.Date.IsZero() {
		values["date"] = f.Date.Format("02.01.2006")
	}
	message, missing := tmpl.Render(text, values)
	if missing == nil {
		missing = []string{}
	}
	return message, missing
}

// describeHold words a hold in lang (the request's) with
// domain.WordHoldIn, from the row's joined ticket and occasion titles
// instead of two lookups per row.
func describeHold(r *worklistRow, lang string) string {
	facts := domain.HoldFacts{Reason: r.HoldReason, HasTicket: r.HoldTicket != "", Note: r.HoldNote}
	if r.TicketFound != "" {
		facts.TicketTitle = r.TicketTitle
	}
	if r.HoldOccasion != "" && r.OccasionFound != "" {
		facts.OccasionTitle = r.OccasionTitle
	}
	if until, err := types.ParseDateTime(r.HoldUntil); err == nil {
		facts.Until = until.Time()
	}
	return domain.WordHoldIn(lang, facts)
}

// occasionJSON is the occasion as the worklist and stats show it.
func (a *audience) occasionJSON() occasionJSON {
	o := a.occasion
	return occasionJSON{
		Id: o.Id, Title: o.GetString("title"), Kind: o.GetString("kind"), Category: o.GetString("category"),
		Template: o.GetString("template"), Repeat: o.GetString("repeat"), Trigger: o.GetString("trigger"),
		Starts: o.GetString("starts"), Ends: o.GetString("ends"),
		Segments: nonNil(o.GetStringSlice("segments")), Points: nonNil(o.GetStringSlice("points")),
		Roles: nonNil(o.GetStringSlice("roles")), EventKind: o.GetString("event_kind"), OffsetDays: o.GetInt("offset_days"),
		Archived: o.GetBool("archived"), Active: a.active(),
	}
}

// active reports whether the occasion can be marked today at any of its
// points in scope; for a personal occasion, whether its campaign window
// (starts..ends) is open.
func (a *audience) active() bool {
	if a.rule.Archived {
		return false
	}
	for _, id := range sortedKeys(a.points) {
		today := a.today(id)
		if !a.personal {
			if ok, _ := occurrence.Active(a.rule, occurrence.Client{}, today); ok {
				return true
			}
			continue
		}
		starts, ends := a.rule.Starts, a.rule.Ends
		if (starts.IsZero() || !today.Before(dateOnly(starts))) && (ends.IsZero() || !today.After(dateOnly(ends))) {
			return true
		}
	}
	return false
}

// channelLinks builds the ready-to-open links for the client's handles:
// WhatsApp and e-mail carry the message (subject = occasion title),
// Telegram cannot prefill a message to a user, a phone link just dials.
// Phone links are built from the stored E.164 (package phones); a number
// not in E.164 (an old one the migration could not read) gets no link.
// Text is percent-encoded as UTF-8 with spaces as %20 (never "+", which
// mail clients and WhatsApp would show literally).
func channelLinks(whatsapp, telegram, email, phone, subject, message string) map[string]string {
	links := map[string]string{}
	if link := phones.WhatsAppLink(whatsapp); link != "" {
		if message != "" {
			link += "?text=" + encodeText(message)
		}
		links["whatsapp"] = link
	}
	if username := strings.TrimPrefix(strings.TrimSpace(telegram), "@"); username != "" {
		links["telegram"] = "https://t.me/" + url.PathEscape(username)
	}
	if email = strings.TrimSpace(email); email != "" {
		links["email"] = "mailto:" + url.PathEscape(email) + "?subject=" + encodeText(subject) + "&body=" + encodeText(message)
	}
	if link := phones.TelLink(phone); link != "" {
		links["phone"] = link
	}
	return links
}

// encodeText percent-encodes s for a query value with spaces as %20.
func encodeText(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// parseTags reads the clients.tags JSON list; anything else is no tags.
func parseTags(raw string) []string {
	var tags []string
	if err := json.Unmarshal([]byte(raw), &tags); err != nil || tags == nil {
		return []string{}
	}
	return tags
}

func dateOnly(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
