// Package digest is the morning e-mail (SPEC §4.10): every morning at 08:00
// in their zone each staff member with users.digest on gets one e-mail in
// their language with how many of their clients are due and overdue,
// today's active occasions with pending counts, the clients waiting
// longest, the birthdays of the next 7 days and a link to the page —
// unless there is nothing to say.
//
// The figures come from the routes' own code (api/summary.go), so the
// e-mail says what the page shows. Build makes an e-mail, Run is the job
// that sends the due ones (cron, every 5 minutes), Bind wires the job, the
// unsubscribe route and the users hook that turns the e-mail on for new
// accounts.
package digest

import (
	"bytes"
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"touchbase/access"
	"touchbase/api"
	"touchbase/domain"
	"touchbase/texts"
)

// Limits of the e-mail's lists.
const (
	topOverdue   = 5 // the clients waiting longest
	birthdayDays = 7 // birthdays from today through the 6th day on
)

// Digest is one user's morning e-mail.
type Digest struct {
	User *core.Record
	Lang string
	// Day is the user's local day (YYYY-MM-DD) the e-mail is for.
	Day  string
	Date time.Time // Day at 00:00 UTC

	// Due and Overdue count the clients in scope at those cadence levels;
	// Points breaks them down per point (service managers only).
	Due, Overdue int
	Points       []PointLine
	Occasions    []api.OccasionPending // active today, with pending clients
	MostOverdue  []api.DueClient       // the first few of the Due queue
	Birthdays    []api.Birthday

	PageURL        string
	UnsubscribeURL string
}

// PointLine is a point's due and overdue counts.
type PointLine struct {
	Name         string
	Due, Overdue int
}

// Empty reports whether the e-mail would say nothing: nothing due, nobody
// pending, no birthday. Nobody gets an e-mail about nothing.
func (d *Digest) Empty() bool {
	return d.Due+d.Overdue == 0 && len(d.Occasions) == 0 && len(d.Birthdays) == 0
}

// Build makes user's e-mail at now, in their language, for their scope: a
// point manager's point, every point for a service manager (with a line
// per point). A user who sees no point gets an empty one.
func Build(app core.App, user *core.Record, now time.Time) (*Digest, error) {
	return NewBatch(app, now).Build(user)
}

// Batch builds the e-mails of one run (one instant): the figures of a
// scope — due counts, the most overdue clients, pending occasions,
// birthdays — depend only on the scope and the instant, so the users who
// share one (the managers of a point; every service manager) share them
// instead of each reading the whole scope again. Each user's scope is
// still their own, read from their record (access.PointsOf).
type Batch struct {
	app     core.App
	now     time.Time
	byScope map[string]*figures
}

// NewBatch starts a run at now.
func NewBatch(app core.App, now time.Time) *Batch {
	return &Batch{app: app, now: now, byScope: map[string]*figures{}}
}

// figures are what an e-mail says about a scope.
type figures struct {
	points       []PointLine
	due, overdue int
	mostOverdue  []api.DueClient
	occasions    []api.OccasionPending
	birthdays    []api.Birthday
}

// Build makes user's e-mail (see the package's Build).
func (b *Batch) Build(user *core.Record) (*Digest, error) {
	app, now := b.app, b.now
	point := userPoint(app, user)
	loc := time.Local
	if point != nil {
		loc = domain.PointLocation(point)
	}
	local := now.In(loc)
	d := &Digest{
		User: user,
		Lang: Language(user, point),
		Day:  local.Format(time.DateOnly),
		Date: time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC),
	}
	d.PageURL = appURL(app) + "/"
	token, err := NewUnsubscribeToken(app, user, now)
	if err != nil {
		return nil, err
	}
	d.UnsubscribeURL = unsubscribeURL(app, token)

	points, all := access.PointsOf(user)
	if !all && len(points) == 0 {
		return d, nil
	}
	key := "*"
	if !all {
		key = strings.Join(slices.Sorted(slices.Values(points)), ",")
	}
	f, ok := b.byScope[key]
	if !ok {
		if f, err = scopeFigures(app, points, all, now); err != nil {
			return nil, err
		}
		b.byScope[key] = f
	}
	d.Points, d.Due, d.Overdue, d.MostOverdue = f.points, f.due, f.overdue, f.mostOverdue
	d.Occasions, d.Birthdays = f.occasions, f.birthdays
	return d, nil
}

