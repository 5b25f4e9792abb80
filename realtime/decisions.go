package realtime

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Rule decisions are remembered across events. A rule whose only inputs
// are fields of the subscriber's auth record (@request.auth.*), constants
// and fields of the record itself (e.g. "client.point") gives the same
// answer for the same auth values and the same record values. The auth
// values are the group key already; the record values are read with one
// query per event (the rule's own field paths, resolved by PocketBase's
// resolver). So once "point managers of Kazan" have been checked against
// a touch of a Moscow client, every later touch of a Moscow client is
// decided for them without a query; after a warm-up, an event costs one
// query whatever the number of groups.
//
// A rule that reads anything else — another collection (@collection.*),
// the time (@now, @todayStart, …) or a multi-valued field — is not
// remembered: its groups are checked on every event.

// shape is what a rule's outcome depends on.
type shape struct {
	cacheable bool
	paths     []string // the record's field paths the rule reads
}

var (
	shapesMu sync.Mutex
	shapes   = map[string]*shape{}

	// string literals, removed before looking for identifiers
	literalRe = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`)
	// identifiers: fields, paths with modifiers, @macros
	identRe = regexp.MustCompile(`@?[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*(?::[A-Za-z_]+)?`)
)

// shapeOf analyses a rule once.
func shapeOf(rule string) *shape {
	shapesMu.Lock()
	defer shapesMu.Unlock()
	if s, ok := shapes[rule]; ok {
		return s
	}
	s := &shape{cacheable: true}
	for _, id := range identRe.FindAllString(literalRe.ReplaceAllString(rule, " "), -1) {
		switch {
		case strings.EqualFold(id, "true"), strings.EqualFold(id, "false"), strings.EqualFold(id, "null"):
		case strings.HasPrefix(id, "@request.auth."):
			// part of the group key (authFields)
		case strings.HasPrefix(id, "@request.") && !strings.HasPrefix(id, "@request.auth"):
			// context, method, and query/headers/body, which are empty
			// for every subscription without options: the same for all
		case strings.HasPrefix(id, "@"):
			s.cacheable = false // @collection.*, @now and the other macros
		default:
			if !contains(s.paths, id) {
				s.paths = append(s.paths, id)
			}
		}
	}
	if _, exact := authFields(&rule); !exact {
		s.cacheable = false
	}
	shapes[rule] = s
	return s
}

// recordKey reads the values of the rule's field paths for record, with
// one query, and returns them as a key; ok is false when they cannot be
// read as one value each (e.g. a multi-valued relation).
func recordKey(app core.App, record *core.Record, paths []string) (string, bool) {
	if len(paths) == 0 {
		return "", true
	}
	collection := record.Collection()
	resolver := core.NewRecordFieldResolver(app, collection, requestInfo(nil), true)
	cols := make([]string, 0, len(paths))
	params := dbx.Params{}
	for i, path := range paths {
		res, err := resolver.Resolve(path)
		if err != nil || res.MultiMatchSubQuery != nil || res.AfterBuild != nil {
			return "", false
		}
		cols = append(cols, fmt.Sprintf("%s AS [[v%d]]", res.Identifier, i))
		for k, v := range res.Params {
			params[k] = v
		}
	}
	q := app.ConcurrentDB().Select(cols...).From(collection.Name).
		AndWhere(dbx.HashExp{collection.Name + ".id": record.Id}).AndBind(params)
	if err := resolver.UpdateQuery(q); err != nil {
		return "", false
	}
	rows, err := q.Limit(2).Rows()
	if err != nil {
		return "", false
	}
	defer rows.Close()
	values := make([]any, len(paths))
	ptrs := make([]any, len(paths))
	for i := range values {
		ptrs[i] = &values[i]
	}
	n := 0
	var key strings.Builder
	for rows.Next() {
		if n++; n > 1 {
			return "", false // more than one row: not one value per path
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", false
		}
		for _, v := range values {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			fmt.Fprintf(&key, "%T:%v\x00", v, v)
		}
	}
	if rows.Err() != nil || n != 1 {
		return "", false
	}
	return key.String(), true
}

// decisions remembers rule outcomes by collection, rule, group and record
// values.
type decisions struct {
	mu sync.RWMutex
	m  map[string]bool
}

// maxDecisions bounds the memory: the map starts over when it is full.
const maxDecisions = 100_000

func (d *decisions) get(key string) (bool, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	v, ok := d.m[key]
	return v, ok
}

func (d *decisions) put(key string, v bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.m == nil || len(d.m) >= maxDecisions {
		d.m = map[string]bool{}
	}
	d.m[key] = v
}

// decide returns, per subscriber group (given by its auth record and
// request info), whether the rule lets it see the record: remembered
// decisions where the rule allows it, CanAccessRecord for the rest (and
// remembered for next time). The remembered decisions are keyed by the
// auth fields this rule reads, whatever the caller grouped by.
func (f *fanout) decide(accessApp core.App, record *core.Record, rule *string, auths []*core.Record, infos []*core.RequestInfo) []bool {
	out := make([]bool, len(infos))
	if rule == nil || *rule == "" {
		for i, info := range infos {
			out[i] = rule != nil || info.HasSuperuserAuth()
		}
		return out
	}
	prefix := ""
	keys := make([]string, len(auths))
	if s := shapeOf(*rule); s.cacheable {
		if values, ok := recordKey(accessApp, record, s.paths); ok {
			prefix = record.Collection().Id + "\x00" + *rule + "\x00" + values + "\x00"
			fields, _ := authFields(rule)
			for i, auth := range auths {
				keys[i] = groupKey(auth, fields, true)
			}
		}
	}
	var ask []int
	for i := range infos {
		if prefix != "" {
			if v, ok := f.decided.get(prefix + keys[i]); ok {
				out[i] = v
				continue
			}
		}
		ask = append(ask, i)
	}
	if len(ask) == 0 {
		return out
	}
	askInfos := make([]*core.RequestInfo, len(ask))
	for n, i := range ask {
		askInfos[n] = infos[i]
	}
	for n, v := range allowed(accessApp, record, rule, askInfos) {
		i := ask[n]
		out[i] = v
		if prefix != "" {
			f.decided.put(prefix+keys[i], v)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
