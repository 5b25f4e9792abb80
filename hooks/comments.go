package hooks

import (
	"github.com/pocketbase/pocketbase/core"
)

// bindComments keeps the client card an audit trail: through the API only
// manual comments can be written, by their signed-in author; touch and
// system comments come from the server alone and are immutable for staff
// (the update/delete rules only match kind = "manual").
func bindComments(app core.App) {
	app.OnRecordCreateRequest("comments").BindFunc(onCommentCreateRequest)
	app.OnRecordUpdateRequest("comments").BindFunc(onCommentUpdateRequest)
	app.OnRecordCreate("comments").BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString("kind") == "" {
			e.Record.Set("kind", "manual")
		}
		return e.Next()
	})
}

func onCommentCreateRequest(e *core.RecordRequestEvent) error {
	if kind := e.Record.GetString("kind"); kind != "" && kind != "manual" {
		return fieldError("kind", "validation_server_set",
			`Only "manual" comments can be written through the API; touch and system comments are written by the server.`)
	}
	if e.Record.GetString("touch") != "" {
		return fieldError("touch", "validation_server_set",
			`The field "touch" is set by the server; mark the touch instead and its comment is written for you.`)
	}
	if err := requireOwnClient(e); err != nil {
		return err
	}
	if isStaff(e.Auth) {
		if author := e.Record.GetString("author"); author != "" && author != e.Auth.Id {
			return fieldError("author", "validation_server_set", `The field "author" is set by the server to the signed-in user.`)
		}
		e.Record.Set("author", e.Auth.Id)
	}
	e.Record.Set("kind", "manual")
	return e.Next()
}

func onCommentUpdateRequest(e *core.RecordRequestEvent) error {
	if err := refuseChanges(e, "kind", "touch", "author", "client"); err != nil {
		return err
	}
	return e.Next()
}
