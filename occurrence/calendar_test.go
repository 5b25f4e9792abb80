package occurrence

import (
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	monthly = Occasion{Repeat: "monthly"}
	weekly  = Occasion{Repeat: "weekly"}
	daily   = Occasion{Repeat: "daily"}
	// A campaign from Wednesday 10 March to Tuesday 20 April 2027.
	spring = Occasion{Starts: d("2027-03-10"), Ends: d("2027-04-20")}
)

func repeating(repeat string, window Occasion) Occasion {
	window.Repeat = repeat
	return window
}

// TestForCalendar: monthly, weekly and daily occurrences are the calendar
// month, ISO week and day of the local date, clipped to the occasion's
// window; Date is the first active day.
func TestForCalendar(t *testing.T) {
	tests := []struct {
		name     string
		o        Occasion
		day      string
		period   string
		date     string
		from, to string
	}{
		{"monthly mid-month", monthly, "2027-03-15", "2027-03", "2027-03-01", "2027-03-01", "2027-03-31"},
		{"monthly first day", monthly, "2027-03-01", "2027-03", "2027-03-01", "2027-03-01", "2027-03-31"},
		{"monthly last day of year", monthly, "2026-12-31", "2026-12", "2026-12-01", "2026-12-01", "2026-12-31"},
		{"monthly new year", monthly, "2027-01-01", "2027-01", "2027-01-01", "2027-01-01", "2027-01-31"},
		{"monthly February leap", monthly, "2028-02-29", "2028-02", "2028-02-01", "2028-02-01", "2028-02-29"},
		{"monthly February", monthly, "2027-02-10", "2027-02", "2027-02-01", "2027-02-01", "2027-02-28"},
		{"monthly clipped to start", repeating("monthly", spring), "2027-03-15", "2027-03", "2027-03-10", "2027-03-10", "2027-03-31"},
		{"monthly clipped to end", repeating("monthly", spring), "2027-04-02", "2027-04", "2027-04-01", "2027-04-01", "2027-04-20"},
		{"monthly before window", repeating("monthly", spring), "2027-03-09", "2027-03", "2027-03-10", "2027-03-10", "2027-03-31"},
		{"monthly after window", repeating("monthly", spring), "2027-05-02", "2027-05", "2027-05-01", "2027-05-01", "2027-04-20"},

		// ISO 8601 weeks (Monday to Sunday; the year is the ISO year)
		{"weekly Monday 28 Dec is W53", weekly, "2026-12-28", "2026-W53", "2026-12-28", "2026-12-28", "2027-01-03"},
		{"weekly 31 Dec is W53", weekly, "2026-12-31", "2026-W53", "2026-12-28", "2026-12-28", "2027-01-03"},
		{"weekly 1 Jan 2027 is 2026-W53", weekly, "2027-01-01", "2026-W53", "2026-12-28", "2026-12-28", "2027-01-03"},
		{"weekly Sunday 3 Jan is 2026-W53", weekly, "2027-01-03", "2026-W53", "2026-12-28", "2026-12-28", "2027-01-03"},
		{"weekly 4 Jan 2027 is W01", weekly, "2027-01-04", "2027-W01", "2027-01-04", "2027-01-04", "2027-01-10"},
		{"weekly single-digit week padded", weekly, "2027-03-04", "2027-W09", "2027-03-01", "2027-03-01", "2027-03-07"},
		{"weekly 31 Dec 2024 is 2025-W01", weekly, "2024-12-31", "2025-W01", "2024-12-30", "2024-12-30", "2025-01-05"},
		{"weekly 1 Jan 2023 is 2022-W52", weekly, "2023-01-01", "2022-W52", "2022-12-26", "2022-12-26", "2023-01-01"},
		{"weekly clipped to a Wednesday start", repeating("weekly", spring), "2027-03-12", "2027-W10", "2027-03-10", "2027-03-10", "2027-03-14"},
		{"weekly clipped to a Tuesday end", repeating("weekly", spring), "2027-04-19", "2027-W16", "2027-04-19", "2027-04-19", "2027-04-20"},

		{"daily", daily, "2027-03-04", "2027-03-04", "2027-03-04", "2027-03-04", "2027-03-04"},
		{"daily new year's eve", daily, "2026-12-31", "2026-12-31", "2026-12-31", "2026-12-31", "2026-12-31"},
		{"daily inside window", repeating("daily", spring), "2027-04-20", "2027-04-20", "2027-04-20", "2027-04-20", "2027-04-20"},
		{"daily before window", repeating("daily", spring), "2027-03-09", "2027-03-09", "2027-03-10", "2027-03-10", "2027-03-09"},

		{"a trigger beats repeat", Occasion{Repeat: "monthly", Trigger: "birthday"}, "2026-12-28", "2027", "2027-01-02", "2026-12-19", "2027-01-09"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := For(tt.o, jan2, d(tt.day))
			if got.Period != tt.period || f(got.Date) != tt.date || f(got.From) != tt.from || f(got.To) != tt.to || !got.Known {
				t.Errorf("For(%s) = {%q %s %s..%s known=%v}, want {%q %s %s..%s known=true}",
					tt.day, got.Period, f(got.Date), f(got.From), f(got.To), got.Known,
					tt.period, tt.date, tt.from, tt.to)
			}
		})
	}
}

