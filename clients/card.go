package clients

import (
	"github.com/pocketbase/pocketbase/core"

	"touchbase/access"
	"touchbase/domain"
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
		return domain.FieldErrorT("kind", "validation_server_set", "comment.kind_server_set")
	}
	if e.Record.GetString("touch") != "" {
		return domain.FieldErrorT("touch", "validation_server_set", "comment.touch_server_set")
	}
	if err := domain.RequireOwnClient(e); err != nil {
		return err
	}
	if access.IsStaff(e.Auth) {
		if author := e.Record.GetString("author"); author != "" && author != e.Auth.Id {
			return domain.FieldErrorT("author", "validation_server_set", "touch.author_server_set")
		}
		e.Record.Set("author", e.Auth.Id)
	}
	e.Record.Set("kind", "manual")
	return e.Next()
}

func onCommentUpdateRequest(e *core.RecordRequestEvent) error {
	if err := domain.RefuseChanges(e, "kind", "touch", "author", "client"); err != nil {
		return err
	}
	return e.Next()
}

// SaveServerComment writes a comment that only the server may write (kind
// touch or system) on the client's card: the touches and holds packages
// call it inside the transaction of the change it records.
func SaveServerComment(app core.App, clientId, kind, touchId, authorId, text string) error {
	comments, err := app.FindCachedCollectionByNameOrId("comments")
	if err != nil {
		return err
	}
	comment := core.NewRecord(comments)
	comment.Set("client", clientId)
	comment.Set("kind", kind)
	comment.Set("touch", touchId)
	comment.Set("author", authorId)
	comment.Set("text", domain.Truncate(text, 5000))
	// Every value is the server's: the client, touch and author are records
	// this save has just loaded or written, the kind is a known value and
	// the text is cut to the field's limit. Validating would only query the
	// three relations again, on every mark.
	return app.SaveNoValidate(comment)
}
