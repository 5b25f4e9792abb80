package api

import (
	"fmt"
	"slices"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// MarkGroupsBothWays returns planMarkGroups' groups for the cell filter
// (points nil = all; segments, stages empty = any, lost left out unless
// stages names it) read from mark_counts and counted from the touches,
// each as sorted "occasion period status point segment n" lines.
func MarkGroupsBothWays(app core.App, points, segments, stages, occasions, periods []string) (kept, counted []string, err error) {
	filter := &clientFilter{Scope: &Scope{Points: points}, Segments: segments, Stages: stages}
	if !filter.OnlyCells() {
		return nil, nil, fmt.Errorf("not a cell filter")
	}
	ids, ps := make([]any, len(occasions)), make([]any, len(periods))
	for i, o := range occasions {
		ids[i] = o
	}
	for i, p := range periods {
		ps[i] = p
	}
	lines := func(groups []planTouchGroup) []string {
		out := make([]string, len(groups))
		for i, g := range groups {
			out[i] = fmt.Sprintf("%s %s %s %s %s %d", g.Occasion, g.Period, g.Status, g.Point, g.Segment, g.N)
		}
		slices.Sort(out)
		return out
	}
	a, err := planMarkGroups(app, filter, ids, ps)
	if err != nil {
		return nil, nil, err
	}
	b, err := planMarksCounted(app, filter, ids, ps)
	if err != nil {
		return nil, nil, err
	}
	return lines(a), lines(b), nil
}

// PlanDayWindowKeeps reports whether planDayWindow keeps a row whose date
// column holds date (as the database stores dates) for [from, to].
func PlanDayWindowKeeps(app core.App, date string, from, to time.Time) (bool, error) {
	params := dbx.Params{"pd_date": date}
	var keeps bool
	err := app.DB().NewQuery("SELECT " + sqlOf(app.DB(), planDayWindow("{:pd_date}", from, to), params)).Bind(params).Row(&keeps)
	return keeps, err
}