// TestCalendarPeriodsAcrossZones: the same instant is a different local
// day in Auckland and Los Angeles, and so a different month, ISO week or
// day; the period follows the point's local date (Today).
func TestCalendarPeriodsAcrossZones(t *testing.T) {
	tests := []struct {
		instant string // RFC 3339
		tz      string
		month   string
		week    string
		day     string
	}{
		// New Year's Eve 20:00 UTC: 1 Jan 09:00 in Auckland, 31 Dec 12:00 in LA
		{"2026-12-31T20:00:00Z", "Pacific/Auckland", "2027-01", "2026-W53", "2027-01-01"},
		{"2026-12-31T20:00:00Z", "America/Los_Angeles", "2026-12", "2026-W53", "2026-12-31"},
		{"2026-12-31T20:00:00Z", "Europe/Moscow", "2026-12", "2026-W53", "2026-12-31"},
		// Sunday 3 Jan 2027 20:00 UTC: Monday 4 Jan in Auckland starts 2027-W01
		{"2027-01-03T20:00:00Z", "Pacific/Auckland", "2027-01", "2027-W01", "2027-01-04"},
		{"2027-01-03T20:00:00Z", "America/Los_Angeles", "2027-01", "2026-W53", "2027-01-03"},
		{"2027-01-03T20:00:00Z", "UTC", "2027-01", "2026-W53", "2027-01-03"},
		// 1 Mar 2027 06:00 UTC: still 28 Feb (Sunday) in Los Angeles
		{"2027-03-01T06:00:00Z", "America/Los_Angeles", "2027-02", "2027-W08", "2027-02-28"},
		{"2027-03-01T06:00:00Z", "Asia/Kamchatka", "2027-03", "2027-W09", "2027-03-01"},
		// the last week of 2025 is W01 of 2026 from Monday 29 Dec
		{"2025-12-29T02:00:00Z", "Pacific/Auckland", "2025-12", "2026-W01", "2025-12-29"},
		{"2025-12-29T02:00:00Z", "America/Los_Angeles", "2025-12", "2025-W52", "2025-12-28"},
	}
	for _, tt := range tests {
		now, err := time.Parse(time.RFC3339, tt.instant)
		if err != nil {
			t.Fatal(err)
		}
		today := Today(now, tt.tz)
		for _, c := range []struct{ o, want string }{{"monthly", tt.month}, {"weekly", tt.week}, {"daily", tt.day}} {
			if got := For(Occasion{Repeat: c.o}, Client{}, today).Period; got != c.want {
				t.Errorf("%s at %s in %s: period %q, want %q", c.o, tt.instant, tt.tz, got, c.want)
			}
		}
	}
}

