package api

import "github.com/pocketbase/pocketbase/core"

// PLACEHOLDER: being written; replace this whole file.
func plan(e *core.RequestEvent) error {
	return e.Error(501, "not implemented yet", nil)
}
