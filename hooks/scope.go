package hooks

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/domain"
)

// Point scoping of what a request names (SPEC §4.3). The collection rules
// decide which records a caller may see and change; these checks decide
// which client or point a point manager may *name* in a body, and answer a
// foreign or unknown id with a 400 naming the field. Both kinds of id get
// the same answer, so the check reveals nothing about other points.

// requireOwnClient refuses a record for a client outside the caller's
// point.
func requireOwnClient(e *core.RecordRequestEvent) error {
	if !isStaff(e.Auth) || isServiceManager(e.Auth) {
		return nil
	}
	// only the point is needed: a one-column lookup by primary key costs a
	// fraction of loading the record (this runs on every mark)
	var point string
	err := e.App.DB().Select("point").From("clients").
		Where(dbx.HashExp{"id": e.Record.GetString("client")}).Limit(1).Row(&point)
	if err != nil || point != e.Auth.GetString("point") {
		return fieldError("client", "validation_client_scope", "No such client in your point.")
	}
	return nil
}

// bindClientScope keeps a point manager's clients in their point and
// leaves the ABCD segment to service managers.
func bindClientScope(app core.App) {
	app.OnRecordCreateRequest("clients").BindFunc(func(e *core.RecordRequestEvent) error {
		if isPointManager(e.Auth) && e.Record.GetString("point") != e.Auth.GetString("point") {
			return fieldError("point", "validation_point_scope", "A point manager can only add clients to their own point.")
		}
		return e.Next()
	})
	app.OnRecordUpdateRequest("clients").BindFunc(func(e *core.RecordRequestEvent) error {
		if isPointManager(e.Auth) {
			original := e.Record.Original()
			if e.Record.GetString("point") != original.GetString("point") {
				return fieldError("point", "validation_point_scope", "A point manager cannot move a client to another point.")
			}
			if e.Record.GetString("segment") != original.GetString("segment") {
				return fieldError("segment", "validation_segment_owner", "The segment comes from the ABCD analysis; ask a service manager to change it.")
			}
		}
		return e.Next()
	})
}

// isPointManager reports whether auth is a signed-in point manager.
func isPointManager(auth *core.Record) bool {
	return isStaff(auth) && auth.GetString("role") == domain.RolePointManager
}
