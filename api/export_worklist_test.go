package api

import (
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
