package api

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/access"
	"touchbase/domain"
	"touchbase/texts"
)

// Paging limits of the list routes.
const (
	defaultPerPage = 50
	maxPerPage     = 500
	maxPage        = 1_000_000
	maxSearchRunes = 200
	maxTagRunes    = 100
)

// Special values of the manager= parameter.
const (
	managerMe   = "me"   // the caller's own clients
	managerNone = "none" // clients without an account manager
)

// clientFilter is the selection of clients shared by the worklist, due,
// stats and the CSV export, parsed from the query string by
// parseClientFilter so that every list answers the same parameters the same
// way:
//
//	point=ID          narrow to one point (403 naming point outside the caller's scope)
//	segment=A+,A      any of these segments ("+" sent unencoded reads as a space; both work)
//	stage=regular     any of these stages; without it, lost clients are left out (see Expr)
//	tag=vip           clients whose tags list contains this exact tag
//	manager=ID|me|none  one account manager, the caller, or clients without one
//	q=text            case-insensitive search in name and contact, any script
//	page=1            1-based page (list routes)
//	perPage=50        1..500 (list routes)
//
// A bad value gives a 400 naming the parameter; unknown parameters are
// ignored. Expr turns the filter into a parameterised SQL condition; no user
// input is ever concatenated into SQL. In a hand-written query:
//
//	f, err := parseClientFilter(e) // return err as is: it is the 400/403
//	params := dbx.Params{}
//	where := sqlOf(e.App.DB(), f.Expr("c"), params) // f.ExprAll("c") to keep lost clients
//	e.App.DB().NewQuery("SELECT ... FROM clients c WHERE " + where).Bind(params)
type clientFilter struct {
	// Scope is the caller's scope, narrowed by point=.
	Scope *Scope
	// Segments and Stages are "any of" lists; empty = no condition.
	Segments []string
	Stages   []string
	// Tag is one exact tag; "" = no condition.
	Tag string
	// Manager is a user id ("" = any); NoManager asks for clients without one.
	Manager   string
	NoManager bool
	// Search is q= folded by domain.NormalizeSearch; "" = no condition.
	Search string
	// Page (1-based) and PerPage (1..500) for the list routes.
	Page, PerPage int
}

// parseClientFilter reads the client filter from the request's query string
// and the caller's scope (see clientFilter for the parameters). Errors are
// 400s (403 for a foreign point) that name the parameter.
func parseClientFilter(e *core.RequestEvent) (*clientFilter, error) {
	query := e.Request.URL.Query()
	scope, err := narrowToPoint(e, scopeOf(e))
	if err != nil {
		return nil, err
	}
	f := &clientFilter{Scope: scope, Page: 1, PerPage: defaultPerPage}

	// select values contain no spaces, so a space can only be an unencoded
	// "+" (segment=A+ arrives as "A "): read it back as the "+" it was
	f.Segments, err = parseList(query.Get("segment"), "segment", domain.Segments, true)
	if err != nil {
		return nil, err
	}
	f.Stages, err = parseList(query.Get("stage"), "stage", domain.Stages, false)
	if err != nil {
		return nil, err
	}

	f.Tag = strings.TrimSpace(query.Get("tag"))
	if utf8.RuneCountInString(f.Tag) > maxTagRunes {
		return nil, paramError("tag", "validation_too_long", "is limited to %d characters.", maxTagRunes)
	}

	switch manager := strings.TrimSpace(query.Get("manager")); manager {
	case "":
	case managerNone:
		f.NoManager = true
	case managerMe:
		f.Manager = e.Auth.Id
	default:
		if !isRecordId(manager) {
			return nil, paramError("manager", "validation_invalid_id", `must be a user id, "me" or "none".`)
		}
		// another point's staff read as unknown, so the answer does not
		// tell a point manager which user ids exist elsewhere
		user, err := e.App.FindRecordById("users", manager)
		if err != nil || !(f.Scope.All() || user.GetString("role") == access.RoleServiceManager || f.Scope.Allows(user.GetString("point"))) {
			return nil, paramError("manager", "validation_unknown_manager", "names no user.")
		}
		f.Manager = manager
	}

	q := query.Get("q")
	if utf8.RuneCountInString(q) > maxSearchRunes {
		return nil, paramError("q", "validation_too_long", "is limited to %d characters.", maxSearchRunes)
	}
	f.Search = domain.NormalizeSearch(q)

	if f.Page, err = parseInt(query.Get("page"), "page", 1, 1, maxPage); err != nil {
		return nil, err
	}
	if f.PerPage, err = parseInt(query.Get("perPage"), "perPage", defaultPerPage, 1, maxPerPage); err != nil {
		return nil, err
	}
	return f, nil
}

