package cadence

import (
	"testing"
	"time"
)

func TestLevelFor(t *testing.T) {
	tests := []struct {
		interval int
		days     []int // ok, soon, due and overdue boundaries, in pairs
		want     []Level
	}{
		// 14: 75% = 10.5, 150% = 21.
		{14, []int{0, 10, 11, 13, 14, 20, 21, 100}, []Level{OK, OK, Soon, Soon, Due, Due, Overdue, Overdue}},
		// 21: 75% = 15.75, 150% = 31.5.
		{21, []int{0, 15, 16, 20, 21, 31, 32, 100}, []Level{OK, OK, Soon, Soon, Due, Due, Overdue, Overdue}},
		// 30: 75% = 22.5, 150% = 45.
		{30, []int{0, 22, 23, 29, 30, 44, 45, 100}, []Level{OK, OK, Soon, Soon, Due, Due, Overdue, Overdue}},
		// 60: 75% = 45 exactly, 150% = 90.
		{60, []int{0, 44, 45, 59, 60, 89, 90, 100}, []Level{OK, OK, Soon, Soon, Due, Due, Overdue, Overdue}},
		// 90: 75% = 67.5, 150% = 135.
		{90, []int{0, 67, 68, 89, 90, 134, 135, 1000}, []Level{OK, OK, Soon, Soon, Due, Due, Overdue, Overdue}},
		// Interval <= 0 is 1: 0 ok, 1 due, 2 overdue.
		{0, []int{0, 1, 2}, []Level{OK, Due, Overdue}},
		{-5, []int{0, 1, 2}, []Level{OK, Due, Overdue}},
		// Never touched.
		{30, []int{-1}, []Level{Overdue}},
	}
	for _, tt := range tests {
		for i, days := range tt.days {
			if got := LevelFor(days, tt.interval); got != tt.want[i] {
				t.Errorf("LevelFor(%d, %d) = %s, want %s", days, tt.interval, got, tt.want[i])
			}
		}
	}
}

func TestEvaluate(t *testing.T) {
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	ago := func(days int, extra time.Duration) time.Time {
		return now.Add(-time.Duration(days)*24*time.Hour - extra)
	}
	m := func(at time.Time) Touch { return Touch{At: at, Kind: "mandatory"} }
	s := func(at time.Time) Touch { return Touch{At: at, Kind: "standard"} }

	tests := []struct {
		name    string
		touches []Touch
		rule    Rule
		want    Status
	}{
		// SPEC §6: the ratio is never "met" with no touches
		{"never touched", nil, Rule{IntervalDays: 30},
			Status{DaysSince: -1, Interval: 30, Level: Overdue, RatioMet: false}},
		{"days are floored", []Touch{s(ago(20, 23*time.Hour))}, Rule{IntervalDays: 14},
			Status{LastTouch: ago(20, 23*time.Hour), DaysSince: 20, Interval: 14, Level: Due, Standard: 1, RatioMet: true}},
		{"latest touch of any kind, unsorted", []Touch{s(ago(40, 0)), m(ago(3, 0)), s(ago(10, 0))}, Rule{IntervalDays: 14},
			Status{LastTouch: ago(3, 0), DaysSince: 3, Interval: 14, Level: OK, Mandatory: 1, Standard: 2, RatioMet: true}},
		{"old touch resets the timer but is not counted", []Touch{m(ago(400, 0))}, Rule{IntervalDays: 90},
			Status{LastTouch: ago(400, 0), DaysSince: 400, Interval: 90, Level: Overdue, RatioMet: false}},
		{"exactly 365 days is not counted", []Touch{m(ago(365, 0)), s(ago(365, -time.Second))}, Rule{IntervalDays: 60},
			Status{LastTouch: ago(365, -time.Second), DaysSince: 364, Interval: 60, Level: Overdue, Standard: 1, RatioMet: true}},
		{"ratio met with default 2", []Touch{m(ago(1, 0)), m(ago(2, 0)), s(ago(3, 0)), s(ago(4, 0)), s(ago(5, 0)), s(ago(6, 0))}, Rule{IntervalDays: 30},
			Status{LastTouch: ago(1, 0), DaysSince: 1, Interval: 30, Level: OK, Mandatory: 2, Standard: 4, RatioMet: true}},
		{"ratio not met with default 2", []Touch{m(ago(1, 0)), m(ago(2, 0)), s(ago(3, 0)), s(ago(4, 0)), s(ago(5, 0))}, Rule{IntervalDays: 30},
			Status{LastTouch: ago(1, 0), DaysSince: 1, Interval: 30, Level: OK, Mandatory: 2, Standard: 3, RatioMet: false}},
		{"ratio met with 1.5", []Touch{m(ago(1, 0)), m(ago(2, 0)), s(ago(3, 0)), s(ago(4, 0)), s(ago(5, 0))}, Rule{IntervalDays: 30, StandardPerMandatory: 1.5},
			Status{LastTouch: ago(1, 0), DaysSince: 1, Interval: 30, Level: OK, Mandatory: 2, Standard: 3, RatioMet: true}},
		{"ratio 1 met, a touch over a year old ignored", []Touch{m(ago(1, 0)), s(ago(300, 0)), s(ago(366, 0))}, Rule{IntervalDays: 30, StandardPerMandatory: 1},
			Status{LastTouch: ago(1, 0), DaysSince: 1, Interval: 30, Level: OK, Mandatory: 1, Standard: 1, RatioMet: true}},
		{"only mandatory", []Touch{m(ago(5, 0))}, Rule{IntervalDays: 30},
			Status{LastTouch: ago(5, 0), DaysSince: 5, Interval: 30, Level: OK, Mandatory: 1, RatioMet: false}},
		{"future touch counts as today", []Touch{s(now.Add(time.Hour))}, Rule{IntervalDays: 30},
			Status{LastTouch: now.Add(time.Hour), DaysSince: 0, Interval: 30, Level: OK, Standard: 1, RatioMet: true}},
		{"interval 0 is 1", []Touch{s(ago(1, 0))}, Rule{},
			Status{LastTouch: ago(1, 0), DaysSince: 1, Interval: 1, Level: Due, Standard: 1, RatioMet: true}},
		{"unknown kind resets timer only", []Touch{{At: ago(2, 0), Kind: "other"}}, Rule{IntervalDays: 30},
			Status{LastTouch: ago(2, 0), DaysSince: 2, Interval: 30, Level: OK, RatioMet: false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Evaluate(now, tt.touches, tt.rule); got != tt.want {
				t.Errorf("Evaluate =\n %+v\nwant\n %+v", got, tt.want)
			}
		})
	}
}

