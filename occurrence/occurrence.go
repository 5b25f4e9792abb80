// Package occurrence decides which occurrence of an occasion a touch belongs
// to, and whether that occurrence is active on a given day. It exists so that
// the touch period stored in the database (unique per client, occasion and
// period) is computed by one rule everywhere.
//
// All dates are calendar dates: only their UTC year, month and day matter, and
// results are 00:00 UTC of that day. "Today" is the local date of a point's
// time zone (see Today).
//
// The period rule:
//
//  1. One-off (repeat none, trigger none): Period "". Date = Starts and the
//     window is [Starts, Ends]; either end may be open (zero).
//  2. Yearly, not personal (repeat yearly, trigger none): year Y has one
//     occurrence dated on Starts' month/day in Y (Jan 1 when Starts is unset).
//     Its window runs from that date to Ends' month/day in Y, or in Y+1 when
//     that month/day comes earlier in the calendar (the window crosses New
//     Year); with Ends unset it runs to the day before the next occurrence.
//     The years of Starts and Ends are ignored. A day belongs to the
//     occurrence whose window contains it, otherwise to the occurrence with
//     the nearest Date (ties go to the later one). Period = year of Date.
//  3. Personal (trigger birthday or anniversary, whatever repeat says): the
//     occurrence in year Y is dated on the client's birthday / since
//     month/day in Y, with 29 Feb moved to 28 Feb in non-leap years. A day
//     belongs to the occurrence with the nearest Date (ties go to the later
//     one). The window is [Date-LeadDays, Date+GraceDays] intersected with
//     the occasion's own [Starts, Ends], which here is the campaign's overall
//     validity and is not shifted yearly. An anniversary has no occurrence in
//     the since year or before (zero years together).
//  4. Monthly, weekly and daily, not personal (repeat monthly / weekly /
//     daily, trigger none): the occurrence is the calendar month, the ISO
//     8601 week (Monday to Sunday, numbered in its ISO year as Go's
//     time.ISOWeek does) or the day that contains the local date, so every
//     day belongs to exactly one occurrence and a client can be marked
//     once per month, week or day. Starts and Ends are the occasion's
//     overall validity (not an anchor, as for yearly): the occurrence's
//     window is its month / week / day intersected with [Starts, Ends],
//     and Date is the window's first day — the 1st of the month, the
//     Monday, the day itself, or Starts when the occasion starts inside
//     the period (a manager reads "the March occurrence opens on 10
//     March"). Outside [Starts, Ends] the window is empty or does not
//     contain the day, so Active says when the occasion starts or ended.
//  5. An archived occasion is never active.
//
// Period is "" for a one-off occurrence, the four-digit year of Date for a
// yearly or personal one, "2027-03" (month), "2026-W53" (ISO year and
// week, two digits) and "2027-03-04" (day) for the calendar repeats.
// Within one occasion the keys are unique per occurrence and sort in time
// order.
package occurrence

import (
	"fmt"
	"strconv"
	"time"
)

// Window of a personal occurrence around the client's date: touches are
// expected from two weeks before the birthday / anniversary to one week after.
const (
	LeadDays  = 14
	GraceDays = 7
)

const day = 24 * time.Hour

// Occasion is the subset of an occasion record that decides its occurrences,
// so this package does not depend on the database. Zero times mean "not set";
// only the UTC year/month/day of Starts and Ends matter.
type Occasion struct {
	Repeat   string // "none" | "yearly" | "monthly" | "weekly" | "daily" ("" = "none")
	Trigger  string // "none" | "birthday" | "anniversary" ("" = "none"); a trigger implies yearly
	Starts   time.Time
	Ends     time.Time
	Archived bool
}

// Client holds the client dates a personal occasion is built from; zero
// means unknown.
type Client struct {
	Birthday time.Time
	Since    time.Time
}