// Offset is the number of items before the requested page.
func (f *clientFilter) Offset() int {
	return (f.Page - 1) * f.PerPage
}

// OnlyCells reports whether the filter cuts clients by point, segment and
// stage only — the columns mark_counts keeps its counts by — so that Expr
// applies to a mark_counts row as to a client.
func (f *clientFilter) OnlyCells() bool {
	return f.Tag == "" && f.Manager == "" && !f.NoManager && f.Search == ""
}

// WantsStage reports whether stage= asked for the stage explicitly.
func (f *clientFilter) WantsStage(stage string) bool {
	return slices.Contains(f.Stages, stage)
}

// Expr returns the filter as a parameterised condition on the clients
// table aliased as alias (e.g. "c" for "FROM clients c"): the caller's
// scope, segment, stage, tag, manager and q. Without stage=, lost clients
// are left out, because lists are about clients to contact; use ExprAll
// where history matters (exports). Parameter names are prefixed with the
// alias, so two filters on different aliases can share one query.
func (f *clientFilter) Expr(alias string) dbx.Expression {
	exprs := f.exprs(alias)
	if len(f.Stages) == 0 {
		// a constant, safe to write into the SQL
		exprs = append(exprs, dbx.NewExp(alias+".stage != '"+domain.StageLost+"'"))
	}
	return allOf(exprs)
}

// ExprAll is Expr without the default exclusion of lost clients.
func (f *clientFilter) ExprAll(alias string) dbx.Expression {
	return allOf(f.exprs(alias))
}

// allOf is dbx.And that stays valid SQL when nested with no conditions
// (an empty dbx.And renders as "()").
func allOf(exprs []dbx.Expression) dbx.Expression {
	if len(exprs) == 0 {
		return dbx.NewExp("1 = 1")
	}
	return dbx.And(exprs...)
}

var aliasPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func (f *clientFilter) exprs(alias string) []dbx.Expression {
	if !aliasPattern.MatchString(alias) {
		panic("clientFilter: invalid table alias " + strconv.Quote(alias))
	}
	col := func(name string) string { return alias + "." + name }
	param := func(name string) string { return alias + "_f_" + name }

	var exprs []dbx.Expression
	if !f.Scope.All() {
		exprs = append(exprs, inList(col("point"), param("point"), f.Scope.Points))
	}
	if len(f.Segments) > 0 {
		exprs = append(exprs, inList(col("segment"), param("segment"), f.Segments))
	}
	if len(f.Stages) > 0 {
		exprs = append(exprs, inList(col("stage"), param("stage"), f.Stages))
	}
	if f.Tag != "" {
		// tags is a JSON list; anything else (null, "", a broken value)
		// reads as no tags instead of failing the query
		exprs = append(exprs, dbx.NewExp(
			"EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid("+col("tags")+") THEN "+col("tags")+" ELSE '[]' END) tag"+
				" WHERE tag.value = {:"+param("tag")+"})",
			dbx.Params{param("tag"): f.Tag}))
	}
	switch {
	case f.NoManager:
		exprs = append(exprs, dbx.NewExp(col("manager")+" = ''"))
	case f.Manager != "":
		exprs = append(exprs, dbx.NewExp(col("manager")+" = {:"+param("manager")+"}", dbx.Params{param("manager"): f.Manager}))
	}
	if f.Search != "" {
		exprs = append(exprs, dbx.NewExp(col("search")+` LIKE {:`+param("q")+`} ESCAPE '\'`,
			dbx.Params{param("q"): "%" + escapeLike(f.Search) + "%"}))
	}
	return exprs
}

