package domain

import (
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/access"
	"touchbase/texts"
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
		return FieldErrorT(field, "validation_changed_meanwhile", "request.changed_meanwhile", field, now)
	}
	return nil
}

// unchangeableWhy explains, per field, why RefuseChanges refuses it.
func unchangeableWhy(field string) texts.Msg {
	switch field {
	case "author", "period", "kind", "search", "last_touch", "touch", "client", "occasion", "contact", "template":
		return texts.M("unchangeable." + field)
	}
	return texts.M("unchangeable.other")
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
			return FieldErrorT(field, "validation_unchangeable", "request.unchangeable", field, unchangeableWhy(field))
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
		return FieldErrorT("client", "validation_client_scope", "request.client_scope")
	}
	return nil
}
