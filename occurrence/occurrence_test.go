package occurrence

import (
	"strings"
	"testing"
	"time"
)

// d parses a YYYY-MM-DD date; "" is the zero time.
func d(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// f formats a date for comparison; the zero time is "".
func f(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

var (
	birthday    = Occasion{Repeat: "yearly", Trigger: "birthday"}
	anniversary = Occasion{Repeat: "yearly", Trigger: "anniversary"}
	jan2        = Client{Birthday: d("1990-01-02")}
	feb29       = Client{Birthday: d("2000-02-29")}
	// A yearly window crossing New Year: 20 Dec to 10 Jan.
	newYear = Occasion{Repeat: "yearly", Starts: d("2025-12-20"), Ends: d("2026-01-10")}
	march   = Occasion{Repeat: "yearly", Starts: d("2024-03-01"), Ends: d("2024-03-10")}
)

func TestFor(t *testing.T) {
	tests := []struct {
		name   string
		o      Occasion
		c      Client
		day    string
		period string
		date   string
		from   string
		to     string
		known  bool
	}{
		// Personal: nearest birthday, window 14 days before to 7 after.
		{"birthday year end, before", birthday, jan2, "2026-12-28", "2027", "2027-01-02", "2026-12-19", "2027-01-09", true},
		{"birthday year end, after", birthday, jan2, "2027-01-03", "2027", "2027-01-02", "2026-12-19", "2027-01-09", true},
		{"birthday after grace", birthday, jan2, "2027-01-10", "2027", "2027-01-02", "2026-12-19", "2027-01-09", true},
		{"birthday mid-year 180 vs 185 days", birthday, jan2, "2026-07-01", "2026", "2026-01-02", "2025-12-19", "2026-01-09", true},
		{"birthday mid-year 182 vs 183 days", birthday, jan2, "2026-07-03", "2026", "2026-01-02", "2025-12-19", "2026-01-09", true},
		{"birthday mid-year 183 vs 182 days", birthday, jan2, "2026-07-04", "2027", "2027-01-02", "2026-12-19", "2027-01-09", true},
		{"birthday mid-year 182 vs 184 days", birthday, jan2, "2028-07-02", "2028", "2028-01-02", "2027-12-19", "2028-01-09", true},
		{"birthday mid-year tie goes later", birthday, jan2, "2028-07-03", "2029", "2029-01-02", "2028-12-19", "2029-01-09", true},
		{"birthday trigger overrides repeat none", Occasion{Repeat: "none", Trigger: "birthday"}, jan2, "2026-12-28", "2027", "2027-01-02", "2026-12-19", "2027-01-09", true},
		{"29 Feb in non-leap year", birthday, feb29, "2027-03-01", "2027", "2027-02-28", "2027-02-14", "2027-03-07", true},
		{"29 Feb on 28 Feb", birthday, feb29, "2027-02-28", "2027", "2027-02-28", "2027-02-14", "2027-03-07", true},
		{"29 Feb in leap year", birthday, feb29, "2028-02-20", "2028", "2028-02-29", "2028-02-15", "2028-03-07", true},
		{"birthday clipped by campaign", Occasion{Trigger: "birthday", Starts: d("2026-12-25"), Ends: d("2027-01-05")}, jan2, "2026-12-28", "2027", "2027-01-02", "2026-12-25", "2027-01-05", true},
		{"birthday unknown", birthday, Client{}, "2026-05-05", "2026", "", "", "", false},
		{"birthday unknown keeps campaign", Occasion{Trigger: "birthday", Starts: d("2026-01-01")}, Client{Since: d("2020-01-01")}, "2026-05-05", "2026", "", "2026-01-01", "", false},
		{"anniversary", anniversary, Client{Since: d("2020-06-01")}, "2026-06-05", "2026", "2026-06-01", "2026-05-18", "2026-06-08", true},
		{"anniversary skips year 0", anniversary, Client{Since: d("2026-03-15")}, "2026-03-15", "2027", "2027-03-15", "2027-03-01", "2027-03-22", true},
		{"anniversary first year", anniversary, Client{Since: d("2026-03-15")}, "2027-03-10", "2027", "2027-03-15", "2027-03-01", "2027-03-22", true},
		{"anniversary unknown", anniversary, jan2, "2026-05-05", "2026", "", "", "", false},

		// Yearly: the window containing the day, else the nearest date.
		{"yearly across New Year, January", newYear, Client{}, "2027-01-05", "2026", "2026-12-20", "2026-12-20", "2027-01-10", true},
		{"yearly across New Year, December", newYear, Client{}, "2026-12-25", "2026", "2026-12-20", "2026-12-20", "2027-01-10", true},
		{"yearly across New Year, last day", newYear, Client{}, "2026-01-10", "2025", "2025-12-20", "2025-12-20", "2026-01-10", true},
		{"yearly across New Year, day after", newYear, Client{}, "2026-01-11", "2025", "2025-12-20", "2025-12-20", "2026-01-10", true},
		{"yearly across New Year, mid-year", newYear, Client{}, "2026-06-01", "2025", "2025-12-20", "2025-12-20", "2026-01-10", true},
		{"yearly in window", march, Client{}, "2026-03-05", "2026", "2026-03-01", "2026-03-01", "2026-03-10", true},
		{"yearly after window", march, Client{}, "2026-03-11", "2026", "2026-03-01", "2026-03-01", "2026-03-10", true},
		{"yearly nearer next year", march, Client{}, "2026-09-01", "2027", "2027-03-01", "2027-03-01", "2027-03-10", true},
		{"yearly 182 vs 184 days", march, Client{}, "2027-08-30", "2027", "2027-03-01", "2027-03-01", "2027-03-10", true},
		{"yearly tie goes later", march, Client{}, "2027-08-31", "2028", "2028-03-01", "2028-03-01", "2028-03-10", true},
		{"yearly without dates is the calendar year", Occasion{Repeat: "yearly"}, Client{}, "2026-12-31", "2026", "2026-01-01", "2026-01-01", "2026-12-31", true},
		{"yearly without end, last day", Occasion{Repeat: "yearly", Starts: d("2025-03-08")}, Client{}, "2026-03-07", "2025", "2025-03-08", "2025-03-08", "2026-03-07", true},
		{"yearly without end, new occurrence", Occasion{Repeat: "yearly", Starts: d("2025-03-08")}, Client{}, "2026-03-08", "2026", "2026-03-08", "2026-03-08", "2027-03-07", true},
		{"yearly without start", Occasion{Repeat: "yearly", Ends: d("2020-01-31")}, Client{}, "2026-01-15", "2026", "2026-01-01", "2026-01-01", "2026-01-31", true},

		// One-off: period "", window [Starts, Ends].
		{"one-off", Occasion{Starts: d("2026-05-01"), Ends: d("2026-05-31")}, Client{}, "2026-06-10", "", "2026-05-01", "2026-05-01", "2026-05-31", true},
		{"one-off open start", Occasion{Repeat: "none", Trigger: "none", Ends: d("2026-10-01")}, Client{}, "2026-06-10", "", "", "", "2026-10-01", true},
		{"one-off without dates", Occasion{}, Client{}, "2026-06-10", "", "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := For(tt.o, tt.c, d(tt.day))
			if got.Period != tt.period || f(got.Date) != tt.date || f(got.From) != tt.from || f(got.To) != tt.to || got.Known != tt.known {
				t.Errorf("For(%s) = {%q %s %s..%s known=%v}, want {%q %s %s..%s known=%v}",
					tt.day, got.Period, f(got.Date), f(got.From), f(got.To), got.Known,
					tt.period, tt.date, tt.from, tt.to, tt.known)
			}
		})
	}
}

func TestForIgnoresTimeOfDay(t *testing.T) {
	day := time.Date(2026, 12, 28, 23, 59, 0, 0, time.UTC)
	if got := For(birthday, Client{Birthday: time.Date(1990, 1, 2, 15, 0, 0, 0, time.UTC)}, day); f(got.Date) != "2027-01-02" || !got.Date.Equal(d("2027-01-02")) {
		t.Errorf("Date = %v, want 2027-01-02 00:00 UTC", got.Date)
	}
}

func TestActive(t *testing.T) {
	window := ", outside the window (14 days before to 7 days after)"
	tests := []struct {
		name   string
		o      Occasion
		c      Client
		day    string
		ok     bool
		reason string
	}{
		{"archived one-off", Occasion{Archived: true}, Client{}, "2026-06-01", false, "the occasion is archived"},
		{"archived yearly", Occasion{Repeat: "yearly", Archived: true}, Client{}, "2026-06-01", false, "the occasion is archived"},
		{"archived personal", Occasion{Trigger: "birthday", Archived: true}, jan2, "2027-01-02", false, "the occasion is archived"},
		{"one-off without dates", Occasion{}, Client{}, "2026-06-01", true, ""},
		{"one-off open start, before end", Occasion{Ends: d("2026-10-01")}, Client{}, "2020-01-01", true, ""},
		{"one-off open start, last day", Occasion{Ends: d("2026-10-01")}, Client{}, "2026-10-01", true, ""},
		{"one-off ended", Occasion{Ends: d("2026-10-01")}, Client{}, "2026-10-02", false, "the occasion ended on 2026-10-01"},
		{"one-off not started", Occasion{Starts: d("2027-01-10")}, Client{}, "2027-01-09", false, "the occasion starts on 2027-01-10"},
		{"one-off open end, first day", Occasion{Starts: d("2027-01-10")}, Client{}, "2027-01-10", true, ""},
		{"one-off open end, much later", Occasion{Starts: d("2027-01-10")}, Client{}, "2030-01-01", true, ""},
		{"yearly in window across New Year", newYear, Client{}, "2027-01-05", true, ""},
		{"yearly after window", newYear, Client{}, "2026-06-01", false, "the occasion ended on 2026-01-10"},
		{"yearly before window", newYear, Client{}, "2026-12-01", false, "the occasion starts on 2026-12-20"},
		{"birthday first day", birthday, jan2, "2026-12-19", true, ""},
		{"birthday too early", birthday, jan2, "2026-12-18", false, "the birthday is on 2027-01-02" + window},
		{"birthday last day", birthday, jan2, "2027-01-09", true, ""},
		{"birthday too late", birthday, jan2, "2027-01-10", false, "the birthday is on 2027-01-02" + window},
		{"birthday unknown", birthday, Client{}, "2027-01-02", false, "the client's birthday is not set"},
		{"anniversary unknown", anniversary, jan2, "2027-01-02", false, "the client's since date is not set"},
		{"anniversary year 0 skipped", anniversary, Client{Since: d("2026-12-30")}, "2026-12-28", false, "the anniversary is on 2027-12-30" + window},
		{"anniversary in window", anniversary, Client{Since: d("2020-12-30")}, "2026-12-28", true, ""},
		{"personal campaign ended", Occasion{Trigger: "birthday", Ends: d("2026-10-01")}, jan2, "2026-12-28", false, "the occasion ended on 2026-10-01"},
		{"personal campaign not started", Occasion{Trigger: "birthday", Starts: d("2027-01-01")}, jan2, "2026-12-28", false, "the occasion starts on 2027-01-01"},
		{"personal campaign ended beats unknown date", Occasion{Trigger: "birthday", Ends: d("2026-10-01")}, Client{}, "2026-12-28", false, "the occasion ended on 2026-10-01"},
		{"personal inside campaign", Occasion{Trigger: "birthday", Starts: d("2026-12-25"), Ends: d("2027-01-05")}, jan2, "2027-01-05", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, reason := Active(tt.o, tt.c, d(tt.day))
			if ok != tt.ok || reason != tt.reason {
				t.Errorf("Active(%s) = %v, %q; want %v, %q", tt.day, ok, reason, tt.ok, tt.reason)
			}
		})
	}
}

