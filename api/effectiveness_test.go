package api

import (
	"math"
	"testing"
)

// TestWilson checks the 95 % Wilson score interval against values worked
// out by hand (and matching the usual online calculators): p̂ = k/n,
// centre (p̂ + z²/2n) / (1 + z²/n), half-width
// z·√(p̂(1−p̂)/n + z²/4n²) / (1 + z²/n), z = 1.959964.
func TestWilson(t *testing.T) {
	for _, c := range []struct {
		k, n         int
		lower, upper float64
	}{
		{12, 40, 0.180748, 0.454300},
		{12, 30, 0.245906, 0.576796},
		{12, 20, 0.386582, 0.781193},
		{30, 30, 0.886487, 1},
		{0, 10, 0, 0.277533},
		{0, 0, 0, 1}, // nothing is known
	} {
		lower, upper := wilson(c.k, c.n)
		if math.Abs(lower-c.lower) > 5e-6 || math.Abs(upper-c.upper) > 5e-6 {
			t.Errorf("wilson(%d, %d) = [%.6f, %.6f], want [%.6f, %.6f]", c.k, c.n, lower, upper, c.lower, c.upper)
		}
	}
}

// TestOutcomeFigures: the rate, the counts by outcome and "enough" (at
// least 30 done touches).
func TestOutcomeFigures(t *testing.T) {
	tally := outcomeTally{}
	tally.add("replied", 12)
	tally.add("no_reply", 10)
	tally.add("", 8)
	f := tally.figures()
	if f.Done != 30 || f.Replied != 12 || math.Abs(f.Rate-0.4) > 1e-9 || !f.Enough {
		t.Errorf("figures = %+v, want 30 done, 12 replied, rate 0.4, enough", f)
	}
	if f.Outcomes["none"] != 8 || f.Outcomes["no_reply"] != 10 || f.Outcomes["declined"] != 0 {
		t.Errorf("outcomes = %v", f.Outcomes)
	}
	tally.add("", -1)
	if f := tally.figures(); f.Enough {
		t.Errorf("29 done touches are not enough: %+v", f)
	}
	if f := (outcomeTally{}).figures(); f.Done != 0 || f.Rate != 0 || f.Lower != 0 || f.Upper != 1 || f.Enough {
		t.Errorf("no touches: %+v", f)
	}
}
