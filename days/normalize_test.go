package days

import (
	"testing"
	"time"
	_ "time/tzdata"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestNormalize checks the rule of SPEC §3: a day is stored at 12:00Z, and
// a value with a time of day is the day whose UTC midnight is nearest to
// it; a value exactly half-way (12:00:00.000Z) is its own UTC day, so a
// stored day normalises to itself.
func TestNormalize(t *testing.T) {
	cases := []struct{ in, want string }{
		{"1990-11-30T21:00:00Z", "1990-12-01T12:00:00Z"},      // the dashboard at UTC+3
		{"1990-12-01T05:00:00Z", "1990-12-01T12:00:00Z"},      // at UTC−5
		{"1990-12-01T09:00:00Z", "1990-12-01T12:00:00Z"},      // a time of day before noon
		{"1990-11-30T13:00:00Z", "1990-12-01T12:00:00Z"},      // at UTC+11
		{"1990-12-01T11:00:00Z", "1990-12-01T12:00:00Z"},      // at UTC−11
		{"1990-12-01T12:00:00Z", "1990-12-01T12:00:00Z"},      // a stored day stays (the tie goes to the earlier day)
		{"1990-12-01T12:00:00.001Z", "1990-12-02T12:00:00Z"},  // just past noon: the next midnight is nearer
		{"1990-12-01T11:59:59.999Z", "1990-12-01T12:00:00Z"},  //
		{"1990-12-01T00:00:00Z", "1990-12-01T12:00:00Z"},      // UTC midnight (a date-only value)
		{"1990-12-01T23:59:59.999Z", "1990-12-02T12:00:00Z"},  //
		{"2040-12-31T21:00:00Z", "2041-01-01T12:00:00Z"},      // across New Year
		{"2040-02-28T21:00:00Z", "2040-02-29T12:00:00Z"},      // into 29 February
		{"1990-12-01T00:00:00+03:00", "1990-12-01T12:00:00Z"}, // any zone of the input
		{"1990-12-01T00:00:00-11:00", "1990-12-01T12:00:00Z"}, //
		{"1990-12-01T00:00:00+11:00", "1990-12-01T12:00:00Z"}, //
		{"1990-12-01T00:00:00-12:00", "1990-12-01T12:00:00Z"}, // UTC−12 is exactly the tie
		{"1990-12-01T10:00:00+05:30", "1990-12-01T12:00:00Z"}, // a time of day in a half-hour zone (04:30Z)
		{"1990-12-01T23:30:00+05:30", "1990-12-02T12:00:00Z"}, // 18:00Z: the next UTC midnight is nearer
	}
	for _, c := range cases {
		got := Normalize(mustTime(t, c.in))
		if want := mustTime(t, c.want); !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("Normalize(%s) = %s, want %s", c.in, got.Format(time.RFC3339Nano), c.want)
		}
	}
	if got := Normalize(time.Time{}); !got.IsZero() {
		t.Errorf("Normalize(zero) = %s, want zero (an empty field stays empty)", got)
	}
}

// TestNormalizeEveryZone sends local midnight of one day from every whole
// hour zone from UTC−12 to UTC+11 and from a few half-hour ones, as the
// dashboard does, and gets that day back.
func TestNormalizeEveryZone(t *testing.T) {
	for _, day := range []string{"1990-12-01", "2041-01-01", "2040-02-29", "2040-03-01"} {
		d, _ := time.Parse(time.DateOnly, day)
		want := d.Add(12 * time.Hour)
		for minutes := -12 * 60; minutes <= 11*60; minutes += 30 {
			zone := time.FixedZone("", minutes*60)
			local := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, zone)
			if got := Normalize(local.UTC()); !got.Equal(want) {
				t.Errorf("%s at UTC%+.1f (%s) = %s, want %s", day, float64(minutes)/60,
					local.UTC().Format(time.RFC3339), got.Format(time.RFC3339), want.Format(time.RFC3339))
			}
		}
	}
}

// TestThrough checks that a day runs through the whole of that day in the
// zone asked about, and not the day after, and that ThroughFrom is the
// same bound in stored text.
func TestThrough(t *testing.T) {
	day := mustTime(t, "2040-03-10T12:00:00Z")
	for _, tz := range []string{"Pacific/Pago_Pago", "Europe/London", "Europe/Moscow", "Pacific/Kiritimati"} {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			now  time.Time
			want bool
		}{
			{time.Date(2040, 3, 9, 12, 0, 0, 0, loc), true},
			{time.Date(2040, 3, 10, 0, 0, 0, 0, loc), true},
			{time.Date(2040, 3, 10, 23, 59, 59, 0, loc), true},
			{time.Date(2040, 3, 11, 0, 0, 0, 0, loc), false},
		} {
			if got := Through(day, c.now, loc); got != c.want {
				t.Errorf("%s: Through(2040-03-10) at %s = %v, want %v", tz, c.now, got, c.want)
			}
			if got := "2040-03-10 12:00:00.000Z" >= ThroughFrom(c.now, loc); got != c.want {
				t.Errorf("%s: until >= ThroughFrom at %s (%s) = %v, want %v", tz, c.now, ThroughFrom(c.now, loc), got, c.want)
			}
		}
	}
}