// inList is "col IN ({:name0}, {:name1}, ...)" with one parameter per value.
func inList(col, name string, values []string) dbx.Expression {
	if len(values) == 0 {
		return dbx.NewExp("0 = 1")
	}
	params := dbx.Params{}
	names := make([]string, len(values))
	for i, v := range values {
		key := name + strconv.Itoa(i)
		params[key] = v
		names[i] = "{:" + key + "}"
	}
	return dbx.NewExp(col+" IN ("+strings.Join(names, ", ")+")", params)
}

// escapeLike escapes LIKE's wildcards (and the escape character itself) so
// that q= matches literally; the condition declares ESCAPE '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func escapeLike(s string) string { return likeEscaper.Replace(s) }

// parseList reads a comma-separated list of allowed values ("" = none),
// dropping duplicates; an unknown value is a 400 naming the parameter.
// With plusAsSpace, a space after a value is read back as the "+" it was
// before the query string was decoded.
func parseList(raw, param string, allowed []string, plusAsSpace bool) ([]string, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	var out []string
	for _, part := range strings.Split(raw, ",") {
		value := strings.TrimSpace(part)
		if plusAsSpace {
			value = strings.TrimSpace(strings.ReplaceAll(strings.TrimLeft(part, " "), " ", "+"))
		}
		if !slices.Contains(allowed, value) {
			return nil, paramError(param, "validation_invalid_value",
				"has an unknown value %q; expected one of %s.", value, strings.Join(allowed, ", "))
		}
		if !slices.Contains(out, value) {
			out = append(out, value)
		}
	}
	return out, nil
}

// parseInt reads an integer parameter in [min, max]; "" gives def.
func parseInt(raw, param string, def, min, max int) (int, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < min || n > max {
		return 0, paramError(param, "validation_out_of_range", "must be a whole number from %d to %d.", min, max)
	}
	return n, nil
}

// paramError is a 400 naming the query parameter, with a message that
// starts with its name: `The "perPage" parameter must be ...`. format is
// the English text and the key of its translations (texts/ru.go), so the
// message is said in the request's language.
func paramError(param, code, format string, args ...any) error {
	return domain.FieldErrorT(param, code, "param", param, texts.M(format, args...))
}

var idPattern = regexp.MustCompile(`^[a-zA-Z0-9_]{1,50}$`)

// isRecordId reports whether s looks like a record id, so a malformed one
// gets its own message instead of "no such record".
func isRecordId(s string) bool { return idPattern.MatchString(s) }

// sqlOf renders a dbx expression (e.g. clientFilter.Expr) for a
// hand-written query, merging its parameters into params; an empty
// expression reads as "1" (true).
func sqlOf(db dbx.Builder, expr dbx.Expression, params dbx.Params) string {
	where := db.QueryBuilder().BuildWhere(expr, params)
	if where == "" {
		return "1"
	}
	return "(" + strings.TrimPrefix(where, "WHERE ") + ")"
}

// dateParam reads a date query parameter (YYYY-MM-DD); ok is false when it
// is absent, and a malformed one is a 400 naming it, in the request's
// language.
func dateParam(e *core.RequestEvent, field string) (day time.Time, ok bool, err error) {
	raw := strings.TrimSpace(e.Request.URL.Query().Get(field))
	if raw == "" {
		return time.Time{}, false, nil
	}
	day, err = time.Parse(time.DateOnly, raw)
	if err != nil {
		return time.Time{}, false, domain.FieldErrorT(field, "validation_invalid_date", "api.date", field)
	}
	return day, true, nil
}
