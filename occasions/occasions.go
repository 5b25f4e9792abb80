// Package occasions validates the reasons to touch a client: their
// template (SPEC §4.6), window, repeat and trigger.
package occasions

import (
	"github.com/pocketbase/pocketbase/core"

	"touchbase/domain"
	"touchbase/templates"
)

// Bind validates an occasion on save (SPEC §4.6): a template with
// an unknown placeholder or broken braces is refused with a 400 naming it,
// and the window must not end before it starts.
func Bind(app core.App) {
	app.OnRecordValidate("occasions").BindFunc(onOccasionValidate)
}

func onOccasionValidate(e *core.RecordEvent) error {
	if e.Record.GetString("repeat") == "" {
		e.Record.Set("repeat", "none")
	}
	switch e.Record.GetString("trigger") {
	case "":
		e.Record.Set("trigger", "none")
	case "birthday", "anniversary":
		e.Record.Set("repeat", "yearly") // a personal date comes back every year
	}
	if err := e.Next(); err != nil {
		return err
	}

	if err := templates.FieldError("template", e.Record.GetString("template")); err != nil {
		return err
	}

	starts, ends := e.Record.GetDateTime("starts"), e.Record.GetDateTime("ends")
	if !starts.IsZero() && !ends.IsZero() && ends.Time().Before(starts.Time()) {
		return domain.FieldErrorT("ends", "validation_window", "occasion.window")
	}
	return nil
}