// TestCalendarPeriodKeys: over several years every day gets exactly one
// period per repeat, consecutive days share it only within one month /
// week, and the keys sort in time order (so "period >= X" is a range).
func TestCalendarPeriodKeys(t *testing.T) {
	for _, repeat := range []string{"monthly", "weekly", "daily"} {
		o := Occasion{Repeat: repeat}
		var keys []string
		prev := For(o, Client{}, d("2019-12-25"))
		for day := d("2019-12-26"); day.Before(d("2033-01-10")); day = day.AddDate(0, 0, 1) {
			oc := For(o, Client{}, day)
			if day.Before(oc.From) || day.After(oc.To) || !oc.Date.Equal(oc.From) {
				t.Fatalf("%s %s: outside its own occurrence %s..%s (date %s)", repeat, f(day), f(oc.From), f(oc.To), f(oc.Date))
			}
			if ok, reason := Active(o, Client{}, day); !ok {
				t.Fatalf("%s %s: not active without a window: %s", repeat, f(day), reason)
			}
			if oc.Period != prev.Period {
				if oc.Period <= prev.Period {
					t.Fatalf("%s %s: period %q does not sort after %q", repeat, f(day), oc.Period, prev.Period)
				}
				if !oc.From.Equal(day) || !prev.To.Equal(day.AddDate(0, 0, -1)) {
					t.Fatalf("%s %s: new period %q does not start the day after %q ends", repeat, f(day), oc.Period, prev.Period)
				}
				keys = append(keys, oc.Period)
			}
			if len(oc.Period) > 10 {
				t.Fatalf("%s: period %q is longer than touches.period allows", repeat, oc.Period)
			}
			prev = oc
		}
		if !slices.IsSorted(keys) || len(slices.Compact(slices.Clone(keys))) != len(keys) {
			t.Errorf("%s: keys not sorted and unique", repeat)
		}
		if repeat == "weekly" {
			// 2020 and 2026 have 53 ISO weeks
			for _, k := range []string{"2020-W53", "2026-W53", "2027-W01", "2027-W52"} {
				if !slices.Contains(keys, k) {
					t.Errorf("weekly: no %s", k)
				}
			}
			if slices.Contains(keys, "2027-W53") || slices.Contains(keys, "2025-W53") {
				t.Errorf("weekly: a 53rd week in a 52-week year")
			}
		}
	}
}

func TestActiveCalendar(t *testing.T) {
	tests := []struct {
		name   string
		o      Occasion
		day    string
		ok     bool
		reason string
	}{
		{"monthly without window", monthly, "2031-07-19", true, ""},
		{"monthly first day of window", repeating("monthly", spring), "2027-03-10", true, ""},
		{"monthly before window, same month", repeating("monthly", spring), "2027-03-09", false, "the occasion starts on 2027-03-10"},
		{"monthly before window, earlier month", repeating("monthly", spring), "2027-02-27", false, "the occasion starts on 2027-03-10"},
		{"monthly last day of window", repeating("monthly", spring), "2027-04-20", true, ""},
		{"monthly after window, same month", repeating("monthly", spring), "2027-04-21", false, "the occasion ended on 2027-04-20"},
		{"monthly after window, later month", repeating("monthly", spring), "2027-06-01", false, "the occasion ended on 2027-04-20"},
		{"weekly in window", repeating("weekly", spring), "2027-03-14", true, ""},
		{"weekly before window in its first week", repeating("weekly", spring), "2027-03-08", false, "the occasion starts on 2027-03-10"},
		{"weekly after window in its last week", repeating("weekly", spring), "2027-04-21", false, "the occasion ended on 2027-04-20"},
		{"daily in window", repeating("daily", spring), "2027-03-10", true, ""},
		{"daily before window", repeating("daily", spring), "2027-03-09", false, "the occasion starts on 2027-03-10"},
		{"daily after window", repeating("daily", spring), "2027-04-21", false, "the occasion ended on 2027-04-20"},
		{"daily open start", Occasion{Repeat: "daily", Ends: d("2027-04-20")}, "2020-01-01", true, ""},
		{"daily archived", Occasion{Repeat: "daily", Archived: true}, "2027-03-10", false, "the occasion is archived"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, reason := Active(tt.o, Client{}, d(tt.day))
			if ok != tt.ok || reason != tt.reason {
				t.Errorf("Active(%s) = %v, %q; want %v, %q", tt.day, ok, reason, tt.ok, tt.reason)
			}
		})
	}
}

