package api

import (
	"cmp"
	"slices"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/cadence"
	"touchbase/domain"
	"touchbase/occurrence"
)

// The morning e-mail (package digest, SPEC §4.10) says what the routes say:
// the functions of this file run the routes' own code (the due query and
// levels, the occasions' audiences and counts) for a scope given by point
// ids instead of a request, so the e-mail and the page never disagree.

// DueClient is one client of the Due queue as the e-mail lists it.
type DueClient struct {
	Id        string
	Name      string
	Point     string
	PointName string
	Level     string // cadence.Due or cadence.Overdue
	DaysSince int    // -1: never touched
	Interval  int
}

// DueSummary is what the Due route shows by default (levels due and
// overdue, lost clients left out) for a scope: how many clients are due
// and overdue, and the first of them, most overdue first.
type DueSummary struct {
	Due, Overdue int
	MostOverdue  []DueClient
}

// DueQueue returns the Due summary of points (nil = every point) at now
// with the route's own query (dueQuery): its counts and its first page of
// named clients.
func DueQueue(app core.App, points []string, now time.Time, named int) (DueSummary, error) {
	filter := &clientFilter{Scope: &Scope{Points: points}, Page: 1, PerPage: maxPerPage}
	q, err := newDueQuery(app, filter, now)
	if err != nil {
		return DueSummary{}, err
	}
	counts, err := q.counts()
	if err != nil {
		return DueSummary{}, err
	}
	summary := DueSummary{Due: counts[string(cadence.Due)], Overdue: counts[string(cadence.Overdue)]}
	if named <= 0 {
		return summary, nil
	}
	items, err := q.page(defaultDueLevels, 0, named)
	if err != nil {
		return DueSummary{}, err
	}
	if err := loadClients(app, items); err != nil {
		return DueSummary{}, err
	}
	for _, item := range items {
		c := DueClient{
			Id: item.Client.Id, Name: item.Client.Name, Point: item.Client.Point, PointName: item.Client.PointName,
			Level: item.Level, DaysSince: -1, Interval: item.Interval,
		}
		if item.DaysSince != nil {
			c.DaysSince = *item.DaysSince
		}
		summary.MostOverdue = append(summary.MostOverdue, c)
	}
	return summary, nil
}

// OccasionPending is an occasion active today with how many clients of the
// scope are still pending for it.
type OccasionPending struct {
	Id      string
	Title   string
	Pending int
}

// PendingOccasions returns the occasions the occasions route shows as
// active for a caller who sees points (nil = every point), each with its
// pending count (the route's audience and countByState), at now. Occasions
// with nobody pending are left out; the most pending come first.
func PendingOccasions(app core.App, points []string, now time.Time) ([]OccasionPending, error) {
	records, err := app.FindRecordsByFilter("occasions", "archived = false", "", 0, 0)
	if err != nil {
		return nil, err
	}
	filter := &clientFilter{Scope: &Scope{Points: points}, Page: 1, PerPage: defaultPerPage}
	var out []OccasionPending
	for _, occasion := range records {
		if !visibleOccasion(filter.Scope, occasion) || !planned(occasion) {
			continue
		}
		a, err := newAudience(app, occasion, filter, now)
		if err != nil {
			return nil, err
		}
		if !a.active() {
			continue
		}
		counts, err := a.countByState()
		if err != nil {
			return nil, err
		}
		if n := counts[statePending]; n > 0 {
			out = append(out, OccasionPending{Id: occasion.Id, Title: occasion.GetString("title"), Pending: n})
		}
	}
	slices.SortFunc(out, func(a, b OccasionPending) int {
		return cmp.Or(cmp.Compare(b.Pending, a.Pending), cmp.Compare(a.Title, b.Title), cmp.Compare(a.Id, b.Id))
	})
	return out, nil
}

// Birthday is a contact's birthday coming up.
type Birthday struct {
	Contact   string
	Client    string
	ClientId  string
	Point     string
	Date      time.Time // the day (00:00 UTC of the local date, as occurrence returns it)
	DaysUntil int
}

// Birthdays returns the birthdays of the contacts (not archived) of the
// clients of points (nil = every point; lost clients left out, as in the
// lists) that fall in the days days from today at each point, by date:
// occurrence.ClientDates, so 29 February is the 28th in other years as in
// the birthday occasions.
func Birthdays(app core.App, points []string, now time.Time, days int) ([]Birthday, error) {
	filter := &clientFilter{Scope: &Scope{Points: points}}
	params := dbx.Params{}
	db := app.DB()
	sql := `SELECT k.name AS contact, c.name AS client, c.id AS client_id, c.point AS point,
			p.timezone AS timezone, k.birthday AS contact_birthday, '' AS since
		FROM contacts k JOIN clients c ON c.id = k.client LEFT JOIN points p ON p.id = c.point
		WHERE ` + sqlOf(db, filter.Expr("c"), params) + ` AND k.archived = FALSE AND k.birthday != ''`
	var rows []struct {
		Contact  string `db:"contact"`
		Client   string `db:"client"`
		ClientId string `db:"client_id"`
		Point    string `db:"point"`
		Timezone string `db:"timezone"`
		domain.ClientDateColumns
	}
	if err := db.NewQuery(sql).Bind(params).All(&rows); err != nil {
		return nil, err
	}
	rule := occurrence.Occasion{Trigger: "birthday", Repeat: "yearly"}
	var out []Birthday
	for _, r := range rows {
		today := occurrence.Today(now, r.Timezone)
		for _, d := range occurrence.ClientDates(rule, r.Dates(), today, today.AddDate(0, 0, days-1)) {
			out = append(out, Birthday{Contact: r.Contact, Client: r.Client, ClientId: r.ClientId, Point: r.Point,
				Date: d, DaysUntil: int(d.Sub(today).Hours() / 24)})
		}
	}
	slices.SortFunc(out, func(a, b Birthday) int {
		return cmp.Or(a.Date.Compare(b.Date), cmp.Compare(a.Contact, b.Contact), cmp.Compare(a.Client, b.Client))
	})
	return out, nil
}