// Occurrence is one concrete occurrence of an occasion (for one client when
// the occasion is personal); its Period is what a touch stores.
type Occurrence struct {
	Period string    // "" for a one-off, "YYYY" (year of Date) for a yearly or personal one, "YYYY-MM", "YYYY-Www", "YYYY-MM-DD" for monthly, weekly, daily
	Date   time.Time // the occurrence's date; zero for a one-off without Starts or when !Known
	From   time.Time // first active day (inclusive); zero = open
	To     time.Time // last active day (inclusive); zero = open
	Known  bool      // false when a personal occasion lacks the client's date; Period is then the year of the day asked about
}

// Today returns the calendar date (00:00 UTC of the local year/month/day) of
// the instant now in the IANA zone tz, because "today" for a point is its
// local date, not the server's. An empty or unknown tz falls back to
// time.Local (the server's zone).
func Today(now time.Time, tz string) time.Time {
	loc := time.Local
	if tz != "" {
		if l, err := time.LoadLocation(tz); err == nil {
			loc = l
		}
	}
	y, m, d := now.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// For returns the occurrence that a touch made on the local date day belongs
// to, following the period rule in the package doc.
func For(o Occasion, c Client, day time.Time) Occurrence {
	day = dateOf(day)
	switch {
	case o.personal():
		return forPersonal(o, c, day)
	case o.Repeat == "yearly":
		return forYearly(o, day)
	case calendar(o.Repeat):
		return forCalendar(o, day)
	default:
		start := dateOf(o.Starts)
		return Occurrence{Date: start, From: start, To: dateOf(o.Ends), Known: true}
	}
}

// Active reports whether the occurrence a touch on day would belong to is
// active for that client: the occasion is not archived and day lies inside
// the occurrence's window. When it is not, reason explains why in an English
// sentence meant for the user.
func Active(o Occasion, c Client, day time.Time) (ok bool, reason string) {
	if o.Archived {
		return false, "the occasion is archived"
	}
	day = dateOf(day)
	if o.personal() {
		// The campaign's own validity comes first: it is what the user set.
		if s := dateOf(o.Starts); !s.IsZero() && day.Before(s) {
			return false, "the occasion starts on " + ymd(s)
		}
		if e := dateOf(o.Ends); !e.IsZero() && day.After(e) {
			return false, "the occasion ended on " + ymd(e)
		}
		oc := For(o, c, day)
		if !oc.Known {
			return false, fmt.Sprintf("the client's %s is not set", clientField(o.Trigger))
		}
		if day.Before(oc.From) || day.After(oc.To) {
			return false, fmt.Sprintf("the %s is on %s, outside the window (%d days before to %d days after)",
				o.Trigger, ymd(oc.Date), LeadDays, GraceDays)
		}
		return true, ""
	}
	oc := For(o, c, day)
	if !oc.From.IsZero() && day.Before(oc.From) {
		return false, "the occasion starts on " + ymd(oc.From)
	}
	if !oc.To.IsZero() && day.After(oc.To) {
		return false, "the occasion ended on " + ymd(oc.To)
	}
	return true, ""
}

// Years returns the full years between since and date (e.g. years together
// for an anniversary), counting a 29 Feb since as complete on 28 Feb of a
// non-leap year, like its occurrence. It is 0 when since is zero or after
// date.
func Years(since, date time.Time) int {
	since, date = dateOf(since), dateOf(date)
	if since.IsZero() || since.After(date) {
		return 0
	}
	n := date.Year() - since.Year()
	if date.Before(inYear(since, date.Year())) {
		n--
	}
	return n
}

// In returns the occurrences of a non-personal occasion in [from, to]
// (inclusive), in date order, e.g. for a calendar (the Plan view); every
// Date it returns lies in the range:
//
//   - one-off and yearly: those whose Date falls in the range; a one-off
//     without Starts has no date and yields nothing;
//   - monthly and weekly: each one whose (non-empty) window meets the
//     range, so the month or week in progress on from is listed too,
//     dated on from (as the Plan view dates a one-off that began earlier);
//     From and To keep its real window;
//   - daily: one entry rather than one per day (which would flood a
//     half-year plan with the same line): dated on the first active day in
//     the range, with that day's Period, and From / To the occasion's own
//     window (zero = open), i.e. "every day from From to To". Nothing when
//     the window misses the range.
//
// Personal occasions yield nothing because their dates differ per client
// (see ClientDates).
func In(o Occasion, from, to time.Time) []Occurrence {
	from, to = dateOf(from), dateOf(to)
	var out []Occurrence
	switch {
	case o.personal():
	case o.Repeat == "daily":
		starts, ends := dateOf(o.Starts), dateOf(o.Ends)
		first := from
		if starts.After(first) {
			first = starts
		}
		if first.After(to) || !ends.IsZero() && first.After(ends) {
			break
		}
		oc := For(o, Client{}, first)
		oc.From, oc.To = starts, ends
		out = append(out, oc)
	case calendar(o.Repeat):
		for day := from; !day.After(to); day = periodEnd(o.Repeat, day).AddDate(0, 0, 1) {
			if oc := For(o, Client{}, day); !oc.From.After(oc.To) && !oc.From.After(to) && !oc.To.Before(from) {
				if oc.Date.Before(from) {
					oc.Date = from
				}
				out = append(out, oc)
			}
		}
	case o.Repeat == "yearly":
		for y := from.Year(); y <= to.Year(); y++ {
			if oc := yearly(o, y); inRange(oc.Date, from, to) {
				out = append(out, oc)
			}
		}
	default:
		if oc := For(o, Client{}, from); !oc.Date.IsZero() && inRange(oc.Date, from, to) {
			out = append(out, oc)
		}
	}
	return out
}

// ClientDates returns, for a personal occasion, the client's occurrence dates
// in [from, to] (inclusive), in order: birthdays or anniversaries with 29 Feb
// moved to 28 Feb in non-leap years, and no anniversary in the since year. It
// returns nil for a non-personal occasion or an unknown client date. The
// occasion's Starts/Ends are not applied; use Active for that.
func ClientDates(o Occasion, c Client, from, to time.Time) []time.Time {
	if !o.personal() {
		return nil
	}
	base, minYear := personalBase(o, c)
	if base.IsZero() {
		return nil
	}
	from, to = dateOf(from), dateOf(to)
	var out []time.Time
	for y := max(from.Year(), minYear); y <= to.Year(); y++ {
		if d := inYear(base, y); inRange(d, from, to) {
			out = append(out, d)
		}
	}
	return out
}

// Repeats reports whether the occasion has more than one occurrence: a
// yearly, monthly, weekly or daily one (a personal occasion is yearly
// whatever Repeat says).
func (o Occasion) Repeats() bool {
	return o.personal() || o.Repeat == "yearly" || calendar(o.Repeat)
}

func (o Occasion) personal() bool {
	return o.Trigger == "birthday" || o.Trigger == "anniversary"
}

// personalBase returns the client date a personal occasion is built on and
// the first year that has an occurrence.
func personalBase(o Occasion, c Client) (time.Time, int) {
	if o.Trigger == "anniversary" {
		s := dateOf(c.Since)
		return s, s.Year() + 1
	}
	b := dateOf(c.Birthday)
	return b, b.Year()
}

func forPersonal(o Occasion, c Client, day time.Time) Occurrence {
	base, minYear := personalBase(o, c)
	if base.IsZero() {
		return Occurrence{Period: year(day), From: dateOf(o.Starts), To: dateOf(o.Ends)}
	}
	var best time.Time
	for y := day.Year() - 1; y <= day.Year()+1; y++ {
		d := inYear(base, max(y, minYear))
		if best.IsZero() || nearer(d, best, day) {
			best = d
		}
	}
	from, to := best.AddDate(0, 0, -LeadDays), best.AddDate(0, 0, GraceDays)
	if s := dateOf(o.Starts); s.After(from) {
		from = s
	}
	if e := dateOf(o.Ends); !e.IsZero() && e.Before(to) {
		to = e
	}
	return Occurrence{Period: year(best), Date: best, From: from, To: to, Known: true}
}

func forYearly(o Occasion, day time.Time) Occurrence {
	var best Occurrence
	for y := day.Year() - 1; y <= day.Year()+1; y++ {
		oc := yearly(o, y)
		if inRange(day, oc.From, oc.To) {
			return oc
		}
		if best.Date.IsZero() || nearer(oc.Date, best.Date, day) {
			best = oc
		}
	}
	return best
}

// calendar reports whether repeat is one of the calendar repeats, whose
// occurrences are the months, ISO weeks or days themselves.
func calendar(repeat string) bool {
	return repeat == "monthly" || repeat == "weekly" || repeat == "daily"
}

// forCalendar returns the monthly / weekly / daily occurrence containing
// day: its period's days intersected with the occasion's [Starts, Ends],
// dated on the first of them (rule 4 of the package doc).
func forCalendar(o Occasion, day time.Time) Occurrence {
	from, to := periodStart(o.Repeat, day), periodEnd(o.Repeat, day)
	if s := dateOf(o.Starts); s.After(from) {
		from = s
	}
	if e := dateOf(o.Ends); !e.IsZero() && e.Before(to) {
		to = e
	}
	return Occurrence{Period: periodKey(o.Repeat, day), Date: from, From: from, To: to, Known: true}
}

// periodStart is the first day of the month, ISO week (Monday) or day
// containing day.
func periodStart(repeat string, day time.Time) time.Time {
	switch repeat {
	case "monthly":
		return time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	case "weekly":
		return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	}
	return day
}

// periodEnd is the last day of the month, ISO week (Sunday) or day
// containing day.
func periodEnd(repeat string, day time.Time) time.Time {
	switch repeat {
	case "monthly":
		return periodStart(repeat, day).AddDate(0, 1, -1)
	case "weekly":
		return periodStart(repeat, day).AddDate(0, 0, 6)
	}
	return day
}

// periodKey names the month ("2027-03"), ISO week ("2026-W53", the ISO
// year, which differs from the calendar year around New Year) or day
// ("2027-03-04") containing day.
func periodKey(repeat string, day time.Time) string {
	switch repeat {
	case "monthly":
		return day.Format("2006-01")
	case "weekly":
		y, w := day.ISOWeek()
		return fmt.Sprintf("%04d-W%02d", y, w)
	}
	return ymd(day)
}

// yearly returns the occurrence of a non-personal yearly occasion in year y.
func yearly(o Occasion, y int) Occurrence {
	start := dateOf(o.Starts)
	if start.IsZero() {
		start = time.Date(y, time.January, 1, 0, 0, 0, 0, time.UTC)
	}
	date := inYear(start, y)
	to := inYear(start, y+1).AddDate(0, 0, -1)
	if e := dateOf(o.Ends); !e.IsZero() {
		to = inYear(e, y)
		if to.Before(date) {
			to = inYear(e, y+1)
		}
	}
	return Occurrence{Period: year(date), Date: date, From: date, To: to, Known: true}
}

// nearer reports whether a is strictly nearer to day than b, or as near and
// later (ties go to the later occurrence).
func nearer(a, b, day time.Time) bool {
	da, db := absDays(a, day), absDays(b, day)
	return da < db || da == db && a.After(b)
}

func absDays(a, b time.Time) time.Duration {
	d := a.Sub(b)
	if d < 0 {
		d = -d
	}
	return d / day
}

// inYear returns d's month/day in year y, with 29 Feb moved to 28 Feb when y
// is not a leap year.
func inYear(d time.Time, y int) time.Time {
	m, dd := d.Month(), d.Day()
	if m == time.February && dd == 29 && !isLeap(y) {
		dd = 28
	}
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// dateOf keeps only the UTC calendar date of t; the zero time stays zero.
func dateOf(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// inRange reports whether d is in [from, to]; a zero bound is open.
func inRange(d, from, to time.Time) bool {
	return (from.IsZero() || !d.Before(from)) && (to.IsZero() || !d.After(to))
}

func year(t time.Time) string { return strconv.Itoa(t.Year()) }

func ymd(t time.Time) string { return t.Format(time.DateOnly) }

func clientField(trigger string) string {
	if trigger == "anniversary" {
		return "since date"
	}
	return "birthday"
}