// TestRatioMetNeedsTouches: with no counted touches there is nothing to
// meet (SPEC §6), whatever the rule; standard touches alone meet it.
func TestRatioMetNeedsTouches(t *testing.T) {
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	for _, rule := range []Rule{{}, {IntervalDays: 30, StandardPerMandatory: 0.5}, {IntervalDays: 30, StandardPerMandatory: 3}} {
		if s := Evaluate(now, nil, rule); s.RatioMet {
			t.Errorf("no touches, rule %+v: RatioMet = true, want false", rule)
		}
	}
	if s := Evaluate(now, []Touch{{At: now.Add(-time.Hour), Kind: "standard"}}, Rule{IntervalDays: 30}); !s.RatioMet {
		t.Errorf("one standard touch: RatioMet = false, want true")
	}
}

// TestThresholdsAreTheTable checks ThresholdsFor, and LevelFor through it,
// against the package doc's integer table for every interval and day a
// cadence can have.
func TestThresholdsAreTheTable(t *testing.T) {
	table := func(d, i int) Level {
		switch {
		case d*100 < 75*i:
			return OK
		case d*100 < 100*i:
			return Soon
		case d*100 < 150*i:
			return Due
		}
		return Overdue
	}
	for i := 1; i <= 400; i++ {
		for d := 0; d <= 700; d++ {
			if got, want := LevelFor(d, i), table(d, i); got != want {
				t.Fatalf("interval %d, %d days: %s, the table says %s", i, d, got, want)
			}
		}
	}
}

// TestSinceIsWholeDays: a last touch at Since(now, k) or before is k whole
// days old at now, a millisecond later it is not.
func TestSinceIsWholeDays(t *testing.T) {
	now := time.Date(2026, 3, 29, 1, 30, 0, 123456789, time.UTC)
	for _, k := range []int{1, 14, 30, 365} {
		at := Since(now, k)
		if got := Evaluate(now, []Touch{{At: at}}, Rule{IntervalDays: 30}).DaysSince; got != k {
			t.Errorf("touch at Since(now, %d): %d days", k, got)
		}
		if got := Evaluate(now, []Touch{{At: at.Add(time.Millisecond)}}, Rule{IntervalDays: 30}).DaysSince; got != k-1 {
			t.Errorf("a millisecond after Since(now, %d): %d days", k, got)
		}
	}
}
