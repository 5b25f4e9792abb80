// Package domain holds the small pieces of Touchbase's rules that the
// domain packages (clients, touches, holds, …) and the custom routes
// share: the select values, how names are folded, which hold applies and
// how it is worded, a point's time zone, the 400 that names a field, and
// the request-hook steps every write path takes (requests.go).
package domain

import (
	"errors"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/inflector"
	"github.com/pocketbase/pocketbase/tools/router"

	"touchbase/days"
	"touchbase/texts"
)

// FieldErrorT is a 400 whose data names the offending field, in
// PocketBase's error format (so clients can show it next to the input),
// with its message from the texts catalogue (key, args): written in English, and said again in the request's
// language by the Localize middleware. The code stays as it is.
func FieldErrorT(field, code, key string, args ...any) *router.ApiError {
	return FieldErrorStatusT(http.StatusBadRequest, field, code, key, args...)
}

// ScopeErrorT is a 403 whose data names the parameter that asked for data
// outside the caller's scope, with its message from the texts catalogue.
func ScopeErrorT(field, key string, args ...any) *router.ApiError {
	return FieldErrorStatusT(http.StatusForbidden, field, "validation_scope", key, args...)
}

// FieldErrorStatusT is FieldErrorT with another 4xx status (e.g. 429).
func FieldErrorStatusT(status int, field, code, key string, args ...any) *router.ApiError {
	m := texts.M(key, args...)
	return router.NewApiError(status, m.In(texts.EN), validation.Errors{
		field: &localError{code: code, msg: m},
	})
}

// ErrorT is an error with a message from the texts catalogue and no
// field (a session that ended, a route only for staff), said in the
// request's language by the Localize middleware.
func ErrorT(status int, key string, args ...any) *router.ApiError {
	m := texts.M(key, args...)
	return router.NewApiError(status, m.In(texts.EN), m)
}

// localError is the data item of FieldErrorT and ScopeErrorT: a code and
// a message that can be said in any language.
type localError struct {
	code string
	msg  texts.Msg
}

func (l *localError) Code() string  { return l.code }
func (l *localError) Error() string { return l.msg.In(texts.EN) }

// Localize says the message of a FieldErrorT or ScopeErrorT error in lang:
// the top-level message and the field's, with the same code. Any other
// error (PocketBase's own) is returned as it is.
func Localize(err error, lang string) error {
	var apiErr *router.ApiError
	if err == nil || !errors.As(err, &apiErr) {
		return err
	}
	if m, ok := apiErr.RawData().(texts.Msg); ok {
		apiErr.Message = strings.TrimSpace(inflector.Sentenize(m.In(lang)))
		return err
	}
	errs, ok := apiErr.RawData().(validation.Errors)
	if !ok {
		return err
	}
	for field, item := range errs {
		local, ok := item.(*localError)
		if !ok {
			continue
		}
		message := inflector.Sentenize(local.msg.In(lang))
		apiErr.Message = strings.TrimSpace(message)
		if apiErr.Data == nil {
			apiErr.Data = map[string]any{}
		}
		apiErr.Data[field] = map[string]any{"code": local.code, "message": message}
	}
	return err
}

// LangKey is where BindLanguage keeps the request's language on the event.
const LangKey = "touchbase.lang"

// RequestLang is the language the request asked for (Accept-Language, ru
// or en; texts.Default otherwise).
func RequestLang(e *core.RequestEvent) string {
	if lang, ok := e.Get(LangKey).(string); ok && lang != "" {
		return lang
	}
	return texts.FromAcceptLanguage(e.Request.Header.Get("Accept-Language"))
}

// LanguageMiddleware reads Accept-Language once, keeps the language on the
// event (RequestLang) and says the request's FieldErrorT / ScopeErrorT
// errors in it (SPEC §6: errors in the language the request asks for).
func LanguageMiddleware(e *core.RequestEvent) error {
	lang := texts.FromAcceptLanguage(e.Request.Header.Get("Accept-Language"))
	e.Set(LangKey, lang)
	return Localize(e.Next(), lang)
}

// ClientLanguage is the language of the client's point (SPEC §3
// points.language), texts.Default when the client or its point is not
// found or has none.
func ClientLanguage(app core.App, clientId string) string {
	var lang string
	_ = app.DB().NewQuery("SELECT p.language FROM clients c JOIN points p ON p.id = c.point WHERE c.id = {:id}").
		Bind(dbx.Params{"id": clientId}).Row(&lang)
	return texts.Lang(lang)
}

// FoldName is the key under which names are compared in any script:
// trimmed, lower-cased, ё read as е. SQLite's NOCASE and LIKE fold only
// ASCII, so everything that matches names (unique point names, the
// importer's point lookup, search) folds them here, once.
func FoldName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.ReplaceAll(s, "ё", "е")
}

// NormalizeSearch folds text for case-insensitive search in any script
// (FoldName): clients keep a folded copy of their name and contact in the
// hidden "search" column, and queries are folded the same way.
func NormalizeSearch(s string) string {
	return FoldName(s)
}

// DBTime formats t the way PocketBase stores dates, for comparisons in SQL.
func DBTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05.000Z")
}

