// Package input answers bad input on PocketBase's record routes with a 400
// that names the field (SPEC §10) before PocketBase casts it silently.
package input

import (
	"net/http"
	"strconv"
	"strings"

	"touchbase/domain"
	"touchbase/texts"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/search"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Bind refuses body values that PocketBase would otherwise cast
// quietly (SPEC §10: no silent change): "31.02.1980" into an empty date,
// "abc" into the number 0, {"a":1} into the text "map[a:1]". Each gets a
// 400 naming the field.
//
// The check is a router middleware because by the time the record request
// hooks run, PocketBase has already cast the body (the raw text is gone).
func Bind(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		// outside every Touchbase middleware and route, so that each of
		// their errors is said in the request's language (SPEC §6)
		se.Router.Bind(&hook.Handler[*core.RequestEvent]{
			Id:       "touchbaseLanguage",
			Func:     domain.LanguageMiddleware,
			Priority: -1,
		})
		se.Router.BindFunc(refuseUncastable)
		se.Router.BindFunc(nameListParams)
		return se.Next()
	})
}

// nameListParams checks a records list's page, perPage, filter and sort
// before PocketBase runs it, whose own answer to a malformed one is a 400
// that names nothing ("Something went wrong while processing your
// request").
func nameListParams(e *core.RequestEvent) error {
	if e.Request.Method != http.MethodGet || !strings.HasPrefix(e.Request.URL.Path, "/api/collections/") ||
		!strings.HasSuffix(e.Request.URL.Path, "/records") {
		return e.Next()
	}
	collection, err := e.App.FindCachedCollectionByNameOrId(e.Request.PathValue("collection"))
	if err != nil {
		return e.Next()
	}
	query := e.Request.URL.Query()
	for _, param := range []string{"page", "perPage"} {
		if v := query.Get(param); v != "" {
			if _, err := strconv.Atoi(v); err != nil {
				return domain.FieldErrorT(param, "validation_invalid_number", "input.not_number", param, v)
			}
		}
	}
	info, err := e.RequestInfo()
	if err != nil {
		return e.Next()
	}
	resolver := core.NewRecordFieldResolver(e.App, collection, info, info.HasSuperuserAuth())
	if filter := query.Get("filter"); filter != "" {
		if _, err := search.FilterData(filter).BuildExpr(resolver); err != nil {
			return domain.FieldErrorT("filter", "validation_invalid_filter", "input.filter", err.Error())
		}
	}
	if sort := query.Get("sort"); sort != "" {
		for _, field := range search.ParseSortFromString(sort) {
			if _, err := field.BuildExpr(resolver); err != nil {
				return domain.FieldErrorT("sort", "validation_invalid_sort", "input.sort", err.Error())
			}
		}
	}
	return e.Next()
}

func refuseUncastable(e *core.RequestEvent) error {
	if (e.Request.Method != http.MethodPost && e.Request.Method != http.MethodPatch) ||
		!strings.HasPrefix(e.Request.URL.Path, "/api/collections/") {
		return e.Next()
	}
	collection, err := e.App.FindCachedCollectionByNameOrId(e.Request.PathValue("collection"))
	if err != nil {
		return e.Next() // PocketBase answers unknown collections itself
	}
	info, err := e.RequestInfo()
	if err != nil {
		return e.Next() // and unreadable bodies
	}
	for _, field := range collection.Fields {
		name := field.GetName()
		if singleValued(field) {
			if listForSingle(name, info.Body) {
				return domain.FieldErrorT(name, "validation_single_value", "input.single_value", name)
			}
		}
		value, ok := info.Body[name]
		if !ok || value == nil {
			continue
		}
		if problem := uncastable(field, value); problem != nil {
			return domain.FieldErrorT(name, "validation_invalid_value", "input.invalid", name, *problem)
		}
	}
	return e.Next()
}

// singleValued reports whether field is a relation or select that holds
// one value.
func singleValued(field core.Field) bool {
	switch f := field.(type) {
	case *core.RelationField:
		return !f.IsMultiple()
	case *core.SelectField:
		return !f.IsMultiple()
	}
	return false
}

// listForSingle reports whether body sends a list for the single-valued
// field name. PocketBase would keep
// the list's last element and drop the rest without a word (SPEC §3: a
// 400 naming the field). Even a one-element list is refused, so that a
// client that means a list learns it cannot have one; an empty list
// clears the field, as null does. The modifier keys (name+, +name, name-)
// are checked too: a list there adds or removes several values at once.
func listForSingle(name string, body map[string]any) bool {
	for _, key := range []string{name, name + "+", "+" + name, name + "-"} {
		if n, isList := listLen(body[key]); isList && n > 0 {
			return true
		}
	}
	return false
}

// listLen reports whether value is a list, as a JSON body or a repeated
// form field decodes, and its length.
func listLen(value any) (int, bool) {
	switch v := value.(type) {
	case []any:
		return len(v), true
	case []string:
		return len(v), true
	}
	return 0, false
}

// uncastable says what is wrong with value for field, or nil when it is
// fine (or for PocketBase's own validators to judge).
func uncastable(field core.Field, value any) *texts.Msg {
	say := func(key string, args ...any) *texts.Msg { m := texts.M(key, args...); return &m }
	switch field.(type) {
	case *core.DateField:
		if s, ok := value.(string); !ok {
			return say("input.date_text")
		} else if d, _ := types.ParseDateTime(s); d.IsZero() && strings.TrimSpace(s) != "" {
			return say("input.date", s)
		}
	case *core.NumberField:
		switch v := value.(type) {
		case float64, int, int64:
		case string:
			if _, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil && strings.TrimSpace(v) != "" {
				return say("input.number", v)
			}
		default:
			return say("input.number_type")
		}
	case *core.BoolField:
		switch v := value.(type) {
		case bool:
		case string:
			switch v {
			case "", "true", "false", "1", "0", "on", "off":
			default:
				return say("input.bool", v)
			}
		default:
			return say("input.bool_type")
		}
	case *core.TextField, *core.EmailField:
		if _, ok := value.(string); !ok {
			return say("input.text")
		}
	case *core.RelationField, *core.SelectField:
		switch v := value.(type) {
		case string, []string:
		case []any:
			for _, item := range v {
				if _, ok := item.(string); !ok {
					return say("input.ids")
				}
			}
		default:
			return say("input.ids")
		}
	}
	return nil
}
