package clients

import (
	"github.com/pocketbase/pocketbase/core"

	"touchbase/access"
	"touchbase/domain"
)

// bindClientScope keeps a point manager's clients in their point, leaves
// the ABCD segment to service managers, and the search and last_touch
// columns to the server (the dashboard shows them to admins: an edit there
// is refused instead of silently overwritten; last_touch is kept by SQLite
// triggers, see migrations/1764800000_last_touch.go).
func bindClientScope(app core.App) {
	app.OnRecordCreateRequest("clients").BindFunc(func(e *core.RecordRequestEvent) error {
		if err := domain.RefuseChanges(e, "search", "last_touch"); err != nil {
			return err
		}
		if access.IsPointManager(e.Auth) && e.Record.GetString("point") != e.Auth.GetString("point") {
			return domain.FieldErrorT("point", "validation_point_scope", "client.point_scope_add")
		}
		return e.Next()
	})
	app.OnRecordUpdateRequest("clients").BindFunc(func(e *core.RecordRequestEvent) error {
		if err := domain.RefuseChanges(e, "search", "last_touch"); err != nil {
			return err
		}
		if access.IsPointManager(e.Auth) {
			original := e.Record.Original()
			if e.Record.GetString("point") != original.GetString("point") {
				return domain.FieldErrorT("point", "validation_point_scope", "client.point_scope_move")
			}
			if e.Record.GetString("segment") != original.GetString("segment") {
				return domain.FieldErrorT("segment", "validation_segment_owner", "client.segment_owner")
			}
		}
		return e.Next()
	})
}