// ActiveHold returns the client's hold that applies to occasionId at now:
// not expired and either for every occasion or for this one. until is a
// day (SPEC §3): a hold until 10 March applies through the whole of
// 10 March in the time zone of the client's point, and not on 11 March
// (days.ThroughFrom). Expiry needs no job: it is compared with now here.
func ActiveHold(app core.App, clientId, occasionId string, now time.Time) (*core.Record, error) {
	holds, err := app.FindRecordsByFilter("holds",
		"client = {:client} && (until = '' || until >= {:from}) && (occasion = '' || occasion = {:occasion})",
		"-created", 1, 0,
		dbx.Params{"client": clientId, "occasion": occasionId, "from": days.ThroughFrom(now, ClientLocation(app, clientId))})
	if err != nil || len(holds) == 0 {
		return nil, err
	}
	return holds[0], nil
}

// ClientLocation is the time zone of the client's point (PointLocation),
// the server's when the client or its point is not found.
func ClientLocation(app core.App, clientId string) *time.Location {
	var tz string
	_ = app.DB().NewQuery("SELECT p.timezone FROM clients c JOIN points p ON p.id = c.point WHERE c.id = {:id}").
		Bind(dbx.Params{"id": clientId}).Row(&tz)
	if tz != "" {
		if loc, err := time.LoadLocation(tz); err == nil {
			return loc
		}
	}
	return time.Local
}

// DescribeHold states a hold for a person in English (WordHold), looking
// up the titles of its ticket and occasion.
func DescribeHold(app core.App, hold *core.Record) string {
	return WordHold(HoldFactsOf(app, hold))
}

// HoldFactsOf gathers what the wording of hold says, looking up the titles
// of its ticket and occasion.
func HoldFactsOf(app core.App, hold *core.Record) HoldFacts {
	facts := HoldFacts{
		Reason:    hold.GetString("reason"),
		HasTicket: hold.GetString("ticket") != "",
		Note:      hold.GetString("note"),
		Until:     hold.GetDateTime("until").Time(),
	}
	if facts.HasTicket {
		if ticket, err := app.FindRecordById("tickets", hold.GetString("ticket")); err == nil {
			facts.TicketTitle = ticket.GetString("title")
		}
	}
	if id := hold.GetString("occasion"); id != "" {
		if occasion, err := app.FindRecordById("occasions", id); err == nil {
			facts.OccasionTitle = occasion.GetString("title")
		}
	}
	return facts
}

// HoldFacts are what the wording of a hold says, gathered by the caller
// (from records or from a joined row).
type HoldFacts struct {
	Reason        string
	HasTicket     bool   // the hold names a ticket; its note is then left out
	TicketTitle   string // "" when the ticket is not found
	Note          string
	OccasionTitle string    // "" for a hold on every occasion (or one not found)
	Until         time.Time // zero = until lifted
}

// WordHold states a hold for a person in English (WordHoldIn).
func WordHold(h HoldFacts) string {
	return WordHoldIn(texts.EN, h)
}

// WordHoldIn states a hold for a person in lang: its reason, the open
// ticket or the note, the occasion it is limited to, and until when. It is
// the one wording of the hooks' refusals and the worklist rows.
func WordHoldIn(lang string, h HoldFacts) string {
	text := texts.T(lang, "hold.reason", texts.Or(lang, "hold.reason."+h.Reason, h.Reason))
	if h.HasTicket {
		if h.TicketTitle != "" {
			text += texts.T(lang, "hold.ticket", h.TicketTitle)
		}
	} else if h.Note != "" {
		text += texts.T(lang, "hold.note", h.Note)
	}
	if h.OccasionTitle != "" {
		text += texts.T(lang, "hold.occasion", h.OccasionTitle)
	}
	if !h.Until.IsZero() {
		text += texts.T(lang, "hold.until", h.Until.UTC().Format(time.DateOnly))
	} else {
		text += texts.T(lang, "hold.until_lifted")
	}
	return text
}

// HoldWording is the hold's wording in any language (WordHoldIn), for a
// message said later in the request's language.
func HoldWording(h HoldFacts) texts.Localized {
	return texts.Func(func(lang string) string { return WordHoldIn(lang, h) })
}

// PointLocation is the point's time zone, or the server's when unset.
func PointLocation(point *core.Record) *time.Location {
	if tz := point.GetString("timezone"); tz != "" {
		if loc, err := time.LoadLocation(tz); err == nil {
			return loc
		}
	}
	return time.Local
}

// ServerTimezone is the IANA name of the server's zone: $TZ, else the
// target of /etc/localtime, else UTC.
func ServerTimezone() string {
	if tz := os.Getenv("TZ"); tz != "" {
		if _, err := time.LoadLocation(tz); err == nil {
			return tz
		}
	}
	if target, err := os.Readlink("/etc/localtime"); err == nil {
		if i := strings.Index(target, "zoneinfo/"); i >= 0 {
			return target[i+len("zoneinfo/"):]
		}
	}
	return "UTC"
}

// Truncate cuts s to at most n runes, ending with "…" when it cut.
func Truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
