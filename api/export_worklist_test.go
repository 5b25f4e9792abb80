package api

import (
	"fmt"
	"slices"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// WorklistCountsBothWays returns the worklist's state counts of occasion
// for the cell filter (points nil = all) at now, from mark_counts
// (countByStateKept) and counted over every client (countByStateCounted),
// with the current period; kept is nil when the audience has no single
// period.
func WorklistCountsBothWays(app core.App, occasion string, points, segments, stages []string, now time.Time) (kept, counted map[string]int, period string, err error) {
	o, err := app.FindRecordById("occasions", occasion)
	if err != nil {
		return nil, nil, "", err
	}
	a, err := newAudience(app, o, &clientFilter{Scope: &Scope{Points: points}, Segments: segments, Stages: stages}, now)
	if err != nil {
		return nil, nil, "", err
	}
	if counted, err = a.countByStateCounted(); err != nil {
		return nil, nil, "", err
	}
	period, ok := a.singlePeriod()
	if !ok {
		return nil, counted, "", nil
	}
	kept, err = a.countByStateKept(period)
	return kept, counted, period, err
}

// CoverageBothWays returns the stats' groups of occasion for the cell
// filter at now from the marks (coverageFromMarks) and counted over every
// client (coverageCounted), each as sorted "point manager state template
// outcome n" lines.
func CoverageBothWays(app core.App, occasion string, points, segments, stages []string, now time.Time) (fromMarks, counted []string, err error) {
	o, err := app.FindRecordById("occasions", occasion)
	if err != nil {
		return nil, nil, err
	}
	a, err := newAudience(app, o, &clientFilter{Scope: &Scope{Points: points}, Segments: segments, Stages: stages}, now)
	if err != nil {
		return nil, nil, err
	}
	period, ok := a.singlePeriod()
	if !ok {
		return nil, nil, fmt.Errorf("%s has no single period", occasion)
	}
	lines := func(groups []coverageGroup) []string {
		out := make([]string, 0, len(groups))
		for _, g := range groups {
			if g.N > 0 {
				out = append(out, fmt.Sprintf("%s %s %s %s %s %d", g.Point, g.Manager, g.State, g.Template, g.Outcome, g.N))
			}
		}
		slices.Sort(out)
		return out
	}
	x, err := a.coverageFromMarks(period)
	if err != nil {
		return nil, nil, err
	}
	y, err := a.coverageCounted()
	if err != nil {
		return nil, nil, err
	}
	return lines(x), lines(y), nil
}
