package domain

import (
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/access"
)

// The steps the record request hooks of every domain package share.

// InTransaction runs fn, which continues the request hook chain with
// e.Next() (the record save and every hook after it), in one database
// transaction, so follow-up writes such as a touch's comment commit together
// with the record or not at all. PocketBase does not wrap a plain API
// create/update in a transaction; the response is written after the commit.
func InTransaction(e *core.RecordRequestEvent, fn func() error) error {
	original := e.App
	defer func() { e.App = original }()

	return e.App.RunInTransaction(func(txApp core.App) error {
		e.App = txApp
		return fn()
	})
}

// RefuseChangedMeanwhile runs inside the write transaction: when field of
// the stored record no longer has the value the request was based on (a
// colleague changed it a moment ago), the request is refused instead of
// writing a second, contradicting audit comment. Writes are serialized, so
// of two racing changes exactly one passes.
func RefuseChangedMeanwhile(e *core.RecordRequestEvent, field string) error {
	stored, err := e.App.FindRecordById(e.Collection, e.Record.Id)
	if err != nil {
		return err
	}
	if now := stored.GetString(field); now != e.Record.Original().GetString(field) {
		return FieldError(field, "validation_changed_meanwhile",
			fmt.Sprintf("The %s was changed to %q by someone else a moment ago; reload and try again.", field, now))
	}
	return nil
}

// unchangeableWhy explains, per field, why RefuseChanges refuses it.
func unchangeableWhy(field string) string {
	switch field {
	case "author":
		return "it is set by the server to the signed-in user"
	case "period":
		return "it is set by the server from the occasion's occurrence"
	case "kind":
		return "only manual comments can be written through the API"
	case "search":
		return "the server keeps it from the client's name and its people's names"
	case "touch":
		return "it is set by the server when a touch is marked"
	case "client":
		return "the record stays with its client (create a new one instead)"
	case "occasion":
		return "the mark stays with its occasion (create a new one instead)"
	case "contact":
		return "the mark stays with the person it was addressed to (withdraw it and mark again)"
	}
	return "it is kept by the server"
}

// RefuseChanges rejects a request body that sets any of the server-owned
// fields to something other than the record's current value (for a new
// record: to anything non-empty). Silently overwriting the value would hide
// a forgery attempt; a 400 naming the field says what happened.
func RefuseChanges(e *core.RecordRequestEvent, fields ...string) error {
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
			return FieldError(field, "validation_unchangeable",
				fmt.Sprintf("The field %q cannot be changed: %s.", field, unchangeableWhy(field)))
		}
	}
	return nil
}

// Point scoping of what a request names (SPEC §4.3). The collection rules
// decide which records a caller may see and change; RequireOwnClient
// decides which client a point manager may *name* in a body, and answers a
// foreign or unknown id with a 400 naming the field. Both kinds of id get
// the same answer, so the check reveals nothing about other points.

// RequireOwnClient refuses a record for a client outside the caller's
// point.
func RequireOwnClient(e *core.RecordRequestEvent) error {
	if !access.IsStaff(e.Auth) || access.IsServiceManager(e.Auth) {
		return nil
	}
	// only the point is needed: a one-column lookup by primary key costs a
	// fraction of loading the record (this runs on every mark)
	var point string
	err := e.App.DB().Select("point").From("clients").
		Where(dbx.HashExp{"id": e.Record.GetString("client")}).Limit(1).Row(&point)
	if err != nil || point != e.Auth.GetString("point") {
		return FieldError("client", "validation_client_scope", "No such client in your point.")
	}
	return nil
}