func TestYears(t *testing.T) {
	tests := []struct {
		since, date string
		want        int
	}{
		{"2020-06-01", "2026-05-31", 5},
		{"2020-06-01", "2026-06-01", 6},
		{"2020-06-01", "2020-06-01", 0},
		{"2020-06-01", "2021-05-31", 0},
		{"2000-02-29", "2027-02-27", 26},
		{"2000-02-29", "2027-02-28", 27},
		{"2000-02-29", "2028-02-28", 27},
		{"2000-02-29", "2028-02-29", 28},
		{"", "2026-06-01", 0},
		{"2027-01-01", "2026-06-01", 0},
	}
	for _, tt := range tests {
		if got := Years(d(tt.since), d(tt.date)); got != tt.want {
			t.Errorf("Years(%q, %q) = %d, want %d", tt.since, tt.date, got, tt.want)
		}
	}
}

func TestToday(t *testing.T) {
	defer func(l *time.Location) { time.Local = l }(time.Local)
	time.Local = time.FixedZone("UTC+3", 3*3600)

	lateUTC := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)
	tests := []struct {
		now  time.Time
		tz   string
		want string
	}{
		{lateUTC, "Europe/Moscow", "2027-01-01"},
		{lateUTC, "America/New_York", "2026-12-31"},
		{lateUTC, "UTC", "2026-12-31"},
		{lateUTC, "Asia/Kamchatka", "2027-01-01"},
		{time.Date(2026, 12, 31, 11, 59, 0, 0, time.UTC), "Asia/Kamchatka", "2026-12-31"},
		{time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC), "Asia/Kamchatka", "2027-01-01"},
		{time.Date(2027, 1, 1, 4, 59, 0, 0, time.UTC), "America/New_York", "2026-12-31"},
		{time.Date(2027, 1, 1, 5, 0, 0, 0, time.UTC), "America/New_York", "2027-01-01"},
		{lateUTC, "", "2027-01-01"},                                                // time.Local (UTC+3)
		{lateUTC, "Not/AZone", "2027-01-01"},                                       // time.Local (UTC+3)
		{lateUTC.In(time.FixedZone("X", -12*3600)), "Europe/Moscow", "2027-01-01"}, // now's own zone is irrelevant
	}
	for _, tt := range tests {
		got := Today(tt.now, tt.tz)
		if !got.Equal(d(tt.want)) || got.Location() != time.UTC {
			t.Errorf("Today(%v, %q) = %v, want %s 00:00 UTC", tt.now, tt.tz, got, tt.want)
		}
	}
}

