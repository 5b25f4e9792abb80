// Package cadence tells how urgently a client needs a touch: how long since
// the last done touch compared with the client's interval, and whether the
// mix of standard and mandatory touches over the last year is healthy.
//
// Thresholds, in whole days d since the last touch against the interval i
// (integer arithmetic, so there are no rounding surprises):
//
//	ok       d*100 <  75*i
//	soon     75*i  <= d*100 < 100*i
//	due      100*i <= d*100 < 150*i
//	overdue  d*100 >= 150*i, or never touched
//
// For example with i = 21: 0..15 ok, 16..20 soon, 21..31 due, 32+ overdue.
package cadence

import "time"

// Kind names the two touch kinds. Touch.Kind stays a plain string so records
// can be passed in without conversion.
type Kind string

// Touch kinds: a mandatory touch is tied to an order, a standard one brings
// value to the client.
const (
	Mandatory Kind = "mandatory"
	Standard  Kind = "standard"
)

// Touch is one done touch of a client; only done touches count, so callers
// pass nothing else.
type Touch struct {
	At   time.Time
	Kind string // "mandatory" | "standard"; other values reset the timer but are not counted
}

// Rule is the cadence a client is held to.
type Rule struct {
	IntervalDays         int     // expected days between touches; <= 0 is treated as 1
	StandardPerMandatory float64 // standard touches expected per mandatory one; <= 0 means 2
}

// DefaultStandardPerMandatory is used when a Rule leaves the ratio unset, so
// that a zero Rule still asks for value touches, not only order ones.
const DefaultStandardPerMandatory = 2

// Level is how urgent the next touch is, for sorting and colouring lists.
type Level string

// Levels from relaxed to late; see the package doc for the boundaries.
const (
	OK      Level = "ok"
	Soon    Level = "soon"
	Due     Level = "due"
	Overdue Level = "overdue"
)

// year is the look-back for the touch counts.
const year = 365 * 24 * time.Hour

// Status is a client's cadence at one instant, so a page can show it without
// recomputing anything.
type Status struct {
	LastTouch time.Time // zero when never touched
	DaysSince int       // whole days since LastTouch (floor; 0 for a touch in the future), -1 when never touched
	Interval  int       // the interval actually used (at least 1)
	Level     Level
	Mandatory int  // done mandatory touches with At after now-365d
	Standard  int  // done standard touches with At after now-365d
	RatioMet  bool // see RatioMet
}

// Evaluate computes the cadence status at now from the client's done
// touches. Any done touch, of either kind and however old, resets the timer;
// only touches of the last 365 days are counted for the ratio.
func Evaluate(now time.Time, touches []Touch, r Rule) Status {
	s := Status{DaysSince: -1, Interval: max(r.IntervalDays, 1)}
	since := now.Add(-year)
	for _, t := range touches {
		if t.At.After(s.LastTouch) {
			s.LastTouch = t.At
		}
		if !t.At.After(since) {
			continue
		}
		switch Kind(t.Kind) {
		case Mandatory:
			s.Mandatory++
		case Standard:
			s.Standard++
		}
	}
	if !s.LastTouch.IsZero() {
		s.DaysSince = max(int(now.Sub(s.LastTouch)/(24*time.Hour)), 0)
	}
	s.Level = LevelFor(s.DaysSince, s.Interval)
	s.RatioMet = RatioMet(s.Standard, s.Mandatory, r.PerMandatory())
	return s
}

// PerMandatory is the rule's standard touches per mandatory one, with the
// default when it is unset.
func (r Rule) PerMandatory() float64 {
	if r.StandardPerMandatory <= 0 {
		return DefaultStandardPerMandatory
	}
	return r.StandardPerMandatory
}

// RatioMet reports whether a client's standard and mandatory touches of
// the last year meet perMandatory standard touches per mandatory one. With
// no touches there is nothing that meets it (SPEC §6: never "met" with no
// touches); standard touches alone do. Evaluate and the Due route, which
// counts touches in SQL, both decide with it.
func RatioMet(standard, mandatory int, perMandatory float64) bool {
	if standard+mandatory == 0 {
		return false
	}
	return float64(standard) >= perMandatory*float64(mandatory)
}

// LevelFor maps whole days since the last touch to a level against interval
// (see the package doc for the exact boundaries), so lists and the status
// agree. A negative daysSince means never touched and is overdue; an interval
// <= 0 is treated as 1.
func LevelFor(daysSince, interval int) Level {
	if daysSince < 0 {
		return Overdue
	}
	t := ThresholdsFor(interval)
	switch {
	case daysSince < t.Soon:
		return OK
	case daysSince < t.Due:
		return Soon
	case daysSince < t.Overdue:
		return Due
	default:
		return Overdue
	}
}

// Thresholds are the first whole day since the last touch of each level
// after ok: a client is soon from Soon days on, due from Due, overdue from
// Overdue (Soon equals Due when the interval is too short for a soon day).
type Thresholds struct {
	Soon, Due, Overdue int
}

// ThresholdsFor is the package doc's table for an interval (<= 0 is
// treated as 1): the smallest d with d*100 >= 75*i, 100*i and 150*i.
// LevelFor decides with it, and so does the Due route, which compares each
// client's last touch with the moments these days were reached.
func ThresholdsFor(interval int) Thresholds {
	interval = max(interval, 1)
	ceil := func(percent int) int { return (percent*interval + 99) / 100 }
	return Thresholds{Soon: ceil(75), Due: ceil(100), Overdue: ceil(150)}
}

// Since is the moment from which a client whose last touch was at or
// before it has reached days whole days since the touch at now (whole days
// are floored, as Status.DaysSince).
func Since(now time.Time, days int) time.Time {
	return now.Add(-time.Duration(days) * 24 * time.Hour)
}
