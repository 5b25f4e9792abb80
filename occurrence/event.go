package occurrence

import (
	"fmt"
	"time"
)

// EventWindowDays is how long an event's follow-up stays in the worklist
// (SPEC §4.9): from the event's date + offset_days for 14 days.
const EventWindowDays = 14

// EventWindow returns the first and last active day (inclusive) of the
// follow-up of an event on date for an occasion with offsetDays: the
// window [date + offset, date + offset + 14 days). Only date's UTC
// calendar date matters; "today" is a point's local date (Today).
func EventWindow(date time.Time, offsetDays int) (from, to time.Time) {
	from = dateOf(date).AddDate(0, 0, offsetDays)
	return from, from.AddDate(0, 0, EventWindowDays-1)
}

// ForEvent is the occurrence of an event occasion for one event: dated on
// the event's date, active through EventWindow, intersected with the
// occasion's own starts..ends (the campaign's validity, as for personal
// occasions). period is what the mark stores (domain.EventPeriod).
func ForEvent(o Occasion, period string, date time.Time, offsetDays int) Occurrence {
	from, to := EventWindow(date, offsetDays)
	if s := dateOf(o.Starts); s.After(from) {
		from = s
	}
	if e := dateOf(o.Ends); !e.IsZero() && e.Before(to) {
		to = e
	}
	return Occurrence{Period: period, Date: dateOf(date), From: from, To: to, Known: !date.IsZero()}
}

// EventActive reports whether a mark on the local date day may follow up
// the event on date for occasion o with offsetDays: the occasion is not
// archived, its own window is open, and day lies in the event's window.
// When it is not, reason explains why in an English sentence.
func EventActive(o Occasion, date time.Time, offsetDays int, day time.Time) (ok bool, reason string) {
	if o.Archived {
		return false, "the occasion is archived"
	}
	day = dateOf(day)
	if s := dateOf(o.Starts); !s.IsZero() && day.Before(s) {
		return false, "the occasion starts on " + ymd(s)
	}
	if e := dateOf(o.Ends); !e.IsZero() && day.After(e) {
		return false, "the occasion ended on " + ymd(e)
	}
	if date.IsZero() {
		return false, "the event has no date"
	}
	from, to := EventWindow(date, offsetDays)
	if day.Before(from) || day.After(to) {
		return false, fmt.Sprintf("the event of %s is followed up from %s to %s", ymd(dateOf(date)), ymd(from), ymd(to))
	}
	return true, ""
}

// EventDates returns the dates of events whose follow-up window (for
// offsetDays) can contain a local day in [from, to]: [from - offset - 13,
// to - offset], for a query that reads the candidate events by date.
func EventDates(offsetDays int, from, to time.Time) (first, last time.Time) {
	return dateOf(from).AddDate(0, 0, -offsetDays-(EventWindowDays-1)), dateOf(to).AddDate(0, 0, -offsetDays)
}
