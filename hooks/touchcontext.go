package hooks

import (
	"sync"

	"github.com/pocketbase/pocketbase/core"
)

// A mark's cost is mostly its queries (BENCHMARKS.md). Its create request
// hook loads the touch context (client, occasion, point, author) for the
// eligibility and suppression checks, and the model hook of the same save
// needs the same four records for the period, the duplicate check and the
// card comment: the request hook leaves the context here for it, keyed by
// the record being saved, instead of letting it load everything again.
var loadedTouchContexts sync.Map // *core.Record → *touchContext

// rememberTouchContext leaves t for the model hook saving touch.
func rememberTouchContext(touch *core.Record, t *touchContext) {
	loadedTouchContexts.Store(touch, t)
}

// forgetTouchContext drops what rememberTouchContext left for touch.
func forgetTouchContext(touch *core.Record) {
	loadedTouchContexts.Delete(touch)
}

// touchContextFor returns the context the request hook left for touch if
// it still names the touch's client, occasion and author, else loads it.
func touchContextFor(app core.App, touch *core.Record) (*touchContext, error) {
	if v, ok := loadedTouchContexts.Load(touch); ok {
		t := v.(*touchContext)
		author := ""
		if t.author != nil {
			author = t.author.Id
		}
		if t.client.Id == touch.GetString("client") && t.occasion.Id == touch.GetString("occasion") &&
			author == touch.GetString("author") {
			return t, nil
		}
	}
	return loadTouchContext(app, touch)
}