func TestIn(t *testing.T) {
	tests := []struct {
		name     string
		o        Occasion
		from, to string
		want     string // "period:date:from:to" joined by spaces
	}{
		{"yearly across New Year over years", newYear, "2025-06-01", "2028-01-15",
			"2025:2025-12-20:2025-12-20:2026-01-10 2026:2026-12-20:2026-12-20:2027-01-10 2027:2027-12-20:2027-12-20:2028-01-10"},
		{"yearly bounds inclusive", Occasion{Repeat: "yearly", Starts: d("2024-03-08")}, "2026-03-08", "2027-03-08",
			"2026:2026-03-08:2026-03-08:2027-03-07 2027:2027-03-08:2027-03-08:2028-03-07"},
		{"yearly range misses", march, "2026-03-02", "2027-02-28", ""},
		{"yearly without dates", Occasion{Repeat: "yearly"}, "2025-12-31", "2027-12-31",
			"2026:2026-01-01:2026-01-01:2026-12-31 2027:2027-01-01:2027-01-01:2027-12-31"},
		{"yearly 29 Feb", Occasion{Repeat: "yearly", Starts: d("2024-02-29"), Ends: d("2024-03-01")}, "2027-01-01", "2028-12-31",
			"2027:2027-02-28:2027-02-28:2027-03-01 2028:2028-02-29:2028-02-29:2028-03-01"},
		{"one-off in range", Occasion{Starts: d("2026-05-01"), Ends: d("2026-05-31")}, "2026-01-01", "2026-05-01", ":2026-05-01:2026-05-01:2026-05-31"},
		{"one-off out of range", Occasion{Starts: d("2026-05-01")}, "2026-05-02", "2026-12-31", ""},
		{"one-off without start", Occasion{Ends: d("2026-05-01")}, "2026-01-01", "2026-12-31", ""},
		{"personal is per client", birthday, "2026-01-01", "2027-12-31", ""},
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

func TestClientDates(t *testing.T) {
	tests := []struct {
		name     string
		o        Occasion
		c        Client
		from, to string
		want     string
	}{
		{"29 Feb over leap and non-leap years", birthday, feb29, "2027-01-01", "2029-12-31", "2027-02-28 2028-02-29 2029-02-28"},
		{"across New Year", birthday, jan2, "2026-12-01", "2027-01-31", "2027-01-02"},
		{"bounds inclusive", birthday, jan2, "2027-01-02", "2027-01-02", "2027-01-02"},
		{"range misses", birthday, jan2, "2027-01-03", "2027-12-31", ""},
		{"birth year included", birthday, Client{Birthday: d("2026-05-05")}, "2025-01-01", "2027-12-31", "2026-05-05 2027-05-05"},
		{"anniversary skips year 0", anniversary, Client{Since: d("2026-03-15")}, "2025-01-01", "2028-12-31", "2027-03-15 2028-03-15"},
		{"anniversary over years", Occasion{Trigger: "anniversary"}, Client{Since: d("2020-12-30")}, "2025-12-30", "2027-12-29", "2025-12-30 2026-12-30"},
		{"unknown date", birthday, Client{Since: d("2020-01-01")}, "2025-01-01", "2028-12-31", ""},
		{"not personal", newYear, jan2, "2025-01-01", "2028-12-31", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var parts []string
			for _, x := range ClientDates(tt.o, tt.c, d(tt.from), d(tt.to)) {
				parts = append(parts, f(x))
			}
			if got := strings.Join(parts, " "); got != tt.want {
				t.Errorf("ClientDates = %q, want %q", got, tt.want)
			}
		})
	}
}