// scopeFigures reads a scope's figures: every point (all) with a line per
// point, or the points given.
func scopeFigures(app core.App, points []string, all bool, now time.Time) (*figures, error) {
	f := &figures{}
	if all {
		records, err := app.FindRecordsByFilter("points", "", "name", 0, 0)
		if err != nil {
			return nil, err
		}
		for _, p := range records {
			queue, err := api.DueQueue(app, []string{p.Id}, now, 0)
			if err != nil {
				return nil, err
			}
			line := PointLine{Name: p.GetString("name"), Due: queue.Due, Overdue: queue.Overdue}
			f.due += line.Due
			f.overdue += line.Overdue
			if line.Due+line.Overdue > 0 {
				f.points = append(f.points, line)
			}
		}
		queue, err := api.DueQueue(app, nil, now, topOverdue)
		if err != nil {
			return nil, err
		}
		f.mostOverdue = queue.MostOverdue
	} else {
		queue, err := api.DueQueue(app, points, now, topOverdue)
		if err != nil {
			return nil, err
		}
		f.due, f.overdue, f.mostOverdue = queue.Due, queue.Overdue, queue.MostOverdue
	}

	var scope []string
	if !all {
		scope = points
	}
	var err error
	if f.occasions, err = api.PendingOccasions(app, scope, now); err != nil {
		return nil, err
	}
	if f.birthdays, err = api.Birthdays(app, scope, now, birthdayDays); err != nil {
		return nil, err
	}
	return f, nil
}

// appURL is the app's URL (dashboard Settings → Application URL) without
// a trailing slash.
func appURL(app core.App) string {
	return strings.TrimRight(app.Settings().Meta.AppURL, "/")
}

// userPoint is the user's point record, nil without one.
func userPoint(app core.App, user *core.Record) *core.Record {
	id := user.GetString("point")
	if id == "" {
		return nil
	}
	point, err := app.FindRecordById("points", id)
	if err != nil {
		return nil
	}
	return point
}

// Language is the user's language for the e-mail (SPEC §3
// users.language): theirs, else their point's, else English.
func Language(user, point *core.Record) string {
	if lang := user.GetString("language"); lang != "" {
		return texts.Lang(lang)
	}
	if point != nil && point.GetString("language") != "" {
		return texts.Lang(point.GetString("language"))
	}
	return texts.EN
}

// Location is the zone of the user's morning: their point's, the server's
// for a user without one (service managers).
func Location(app core.App, user *core.Record) *time.Location {
	if point := userPoint(app, user); point != nil {
		return domain.PointLocation(point)
	}
	return time.Local
}

// t is a text of the e-mail in its language.
func (d *Digest) t(key string, args ...any) string { return texts.T(d.Lang, key, args...) }

// n is a counted text of the e-mail in its language.
func (d *Digest) n(key string, n int, args ...any) string { return texts.N(d.Lang, key, n, args...) }

// Subject is the e-mail's subject line.
func (d *Digest) Subject() string { return d.t("digest.subject", d.dayName(d.Date)) }

// dayName is a day as "28 November" / "28 ноября".
func (d *Digest) dayName(day time.Time) string {
	months := strings.Split(d.t("digest.months"), "|")
	month := day.Month().String()
	if int(day.Month()) <= len(months) {
		month = months[day.Month()-1]
	}
	return d.t("digest.date", day.Day(), month)
}

// view is what the text and HTML templates show, every text already said
// in the e-mail's language.
type view struct {
	Greeting    string
	Due         string
	Points      []string
	Occasions   []string
	Overdue     string
	MostOverdue []string
	Birthdays   string
	BirthdayDay []string
	Open        string
	PageURL     string
	Why         string
	Unsubscribe string
	UnsubURL    string
	Lang        string
}

