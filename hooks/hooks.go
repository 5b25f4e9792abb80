// Package hooks holds Touchbase's server-side behaviour (SPEC §4): the
// record hooks that set server-owned fields, keep point scoping on writes,
// turn every touch into a comment on the client's card in one transaction,
// and refuse duplicates with a message a person can act on.
//
// Register is the only entry point; main and every test call it, so tests
// exercise the real wiring.
package hooks

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"

	"touchbase/api"
	"touchbase/domain"
	"touchbase/realtime"
)

// Register binds every Touchbase hook and the custom routes to app.
func Register(app core.App) {
	bindPoints(app)
	bindUsers(app)
	bindClients(app)
	bindClientScope(app)
	bindInputChecks(app)
	bindCadences(app)
	bindOccasions(app)
	bindTouches(app)
	bindComments(app)
	bindTickets(app)
	realtime.Bind(app)
	api.Register(app)
}

// inTransaction runs fn, which continues the request hook chain with
// e.Next() (the record save and every hook after it), in one database
// transaction, so follow-up writes such as a touch's comment commit together
// with the record or not at all. PocketBase does not wrap a plain API
// create/update in a transaction; the response is written after the commit.
func inTransaction(e *core.RecordRequestEvent, fn func() error) error {
	original := e.App
	defer func() { e.App = original }()

	return e.App.RunInTransaction(func(txApp core.App) error {
		e.App = txApp
		return fn()
	})
}

// refuseChangedMeanwhile runs inside the write transaction: when field of
// the stored record no longer has the value the request was based on (a
// colleague changed it a moment ago), the request is refused instead of
// writing a second, contradicting audit comment. Writes are serialized, so
// of two racing changes exactly one passes.
func refuseChangedMeanwhile(e *core.RecordRequestEvent, field string) error {
	stored, err := e.App.FindRecordById(e.Collection, e.Record.Id)
	if err != nil {
		return err
	}
	if now := stored.GetString(field); now != e.Record.Original().GetString(field) {
		return fieldError(field, "validation_changed_meanwhile",
			fmt.Sprintf("The %s was changed to %q by someone else a moment ago; reload and try again.", field, now))
	}
	return nil
}

// unchangeableWhy explains, per field, why refuseChanges refuses it.
var unchangeableWhy = map[string]string{
	"author":   "it is set by the server to the signed-in user",
	"period":   "it is set by the server from the occasion's occurrence",
	"kind":     "only manual comments can be written through the API",
	"touch":    "it is set by the server when a touch is marked",
	"client":   "the record stays with its client (create a new one instead)",
	"occasion": "the mark stays with its occasion (create a new one instead)",
}

// refuseChanges rejects a request body that sets any of the server-owned
// fields to something other than the record's current value (for a new
// record: to anything non-empty). Silently overwriting the value would hide
// a forgery attempt; a 400 naming the field says what happened.
func refuseChanges(e *core.RecordRequestEvent, fields ...string) error {
	info, err := e.RequestInfo()
	if err != nil {
		return err
	}
	for _, field := range fields {
		value, ok := info.Body[field]
		if !ok {
			continue
		}
		submitted := fmt.Sprint(value)
		if value == nil {
			submitted = ""
		}
		current := ""
		if original := e.Record.Original(); original != nil && !e.Record.IsNew() {
			current = original.GetString(field)
		}
		if submitted != current {
			return fieldError(field, "validation_unchangeable",
				fmt.Sprintf("The field %q cannot be changed: %s.", field, unchangeableWhy[field]))
		}
	}
	return nil
}

// Short local names for the domain helpers used throughout the hooks.
var (
	isStaff          = domain.IsStaff
	isServiceManager = domain.IsServiceManager
	fieldError       = domain.FieldError
)
