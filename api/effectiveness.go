package api

import (
	"math"
	"net/http"
	"slices"
	"sort"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/access"
	"touchbase/domain"
)

// Outcome figures (SPEC §6): how many done touches a group has, how many
// of them got a reply, the reply rate and its 95 % Wilson score interval,
// and whether there are enough touches to read anything into it. The
// stats and effectiveness routes both build them from outcomeTally.

// enoughTouches is the number of done touches below which a reply rate is
// shown as "not enough data".
const enoughTouches = 30

// wilsonZ is the standard normal quantile of a two-sided 95 % interval.
const wilsonZ = 1.959963984540054

// wilson returns the 95 % Wilson score interval of a proportion of
// successes out of n trials: [0, 1] when n is 0 (nothing is known).
func wilson(successes, n int) (lower, upper float64) {
	if n <= 0 {
		return 0, 1
	}
	k, total := float64(successes), float64(n)
	p := k / total
	z2 := wilsonZ * wilsonZ
	denominator := 1 + z2/total
	center := (p + z2/(2*total)) / denominator
	half := wilsonZ / denominator * math.Sqrt(p*(1-p)/total+z2/(4*total*total))
	return math.Max(0, center-half), math.Min(1, center+half)
}

// outcomeFigures is the outcome JSON of one group of done touches.
type outcomeFigures struct {
	Done    int     `json:"done"`    // done touches
	Replied int     `json:"replied"` // of them with outcome replied
	Rate    float64 `json:"rate"`    // replied / done; 0 with no touches
	Lower   float64 `json:"lower"`   // the 95 % Wilson interval of the rate
	Upper   float64 `json:"upper"`
	Enough  bool    `json:"enough"` // at least enoughTouches done touches back it
	// Outcomes counts the done touches by outcome; "none" is those
	// without one yet
	Outcomes map[string]int `json:"outcomes"`
}

// outcomeTally counts done touches by outcome ("" = none yet).
type outcomeTally map[string]int

func (t outcomeTally) add(outcome string, n int) { t[outcome] += n }

// figures turns the tally into outcomeFigures.
func (t outcomeTally) figures() outcomeFigures {
	f := outcomeFigures{Outcomes: map[string]int{"none": t[""]}}
	for _, o := range domain.Outcomes {
		f.Outcomes[o] = t[o]
	}
	for _, n := range t {
		f.Done += n
	}
	f.Replied = t[domain.OutcomeReplied]
	if f.Done > 0 {
		f.Rate = float64(f.Replied) / float64(f.Done)
	}
	f.Lower, f.Upper = wilson(f.Replied, f.Done)
	f.Enough = f.Done >= enoughTouches
	return f
}

// tallies is an outcomeTally per key (a point, a manager, a template…).
type tallies map[string]outcomeTally

func (ts tallies) add(key, outcome string, n int) {
	t := ts[key]
	if t == nil {
		t = outcomeTally{}
		ts[key] = t
	}
	t.add(outcome, n)
}

// figures is the key's outcomeFigures (no touches when it has none).
func (ts tallies) figures(key string) outcomeFigures {
	if t := ts[key]; t != nil {
		return t.figures()
	}
	return outcomeTally{}.figures()
}

// Range of the effectiveness route, in days.
const (
	effectivenessDefaultDays = 90
	effectivenessMaxDays     = 3 * 366
)