func (d *Digest) view() view {
	name := d.User.GetString("name")
	if name == "" {
		name = d.User.Email()
	}
	v := view{
		Greeting: d.t("digest.greeting", name),
		Open:     d.t("digest.open"), PageURL: d.PageURL,
		Why: d.t("digest.why"), Unsubscribe: d.t("digest.unsubscribe"), UnsubURL: d.UnsubscribeURL,
		Lang: d.Lang,
	}
	if d.Due+d.Overdue > 0 {
		v.Due = d.t("digest.due", d.n("digest.clients", d.Due), d.n("digest.clients", d.Overdue))
		for _, p := range d.Points {
			v.Points = append(v.Points, d.t("digest.due_point", p.Name, d.n("digest.clients", p.Due), d.n("digest.clients", p.Overdue)))
		}
	}
	for _, o := range d.Occasions {
		v.Occasions = append(v.Occasions, "«"+o.Title+"» — "+d.n("digest.pending", o.Pending))
	}
	if len(v.Occasions) > 0 {
		v.Occasions = append([]string{d.t("digest.occasions")}, v.Occasions...)
	}
	if len(d.MostOverdue) > 0 {
		v.Overdue = d.t("digest.most_overdue")
	}
	for _, c := range d.MostOverdue {
		line := c.Name
		if len(d.Points) > 0 || d.User.GetString("point") == "" {
			line += " (" + c.PointName + ")"
		}
		if c.DaysSince < 0 {
			line += " — " + d.t("digest.never")
		} else {
			line += " — " + d.n("digest.days_since", c.DaysSince)
		}
		v.MostOverdue = append(v.MostOverdue, line)
	}
	if len(d.Birthdays) > 0 {
		v.Birthdays = d.t("digest.birthdays")
	}
	for _, b := range d.Birthdays {
		when := d.dayName(b.Date)
		switch b.DaysUntil {
		case 0:
			when = d.t("digest.today") + ", " + when
		case 1:
			when = d.t("digest.tomorrow") + ", " + when
		}
		v.BirthdayDay = append(v.BirthdayDay, fmt.Sprintf("%s: %s (%s)", when, b.Contact, b.Client))
	}
	return v
}

// Text is the plain-text part, which the dry run prints.
func (d *Digest) Text() string {
	v := d.view()
	var b strings.Builder
	b.WriteString(v.Greeting + "\n")
	section := func(heading string, lines []string) {
		if heading == "" && len(lines) == 0 {
			return
		}
		b.WriteString("\n")
		if heading != "" {
			b.WriteString(heading + "\n")
		}
		for _, l := range lines {
			b.WriteString("  • " + l + "\n")
		}
	}
	section(v.Due, v.Points)
	if len(v.Occasions) > 0 {
		section(v.Occasions[0], v.Occasions[1:])
	}
	section(v.Overdue, v.MostOverdue)
	section(v.Birthdays, v.BirthdayDay)
	fmt.Fprintf(&b, "\n%s: %s\n\n-- \n%s\n%s: %s\n", v.Open, v.PageURL, v.Why, v.Unsubscribe, v.UnsubURL)
	return b.String()
}

var htmlTemplate = template.Must(template.New("digest").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head>
<body style="margin:0;padding:24px;background:#f4f5f7;font-family:-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#1f2328;font-size:15px;line-height:1.5">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px">
<p style="margin:0 0 16px;font-size:18px;font-weight:600">{{.Greeting}}</p>
{{if .Due}}<p style="margin:0 0 8px">{{.Due}}</p>{{if .Points}}<ul style="margin:0 0 16px;padding-left:20px">{{range .Points}}<li>{{.}}</li>{{end}}</ul>{{end}}{{end}}
{{if .Occasions}}<p style="margin:16px 0 8px;font-weight:600">{{index .Occasions 0}}</p><ul style="margin:0 0 16px;padding-left:20px">{{range $i, $l := .Occasions}}{{if $i}}<li>{{$l}}</li>{{end}}{{end}}</ul>{{end}}
{{if .Overdue}}<p style="margin:16px 0 8px;font-weight:600">{{.Overdue}}</p><ul style="margin:0 0 16px;padding-left:20px">{{range .MostOverdue}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .Birthdays}}<p style="margin:16px 0 8px;font-weight:600">{{.Birthdays}}</p><ul style="margin:0 0 16px;padding-left:20px">{{range .BirthdayDay}}<li>{{.}}</li>{{end}}</ul>{{end}}
<p style="margin:24px 0"><a href="{{.PageURL}}" style="display:inline-block;background:#2563eb;color:#ffffff;text-decoration:none;padding:10px 18px;border-radius:6px;font-weight:600">{{.Open}}</a></p>
</div>
<p style="max-width:560px;margin:12px auto 0;font-size:12px;color:#6b7280">{{.Why}} <a href="{{.UnsubURL}}" style="color:#6b7280">{{.Unsubscribe}}</a></p>
</body></html>
`))

// HTML is the HTML part: the same texts, escaped by html/template.
func (d *Digest) HTML() (string, error) {
	var b bytes.Buffer
	if err := htmlTemplate.Execute(&b, d.view()); err != nil {
		return "", err
	}
	return b.String(), nil
}
