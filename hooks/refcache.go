package hooks

import (
	"sync"

	"github.com/pocketbase/pocketbase/core"
)

// Every mark reads its occasion and its client's point (the eligibility
// window, the time zone of "today"): a few hundred records that change
// seldom, read on every mark inside the write transaction. refCache keeps
// their committed versions in memory and drops one as soon as a change to
// it commits, so a mark spends its queries on what changes (BENCHMARKS.md).
//
// Only committed versions are cached: a miss is filled from the app outside
// any transaction. Inside a transaction that has created the record and not
// yet committed (the demo seeds occasions and marks them in one), that read
// finds nothing and the transaction's own read is used, uncached.
type refCache struct {
	root core.App // the app outside transactions (reads only)

	mu      sync.RWMutex
	records map[string]*core.Record // "collection/id" → committed record
}

// refCollections are the collections refCache serves.
var refCollections = []string{"points", "occasions"}

const refCacheKey = "touchbase.refCache"

// bindRefCache creates app's cache and keeps it in step with the changes.
func bindRefCache(app core.App) {
	c := &refCache{root: app, records: map[string]*core.Record{}}
	app.Store().Set(refCacheKey, c)
	drop := func(e *core.ModelEvent) error {
		if id, ok := e.Model.PK().(string); ok {
			c.forget(e.Model.TableName() + "/" + id)
		}
		return e.Next()
	}
	app.OnModelAfterCreateSuccess(refCollections...).BindFunc(drop)
	app.OnModelAfterUpdateSuccess(refCollections...).BindFunc(drop)
	app.OnModelAfterDeleteSuccess(refCollections...).BindFunc(drop)
	// a changed schema (a field added in the dashboard) makes every cached
	// record stale
	app.OnCollectionAfterUpdateSuccess(refCollections...).BindFunc(func(e *core.CollectionEvent) error {
		c.mu.Lock()
		c.records = map[string]*core.Record{}
		c.mu.Unlock()
		return e.Next()
	})
}

func (c *refCache) forget(key string) {
	c.mu.Lock()
	delete(c.records, key)
	c.mu.Unlock()
}

// findRefRecord returns the record of a refCollections collection by id:
// a copy of the cached committed version, else app's own read.
func findRefRecord(app core.App, collection, id string) (*core.Record, error) {
	c, _ := app.Store().Get(refCacheKey).(*refCache)
	if c == nil {
		return app.FindRecordById(collection, id)
	}
	key := collection + "/" + id
	c.mu.RLock()
	cached := c.records[key]
	c.mu.RUnlock()
	if cached != nil {
		return cached.Fresh(), nil
	}
	committed, err := c.root.FindRecordById(collection, id)
	if err != nil {
		return app.FindRecordById(collection, id) // e.g. created in this transaction
	}
	c.mu.Lock()
	c.records[key] = committed
	c.mu.Unlock()
	return committed.Fresh(), nil
}
