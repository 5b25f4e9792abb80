package occurrence_test

import (
	"testing"
	"time"
	_ "time/tzdata"

	"touchbase/occurrence"
)

// TestEventWindowAcrossZonesAndYearEnd: an event on 30 December with
// offset 2 is followed up from 1 to 14 January, each point by its own
// local date: on 31 Dec 22:00 UTC Moscow already has 1 January (active),
// Los Angeles still 31 December (not yet); on 14 Jan 22:00 UTC Moscow has
// 15 January (over), Los Angeles 14 January (the last day).
func TestEventWindowAcrossZonesAndYearEnd(t *testing.T) {
	event := time.Date(2026, time.December, 30, 12, 0, 0, 0, time.UTC) // a day as stored
	from, to := occurrence.EventWindow(event, 2)
	if from.Format(time.DateOnly) != "2027-01-01" || to.Format(time.DateOnly) != "2027-01-14" {
		t.Fatalf("window %s..%s", from.Format(time.DateOnly), to.Format(time.DateOnly))
	}
	cases := []struct {
		now  string
		zone string
		want bool
	}{
		{"2026-12-31T20:59:00Z", "Europe/Moscow", false}, // 23:59 on 31 Dec
		{"2026-12-31T21:00:00Z", "Europe/Moscow", true},  // 00:00 on 1 Jan
		{"2026-12-31T22:00:00Z", "America/Los_Angeles", false},
		{"2027-01-01T08:00:00Z", "America/Los_Angeles", true}, // 00:00 on 1 Jan
		{"2027-01-14T20:59:00Z", "Europe/Moscow", true},
		{"2027-01-14T22:00:00Z", "Europe/Moscow", false},
		{"2027-01-14T22:00:00Z", "America/Los_Angeles", true},
		{"2027-01-15T07:59:00Z", "America/Los_Angeles", true},
		{"2027-01-15T08:00:00Z", "America/Los_Angeles", false},
	}
	for _, c := range cases {
		now, _ := time.Parse(time.RFC3339, c.now)
		ok, reason := occurrence.EventActive(occurrence.Occasion{Trigger: "event"}, event, 2, occurrence.Today(now, c.zone))
		if ok != c.want {
			t.Errorf("%s in %s: active %v (%s), want %v", c.now, c.zone, ok, reason, c.want)
		}
	}
}

func TestEventActiveRules(t *testing.T) {
	event := time.Date(2027, time.March, 10, 12, 0, 0, 0, time.UTC)
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	o := occurrence.Occasion{Trigger: "event"}
	for _, c := range []struct {
		o      occurrence.Occasion
		offset int
		day    string
		want   bool
	}{
		{o, 0, "2027-03-10", true},
		{o, 0, "2027-03-23", true},
		{o, 0, "2027-03-24", false},
		{o, -5, "2027-03-05", true}, // before the event
		{o, -5, "2027-03-04", false},
		{o, 335, "2028-02-08", true}, // leap year: 10 Mar 2027 + 335 days
		{o, 335, "2028-02-07", false},
		{occurrence.Occasion{Trigger: "event", Archived: true}, 0, "2027-03-10", false},
		{occurrence.Occasion{Trigger: "event", Ends: day("2027-03-12")}, 0, "2027-03-13", false},
		{occurrence.Occasion{Trigger: "event", Starts: day("2027-03-12")}, 0, "2027-03-11", false},
	} {
		if ok, reason := occurrence.EventActive(c.o, event, c.offset, day(c.day)); ok != c.want {
			t.Errorf("offset %d on %s (%+v): %v %s, want %v", c.offset, c.day, c.o, ok, reason, c.want)
		}
	}
	first, last := occurrence.EventDates(2, day("2027-01-01"), day("2027-01-01"))
	if first.Format(time.DateOnly) != "2026-12-17" || last.Format(time.DateOnly) != "2026-12-30" {
		t.Errorf("EventDates: %s..%s", first.Format(time.DateOnly), last.Format(time.DateOnly))
	}
}