// TestInCalendar: In lists each monthly / weekly occurrence whose active
// window meets the range (so the one in progress on from is listed, dated
// on from), and a daily occasion once.
func TestInCalendar(t *testing.T) {
	tests := []struct {
		name     string
		o        Occasion
		from, to string
		want     string // "period:date:from:to" joined by spaces
	}{
		{"monthly, the month in progress first", monthly, "2026-11-28", "2027-02-01",
			"2026-11:2026-11-28:2026-11-01:2026-11-30 2026-12:2026-12-01:2026-12-01:2026-12-31 2027-01:2027-01-01:2027-01-01:2027-01-31 2027-02:2027-02-01:2027-02-01:2027-02-28"},
		{"monthly inside a window", repeating("monthly", spring), "2027-01-01", "2027-12-31",
			"2027-03:2027-03-10:2027-03-10:2027-03-31 2027-04:2027-04-01:2027-04-01:2027-04-20"},
		{"monthly window ends before the range", repeating("monthly", spring), "2027-04-21", "2027-12-31", ""},
		{"monthly window starts after the range", repeating("monthly", spring), "2027-03-01", "2027-03-09", ""},
		{"monthly one day", monthly, "2027-03-31", "2027-03-31", "2027-03:2027-03-31:2027-03-01:2027-03-31"},
		{"weekly across New Year", weekly, "2026-12-20", "2027-01-12",
			"2026-W51:2026-12-20:2026-12-14:2026-12-20 2026-W52:2026-12-21:2026-12-21:2026-12-27 2026-W53:2026-12-28:2026-12-28:2027-01-03 2027-W01:2027-01-04:2027-01-04:2027-01-10 2027-W02:2027-01-11:2027-01-11:2027-01-17"},
		{"weekly inside a window", repeating("weekly", Occasion{Starts: d("2027-03-10"), Ends: d("2027-03-23")}), "2027-01-01", "2027-12-31",
			"2027-W10:2027-03-10:2027-03-10:2027-03-14 2027-W11:2027-03-15:2027-03-15:2027-03-21 2027-W12:2027-03-22:2027-03-22:2027-03-23"},
		// daily: one entry, dated on the first active day in the range,
		// with the period of that day and the days it repeats on
		{"daily without window", daily, "2026-11-28", "2027-05-30", "2026-11-28:2026-11-28::"},
		{"daily window starts in the range", repeating("daily", spring), "2027-01-01", "2027-12-31", "2027-03-10:2027-03-10:2027-03-10:2027-04-20"},
		{"daily window started earlier", repeating("daily", spring), "2027-04-01", "2027-12-31", "2027-04-01:2027-04-01:2027-03-10:2027-04-20"},
		{"daily window ended", repeating("daily", spring), "2027-04-21", "2027-12-31", ""},
		{"daily window not yet", repeating("daily", spring), "2027-01-01", "2027-03-09", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var parts []string
			for _, oc := range In(tt.o, d(tt.from), d(tt.to)) {
				if !oc.Known {
					t.Errorf("occurrence %q not Known", oc.Period)
				}
				parts = append(parts, strings.Join([]string{oc.Period, f(oc.Date), f(oc.From), f(oc.To)}, ":"))
			}
			if got := strings.Join(parts, " "); got != tt.want {
				t.Errorf("In = %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestInMatchesFor: every monthly / weekly occurrence In lists is the one
// For gives for each of its days (period and window; the date too unless
// the occurrence began before the range), so the plan and the worklist
// agree.
func TestInMatchesFor(t *testing.T) {
	from, to := d("2026-12-02"), d("2027-06-30")
	for _, o := range []Occasion{monthly, weekly, repeating("monthly", spring), repeating("weekly", spring)} {
		for _, oc := range In(o, from, to) {
			if oc.Date.Before(from) || oc.Date.After(to) {
				t.Errorf("%s: %s dated %s, outside the range", o.Repeat, oc.Period, f(oc.Date))
			}
			for day := oc.From; !day.After(oc.To); day = day.AddDate(0, 0, 1) {
				got := For(o, Client{}, day)
				if got.Date.Before(from) {
					got.Date = from
				}
				if got != oc {
					t.Fatalf("%s: For(%s) = %+v, In listed %+v", o.Repeat, f(day), got, oc)
				}
			}
		}
	}
}

func TestRepeats(t *testing.T) {
	for _, tt := range []struct {
		o    Occasion
		want bool
	}{
		{Occasion{}, false}, {Occasion{Repeat: "none"}, false},
		{Occasion{Repeat: "yearly"}, true}, {monthly, true}, {weekly, true}, {daily, true},
	} {
		if got := tt.o.Repeats(); got != tt.want {
			t.Errorf("%q.Repeats() = %v, want %v", tt.o.Repeat, got, tt.want)
		}
	}
}
