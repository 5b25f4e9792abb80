package cadence

import "github.com/pocketbase/pocketbase/core"

// Bind gives a new cadence the rule of thumb of two standard
// touches per mandatory one when none is given.
func Bind(app core.App) {
	app.OnRecordCreate("cadences").BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetFloat("standard_per_mandatory") == 0 {
			e.Record.Set("standard_per_mandatory", 2)
		}
		return e.Next()
	})
}