// effectiveness serves GET /api/touchbase/effectiveness?from=&to= (SPEC
// §6): the outcome figures (outcomeFigures) of the done touches made in
// the range (touches.created from the start of from to the end of to, in
// the zone of the caller's point, or the server's for a caller who sees
// several points), per occasion with its template variants, per category,
// and in total. It takes the clients filters of the worklist (point=,
// segment=, …; lost clients count, their history matters) and the
// caller's scope: a point manager gets their point's touches of the
// occasions they can see.
//
// from and to are YYYY-MM-DD; the default range is the 90 days up to
// today, at most effectivenessMaxDays.
func effectiveness(e *core.RequestEvent) error {
	filter, err := parseClientFilter(e)
	if err != nil {
		return err
	}
	loc := exportLocation(e.App, filter.Scope)
	from, to, err := effectivenessRange(e, loc)
	if err != nil {
		return err
	}

	params := dbx.Params{
		"e_from": domain.DBTime(time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)),
		"e_to":   domain.DBTime(time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, loc)),
	}
	db := e.App.DB()
	sql := `SELECT t.occasion AS occasion, COALESCE(t.template, '') AS template, COALESCE(t.outcome, '') AS outcome, COUNT(*) AS n
		FROM touches t JOIN clients c ON c.id = t.client
		WHERE t.status = 'done' AND t.created >= {:e_from} AND t.created < {:e_to} AND ` + sqlOf(db, filter.ExprAll("c"), params) + `
		GROUP BY 1, 2, 3`
	var groups []struct {
		Occasion string `db:"occasion"`
		Template string `db:"template"`
		Outcome  string `db:"outcome"`
		N        int    `db:"n"`
	}
	if err := db.NewQuery(sql).Bind(params).All(&groups); err != nil {
		return err
	}

	// the occasions and versions the touches name, in two queries
	occasionIds, templateIds := map[string]bool{}, map[string]bool{}
	for _, g := range groups {
		occasionIds[g.Occasion] = true
		if g.Template != "" {
			templateIds[g.Template] = true
		}
	}
	occasions, err := e.App.FindRecordsByIds("occasions", sortedKeys(occasionIds))
	if err != nil {
		return err
	}
	byOccasion := map[string]*core.Record{}
	for _, o := range occasions {
		if effectivenessSees(filter.Scope, o) {
			byOccasion[o.Id] = o
		}
	}
	templates, err := e.App.FindRecordsByIds("occasion_templates", sortedKeys(templateIds))
	if err != nil {
		return err
	}
	byTemplate := map[string]*core.Record{}
	for _, t := range templates {
		byTemplate[t.Id] = t
	}

	total, perOccasion, perCategory := outcomeTally{}, tallies{}, tallies{}
	perVariant := map[string]tallies{}
	for _, g := range groups {
		o := byOccasion[g.Occasion]
		if o == nil {
			continue // an occasion the caller cannot see (or one deleted)
		}
		total.add(g.Outcome, g.N)
		perOccasion.add(o.Id, g.Outcome, g.N)
		perCategory.add(o.GetString("category"), g.Outcome, g.N)
		if perVariant[o.Id] == nil {
			perVariant[o.Id] = tallies{}
		}
		perVariant[o.Id].add(g.Template, g.Outcome, g.N)
	}

	res := effectivenessResponse{
		From: from.Format(time.DateOnly), To: to.Format(time.DateOnly),
		Totals: total.figures(), Occasions: []occasionOutcomes{}, Categories: []categoryOutcomes{},
	}
	for _, id := range sortedKeys(perOccasion) {
		o := byOccasion[id]
		item := occasionOutcomes{
			Id: id, Title: o.GetString("title"), Kind: o.GetString("kind"), Category: o.GetString("category"),
			Outcomes: perOccasion.figures(id), Variants: []templateOutcomes{},
		}
		for _, tid := range sortedKeys(perVariant[id]) {
			v := templateOutcomes{Id: tid, Outcomes: perVariant[id].figures(tid)}
			if t := byTemplate[tid]; t != nil {
				v.Language, v.Variant = t.GetString("language"), t.GetString("variant")
			}
			item.Variants = append(item.Variants, v)
		}
		sort.SliceStable(item.Variants, func(i, j int) bool {
			a, b := item.Variants[i], item.Variants[j]
			if a.Language != b.Language {
				return a.Language < b.Language
			}
			return a.Variant < b.Variant
		})
		res.Occasions = append(res.Occasions, item)
	}
	sort.SliceStable(res.Occasions, func(i, j int) bool { return res.Occasions[i].Title < res.Occasions[j].Title })
	for _, c := range append(slices.Clone(domain.Categories), "") {
		if perCategory[c] != nil {
			res.Categories = append(res.Categories, categoryOutcomes{Category: c, Outcomes: perCategory.figures(c)})
		}
	}
	return e.JSON(http.StatusOK, res)
}

// effectivenessSees reports whether the caller may see the occasion (the
// occasions' list rule): every one for a service manager, one that
// targets every point or theirs for a point manager.
func effectivenessSees(scope *Scope, occasion *core.Record) bool {
	if scope.Auth == nil || scope.Auth.IsSuperuser() || access.IsServiceManager(scope.Auth) {
		return true
	}
	points := occasion.GetStringSlice("points")
	return len(points) == 0 || slices.Contains(points, scope.Auth.GetString("point"))
}

// effectivenessRange reads from= and to= (YYYY-MM-DD); a bad one is a 400
// naming it, in the request's language.
func effectivenessRange(e *core.RequestEvent, loc *time.Location) (from, to time.Time, err error) {
	to, hasTo, err := dateParam(e, "to")
	if err != nil {
		return from, to, err
	}
	from, hasFrom, err := dateParam(e, "from")
	if err != nil {
		return from, to, err
	}
	if !hasTo {
		y, m, d := time.Now().In(loc).Date()
		to = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	if !hasFrom {
		from = to.AddDate(0, 0, 1-effectivenessDefaultDays)
	}
	if to.Before(from) {
		return from, to, domain.FieldErrorT("to", "validation_range_reversed", "api.range_reversed", from.Format(time.DateOnly), to.Format(time.DateOnly))
	}
	if to.Sub(from) > effectivenessMaxDays*24*time.Hour {
		return from, to, domain.FieldErrorT("to", "validation_range_too_long", "api.range_too_long", from.Format(time.DateOnly), to.Format(time.DateOnly), effectivenessMaxDays)
	}
	return from, to, nil
}

// effectivenessResponse is the effectiveness JSON.
type effectivenessResponse struct {
	From       string             `json:"from"`
	To         string             `json:"to"`
	Totals     outcomeFigures     `json:"totals"`
	Occasions  []occasionOutcomes `json:"occasions"`  // by title
	Categories []categoryOutcomes `json:"categories"` // in the order of domain.Categories, "" (none) last
}

type occasionOutcomes struct {
	Id       string             `json:"id"`
	Title    string             `json:"title"`
	Kind     string             `json:"kind"`
	Category string             `json:"category"`
	Outcomes outcomeFigures     `json:"outcomes"`
	Variants []templateOutcomes `json:"variants"` // by language, variant; id "" = the occasion's default template
}

type templateOutcomes struct {
	Id       string         `json:"id"`
	Language string         `json:"language"`
	Variant  string         `json:"variant"`
	Outcomes outcomeFigures `json:"outcomes"`
}

type categoryOutcomes struct {
	Category string         `json:"category"`
	Outcomes outcomeFigures `json:"outcomes"`
}
